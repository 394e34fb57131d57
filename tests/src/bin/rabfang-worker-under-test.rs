//! The `rabfang-worker` program, built inside this package so that the black-box tests can run
//! it as a process: same code as `worker/src/main.rs`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    worker::main_from_env().await
}
