//! `refresh_terms`: re-segments, a batch at a time, the comments whose kept terms are stale
//! (see `service::terms`), so that recounts go back to only counting after an upgrade of the
//! dictionary or the stop words.

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, db::Db, error::DomainResult, service::terms};

/// `refresh_terms`: keep the terms of the comments whose kept terms another version of the
/// segmentation made, or none (stored before terms were kept), in id order from `after_id`, a
/// batch per job. Counting does not wait for it: until then it segments those bodies again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RefreshTermsJob {
    pub after_id: i64,
}

impl BackgroundJob for RefreshTermsJob {
    const KIND: &'static str = "refresh_terms";
    /// One waiting refresh is enough: it carries on from where it is.
    const DEDUPLICATED: bool = true;

    fn dedupe_key(&self) -> String {
        "refresh-terms".into()
    }

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        let Some(after_id) = batch.iter().map(|j| j.after_id).min() else {
            return Ok(());
        };
        if let Some(last) = terms::refresh_stale(&ctx.db, after_id).await? {
            // If the worker dies before this commits, the job runs again and finds the next
            // stale comments: the refreshed ones are no longer stale.
            let tx = ctx.db.write().await?;
            super::enqueue(&*tx, &RefreshTermsJob { after_id: last }).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

impl RefreshTermsJob {
    /// Queues a refresh when some comment's terms are stale (the worker calls this as it
    /// starts); true if some are.
    pub async fn enqueue_if_stale(db: &Db) -> DomainResult<bool> {
        if !terms::any_stale(db).await? {
            return Ok(false);
        }
        let tx = db.write().await?;
        super::enqueue(&*tx, &RefreshTermsJob::default()).await?;
        tx.commit().await?;
        tracing::info!("some comments keep terms of another segmentation; refreshing them");
        Ok(true)
    }
}
