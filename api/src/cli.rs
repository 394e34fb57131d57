//! The `rabfang` command line.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use domain::{
    Context,
    db::PoolOptions,
    service::{accounts, agencies},
    settings::{Settings, WorkerMode, redact_url},
};

#[derive(Debug, Parser)]
#[command(
    name = "rabfang",
    version,
    about = "Rabfang (รับฟัง): public consultation on draft laws"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, optionally load the demo data, and serve the API, the site and (unless
    /// RABFANG_WORKER=off) the background worker on RABFANG_LISTEN.
    Serve {
        /// Load the demo data set (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply every pending database migration.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage agencies.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// Inspect and retry background jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Manage the search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit trail's hash chain and check every published hearing summary and impact
    /// assessment against its content hash. Prints "N events verified" and exits 0 when all
    /// holds; otherwise names the first broken event and each changed document, and exits 1.
    /// The result is recorded and shown to administrators beside the job list.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs, oldest first (one line each).
    List {
        /// Only jobs in this state: pending, running, done or failed.
        #[arg(long, value_parser = parse_job_state)]
        state: Option<domain::types::JobState>,
    },
    /// Put a failed job back in the queue.
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the whole search index from the database, then print the number of documents
    /// of each kind in the database and in the index.
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print one line: its new API token.
    Create {
        #[arg(long)]
        email: String,
        /// admin, officer, researcher or citizen.
        #[arg(long, value_parser = parse_role)]
        role: domain::types::Role,
        /// The agency's slug (required for officers).
        #[arg(long)]
        agency: Option<String>,
        /// Display name (defaults to the part of the e-mail before `@`).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Create an agency.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long = "name-th")]
        name_th: String,
        #[arg(long = "name-en")]
        name_en: Option<String>,
    },
}

/// The whole `rabfang` program: parses the command line, runs the command, exits non-zero
/// with the cause chain on failure. Shared by the binary and the black-box tests.
pub fn main() {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: starting the async runtime: {err}");
            std::process::exit(1);
        }
    };
    if let Err(err) = runtime.block_on(run(Cli::parse())) {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Logs go to stderr, so commands that print a result (a token, the spec) print only that.
    domain::telemetry::init_logging();
    if let Command::Openapi = cli.command {
        println!("{}", crate::openapi_json());
        return Ok(());
    }
    let settings = Settings::from_env()?;
    let ctx = Context::build(settings, PoolOptions::default()).await?;
    match cli.command {
        Command::Openapi => {}
        Command::Search {
            command: SearchCommand::Reindex,
        } => {
            ctx.db.ensure_current().await?;
            reindex(&ctx).await?;
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            ctx.db.ensure_current().await?;
            audit_verify(&ctx).await?;
        }
        Command::Jobs { command } => {
            ctx.db.ensure_current().await?;
            // The command line acts with administrator rights.
            let admin = domain::types::Actor {
                account_id: domain::ids::AccountId(0),
                role: domain::types::Role::Admin,
                agency_id: None,
            };
            match command {
                JobsCommand::List { state } => {
                    let mut page = domain::service::page::PageRequest {
                        limit: 200,
                        after: None,
                    };
                    loop {
                        let jobs = domain::jobs::list_jobs(&ctx.db.conn, Some(&admin), state, page)
                            .await
                            .map_err(describe)?;
                        for j in &jobs.items {
                            println!(
                                "{}\t{}\t{}\tattempts {}/{}\t{}",
                                j.id,
                                j.kind,
                                j.state,
                                j.attempts,
                                j.max_attempts,
                                j.last_error.as_deref().unwrap_or("")
                            );
                        }
                        match jobs.items.last() {
                            Some(last) if jobs.next_cursor.is_some() => page.after = Some(last.id),
                            _ => break,
                        }
                    }
                }
                JobsCommand::Retry { id } => {
                    let j = domain::jobs::retry_job(&ctx.db, Some(&admin), id)
                        .await
                        .map_err(describe)?;
                    eprintln!("job {} is pending again", j.id);
                }
            }
        }
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
                let report = crate::demo::load(&ctx)
                    .await
                    .context("loading the demo data")?;
                eprintln!(
                    "demo data: {} drafts and {} comments added",
                    report.drafts, report.comments
                );
            }
            if let Some(job) = domain::service::indexing::rebuild_if_emptied(&ctx)
                .await
                .context("queueing the search index's rebuild")?
            {
                eprintln!("the search index is rebuilt from the database (job {job})");
            }
            if let Err(err) = ctx.search.prepare().await {
                tracing::warn!(error = %err, "the search backend is not ready; search answers 503 until it is");
            }
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let worker = (ctx.settings.worker == WorkerMode::Embedded)
                .then(|| tokio::spawn(worker::run(ctx.clone(), stop_rx)));
            let app = crate::Application::bind(ctx.clone()).await?;
            let host = ctx
                .settings
                .listen
                .rsplit_once(':')
                .map_or("127.0.0.1", |(h, _)| h);
            eprintln!(
                "Rabfang is listening on http://{host}:{} (API documentation at /docs)",
                app.port()
            );
            if demo {
                let secret =
                    domain::service::sign_in::issue_now(&ctx.db, crate::demo::DEMO_CITIZEN, "/")
                        .await?;
                let officer = domain::service::sign_in::issue_now(
                    &ctx.db,
                    crate::demo::DEMO_OFFICER,
                    "/workspace",
                )
                .await?;
                eprintln!(
                    "sign in as the demo citizen (valid 15 minutes, once): http://{host}:{}/sign-in/{secret}\n\
                     sign in as the demo officer, to the workspace: http://{host}:{}/sign-in/{officer}\n\
                     or ask for a link at /sign-in (mail goes to {})",
                    app.port(),
                    app.port(),
                    ctx.mailer.mail_dir().map_or_else(
                        || "the SMTP server".to_string(),
                        |d| format!("files in {}", d.display())
                    )
                );
            }
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
            ctx.db.ensure_current().await?;
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
            ctx.db.ensure_current().await?;
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

/// Hands the rebuild to the process that holds the index and follows it until it is done.
async fn reindex_in_server(ctx: &Context, bar: &indicatif::ProgressBar) -> anyhow::Result<()> {
    use domain::{entity::job, jobs, service::indexing};
    use sea_orm::EntityTrait;
    let tx = ctx.db.write().await?;
    let id = jobs::enqueue(&*tx, &jobs::SearchReindexJob::default()).await?;
    tx.commit().await?;
    // Said once in plain text too: the bar is drawn only on a terminal.
    eprintln!(
        "the search index is held by a running server: the rebuild runs in the running server \
         as job {id} (its worker must be on: RABFANG_WORKER=embedded, or a rabfang-worker)"
    );
    bar.set_message(format!("(in the running server, job {id})"));
    let mut started = false;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let job = job::Entity::find_by_id(id)
            .one(&ctx.db.conn)
            .await?
            .context("the reindex job disappeared")?;
        // The bar follows the documents reaching the index, once the rebuild has begun.
        started |= job.state != domain::types::JobState::Pending;
        if started
            && let Ok(counts) = indexing::compare_counts(&ctx.db.conn, ctx.search.as_ref()).await
        {
            bar.set_length(counts.iter().map(|(_, db, _)| db).sum());
            bar.set_position(counts.iter().map(|(_, db, index)| db.min(index)).sum());
        }
        match job.state {
            domain::types::JobState::Done => break,
            domain::types::JobState::Failed => anyhow::bail!(
                "the reindex failed in the server: {}",
                job.last_error.unwrap_or_default()
            ),
            _ => {}
        }
    }
    // The index as this process reads it picks up the server's last commit within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
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

/// `rabfang audit verify`: verifies with a progress bar, records the result, prints it.
async fn audit_verify(ctx: &Context) -> anyhow::Result<()> {
    use domain::service::integrity;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} events and documents ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (v, _) = integrity::verify_and_record(&ctx.db, "command line", &mut |p| {
        bar.set_length(p.total);
        bar.set_position(p.done);
    })
    .await
    .context("verifying")?;
    bar.finish_and_clear();
    if v.ok() {
        println!(
            "{} events verified, {} published documents match their hashes",
            v.events_verified, v.documents_checked
        );
        return Ok(());
    }
    for p in &v.problems {
        println!("{p}");
    }
    if v.more_problems > 0 {
        println!("... and {} more problems", v.more_problems);
    }
    let first = &v.problems[0];
    let problems = v.problems.len() as u64 + v.more_problems;
    anyhow::bail!(
        "integrity check failed: {} of {} audit events broken, {problems} problem{} in all; first: {first}",
        v.broken_events,
        v.events_verified,
        if problems == 1 { "" } else { "s" }
    )
}

