//! `verify_integrity`: the daily (or an administrator's) check of the audit chain and of the published documents'
//! hashes (see `domain::service::integrity`). The result is stored whatever it is; a broken
//! record is logged as an error, and the job itself succeeds, since running it again would
//! find the same. Safe to run twice: it only reads, then adds one result row.

use anyhow::Context as _;
use domain::{
    Context,
    entity::job,
    service::integrity::{self, VerifyIntegrityJob},
};

pub async fn run(ctx: &Context, batch: &[job::Model]) -> anyhow::Result<()> {
    // However many were queued, one run answers them all.
    let mut requested_by = None;
    for j in batch {
        let payload: VerifyIntegrityJob = serde_json::from_str(&j.payload)
            .with_context(|| format!("job {} has a bad payload", j.id))?;
        requested_by = requested_by.or(payload.requested_by);
    }
    if batch.is_empty() {
        return Ok(());
    }
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
