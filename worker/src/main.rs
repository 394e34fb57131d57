//! `rabfang-worker`: everything it does lives in `worker::main_from_env`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    worker::main_from_env().await
}
