//! `compile_report`: compiles the hearing summary of a closed consultation (see
//! `domain::service::reports`). Recompiling an unpublished summary replaces it; a published one
//! is never touched.

use anyhow::Context as _;
use domain::{
    Context, DomainError,
    entity::job,
    service::reports::{self, CompileReportJob},
};

pub async fn run(ctx: &Context, batch: &[job::Model]) -> anyhow::Result<()> {
    // Jobs for the same consultation in one batch are answered by one compile.
    let mut consultations = std::collections::BTreeSet::new();
    for j in batch {
        let payload: CompileReportJob = serde_json::from_str(&j.payload)
            .with_context(|| format!("job {} has a bad payload", j.id))?;
        consultations.insert(payload.consultation_id);
    }
    for consultation_id in consultations {
        match reports::compile(&ctx.db, consultation_id).await {
            Ok(_) | Err(DomainError::InvalidState(_)) | Err(DomainError::NotFound(_)) => {}
            Err(e) => return Err(anyhow::anyhow!("compiling the hearing summary: {e:?}")),
        }
    }
    Ok(())
}
