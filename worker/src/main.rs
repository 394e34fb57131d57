//! `rabfang-worker`: runs background jobs against the configured database until SIGTERM or
//! Ctrl-C, finishing the job in hand before it exits.

use domain::{Context, db::PoolOptions, settings::Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RABFANG_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = Settings::from_env()?;
    let ctx = Context::build(
        settings,
        PoolOptions {
            max_connections: 4,
            ..Default::default()
        },
    )
    .await?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        domain::shutdown::signal().await;
        let _ = tx.send(true);
    });
    worker::run(ctx, rx).await;
    Ok(())
}
