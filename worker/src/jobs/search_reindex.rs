//! `search_reindex`: rebuilds the whole search index from the database, in the process that
//! writes the index (asked for by `rabfang search reindex` beside a running server). Several
//! requests claimed together are one rebuild.

use domain::{Context, entity::job, search::indexing};

pub async fn run(ctx: &Context, _jobs: &[job::Model]) -> anyhow::Result<()> {
    tracing::info!("rebuilding the search index from the database");
    let mut last_logged = std::time::Instant::now();
    indexing::reindex(&ctx.db.conn, ctx.search.as_ref(), |p| {
        if last_logged.elapsed().as_secs() >= 10 {
            last_logged = std::time::Instant::now();
            tracing::info!(done = p.done, total = p.total, "reindexing");
        }
    })
    .await?;
    tracing::info!("the search index is rebuilt");
    Ok(())
}