/// `rabfang search reindex`: rebuilds the index with a progress bar, then compares counts. When
/// another process holds the embedded index (a running `rabfang serve` or worker), the rebuild
/// is handed to that process as a `search_reindex` job, and the bar follows the index filling.
async fn reindex(ctx: &Context) -> anyhow::Result<()> {
    use domain::service::indexing;
    ctx.search
        .prepare()
        .await
        .context("preparing the search backend")?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reindexing [{bar:40}] {pos}/{len} documents ({per_sec}, {eta} left) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if ctx.search.can_write().context("opening the search index")? {
        indexing::reindex(&ctx.db.conn, ctx.search.as_ref(), |p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
        })
        .await
        .context("reindexing")?;
    } else {
        reindex_in_server(ctx, &bar).await?;
    }
    bar.finish();
    let counts = indexing::compare_counts(&ctx.db.conn, ctx.search.as_ref())
        .await
        .context("counting")?;
    let mut all_equal = true;
    for (kind, db, index) in counts {
        all_equal &= db == index;
        println!(
            "{:<13} database {db:>9}  index {index:>9}{}",
            kind.as_str(),
            if db == index { "" } else { "  MISMATCH" }
        );
    }
    anyhow::ensure!(all_equal, "the index does not hold every public document");
    Ok(())
}

/// A role named on the command line.
fn parse_role(text: &str) -> Result<domain::types::Role, String> {
    domain::types::Role::parse(text).ok_or_else(|| {
        let names: Vec<&str> = domain::types::Role::ALL
            .iter()
            .map(|r| r.as_str())
            .collect();
        format!("the role is one of: {}", names.join(", "))
    })
}

/// A job state named on the command line.
fn parse_job_state(text: &str) -> Result<domain::types::JobState, String> {
    domain::types::JobState::parse(text)
        .ok_or_else(|| "the state is one of: pending, running, done, failed".to_string())
}
