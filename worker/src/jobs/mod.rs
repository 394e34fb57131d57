//! Job handlers, one module per job kind, all registered in [`run`]. A handler gets every
//! claimed job of its kind at once and must be safe to run twice.

use domain::{Context, entity::job, jobs::JobPayload, search::indexing::IndexTarget};

pub mod search_index;

/// Runs a batch of jobs of one kind. An unknown kind fails (the jobs are kept, not dropped).
pub async fn run(ctx: &Context, kind: &str, jobs: &[job::Model]) -> anyhow::Result<()> {
    match kind {
        IndexTarget::KIND => search_index::run(ctx, jobs).await,
        other => anyhow::bail!("no handler for job kind `{other}`"),
    }
}
