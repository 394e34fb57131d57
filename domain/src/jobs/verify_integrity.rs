//! `verify_integrity`: the daily (or an administrator's) check of the audit chain and of the
//! published documents' hashes (see `service::integrity`). The result is stored whatever it
//! is; a broken record is logged as an error, and the job itself succeeds, since running it
//! again would find the same. Safe to run twice: it only reads, then adds one result row.

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, service::integrity};

/// `verify_integrity`: the worker's daily verification, or one an administrator asked for.
/// Not deduplicated by key: `service::integrity` queues one only when none is waiting or
/// running.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VerifyIntegrityJob {
    /// The administrator who asked; `None` for the daily run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<i64>,
}

impl BackgroundJob for VerifyIntegrityJob {
    const KIND: &'static str = "verify_integrity";
    const MAX_ATTEMPTS: i32 = 3;
    const PRIORITY: i32 = -10;

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        // However many were queued, one run answers them all.
        if batch.is_empty() {
            return Ok(());
        }
        let requested_by = batch.iter().find_map(|j| j.requested_by);
        let checked_by = match requested_by {
            Some(id) => format!("worker, asked by account {id}"),
            None => "worker (daily)".to_string(),
        };
        let (v, _) = integrity::verify_and_record(&ctx.db, &checked_by, &mut |_| {})
            .await
            .map_err(|e| anyhow::anyhow!("verifying integrity: {e:?}"))?;
        match v.problems.first() {
            None => tracing::info!(
                events = v.events_verified,
                documents = v.documents_checked,
                "integrity verified"
            ),
            Some(first) => {
                tracing::error!(problems = v.problems.len(), first = %first, "integrity check failed: the audit trail or a published document was changed")
            }
        }
        Ok(())
    }
}
