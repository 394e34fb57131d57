//! Job handlers, one module per job kind, all registered in [`run`]. A handler gets every
//! claimed job of its kind at once and must be safe to run twice.

use domain::{
    Context,
    entity::job,
    jobs::{AggregateJob, ConsultationEventJob, JobPayload, MailJob, RefreshTermsJob},
    search::indexing::{IndexTarget, SearchReindexJob},
    service::{integrity::VerifyIntegrityJob, reports::CompileReportJob},
};

pub mod aggregate;
pub mod clusters;
pub mod compile_report;
pub mod consultation_event;
pub mod notify;
pub mod refresh_terms;
pub mod search_index;
pub mod search_reindex;
pub mod send_mail;
pub mod verify_integrity;

/// Runs a batch of jobs of one kind. An unknown kind fails (the jobs are kept, not dropped).
pub async fn run(ctx: &Context, kind: &str, jobs: &[job::Model]) -> anyhow::Result<()> {
    match kind {
        IndexTarget::KIND => search_index::run(ctx, jobs).await,
        SearchReindexJob::KIND => search_reindex::run(ctx, jobs).await,
        ConsultationEventJob::KIND => consultation_event::run(ctx, jobs).await,
        AggregateJob::KIND => aggregate::run(ctx, jobs).await,
        MailJob::KIND => send_mail::run(ctx, jobs).await,
        CompileReportJob::KIND => compile_report::run(ctx, jobs).await,
        RefreshTermsJob::KIND => refresh_terms::run(ctx, jobs).await,
        VerifyIntegrityJob::KIND => verify_integrity::run(ctx, jobs).await,
        other => anyhow::bail!("no handler for job kind `{other}`"),
    }
}
