use anyhow::Context as _;
use api::cli::{AgencyCommand, Cli, Command, UserCommand};
use clap::Parser;
use domain::{
    Context,
    db::PoolOptions,
    service::{accounts, agencies},
    settings::{Settings, WorkerMode, redact_url},
};

#[tokio::main]
async fn main() {
    if let Err(err) = run(Cli::parse()).await {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Logs go to stderr, so commands that print a result (a token, the spec) print only that.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RABFANG_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Openapi = cli.command {
        println!("{}", api::openapi_json());
        return Ok(());
    }
    let settings = Settings::from_env()?;
    let ctx = Context::build(settings, PoolOptions::default()).await?;
    match cli.command {
        Command::Openapi => {}
        Command::Migrate => {
            ctx.db.migrate().await?;
            eprintln!(
                "migrations applied to {}",
                redact_url(ctx.settings.database_url.expose())
            );
        }
        Command::Serve { demo } => {
            ctx.db.migrate().await?;
            if demo {
                eprintln!("loading the demo data set...");
                let report = api::demo::load(&ctx)
                    .await
                    .context("loading the demo data")?;
                eprintln!(
                    "demo data: {} drafts and {} comments added",
                    report.drafts, report.comments
                );
            }
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let worker = (ctx.settings.worker == WorkerMode::Embedded)
                .then(|| tokio::spawn(worker::run(ctx.clone(), stop_rx)));
            let app = api::Application::bind(ctx.clone()).await?;
            tracing::info!(url = %ctx.settings.public_url, port = app.port(), "serving");
            eprintln!(
                "Rabfang is listening on http://{} (API documentation at /docs)",
                ctx.settings.listen
            );
            app.run_until(domain::shutdown::signal()).await?;
            let _ = stop_tx.send(true);
            if let Some(w) = worker {
                let _ = w.await;
            }
            tracing::info!("stopped");
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    agency,
                    name,
                },
        } => {
            ctx.db.migrate().await?;
            let (_, token) = accounts::create_account(
                &ctx.db,
                None,
                accounts::NewAccount {
                    email,
                    display_name: name,
                    role,
                    agency_slug: agency,
                },
            )
            .await
            .map_err(describe)?;
            println!("{token}");
        }
        Command::Agency {
            command:
                AgencyCommand::Create {
                    slug,
                    name_th,
                    name_en,
                },
        } => {
            ctx.db.migrate().await?;
            let a = agencies::create_agency(
                &ctx.db,
                None,
                agencies::NewAgency {
                    slug,
                    name_th,
                    name_en,
                    ..Default::default()
                },
            )
            .await
            .map_err(describe)?;
            eprintln!("agency {} created (id {})", a.slug, a.id);
        }
    }
    Ok(())
}

/// Turns a domain error into a message naming each bad field.
fn describe(err: domain::DomainError) -> anyhow::Error {
    match err {
        domain::DomainError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::Error::new(other),
    }
}
