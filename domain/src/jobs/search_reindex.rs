//! `search_reindex`: rebuilds the whole search index from the database, in the process that
//! writes the index (asked for by `rabfang search reindex` beside a running server). Several
//! requests claimed together are one rebuild.

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, service::indexing};

/// `search_reindex`: rebuild the whole index from the database. `rabfang search reindex` asks
/// for it when another process (a running `rabfang serve` or worker) holds the embedded index,
/// so that the rebuild runs where the index is written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchReindexJob {}

impl BackgroundJob for SearchReindexJob {
    const KIND: &'static str = "search_reindex";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(ctx: &Context, _batch: Vec<Self>) -> anyhow::Result<()> {
        tracing::info!("rebuilding the search index from the database");
        let mut last_logged = std::time::Instant::now();
        indexing::reindex(&ctx.db.conn, ctx.search.as_ref(), |p| {
            if last_logged.elapsed().as_secs() >= 10 {
                last_logged = std::time::Instant::now();
                tracing::info!(done = p.done, total = p.total, "reindexing");
            }
        })
        .await?;
        ctx.db.wrote();
        tracing::info!("the search index is rebuilt");
        Ok(())
    }
}
