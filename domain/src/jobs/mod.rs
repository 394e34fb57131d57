//! Background jobs: every job type, the one trait they implement, and the one list that
//! registers them ([`JOBS`]).
//!
//! A job is a serde struct (its payload) stored as a row of `jobs` in the same transaction as
//! the change that causes it ([`enqueue`]). Its [`BackgroundJob`] implementation names it
//! (`KIND`, stored in every row, so never renamed: a test pins the list), says how urgent it is,
//! how often it may fail, whether one waiting job covers a new one, and how to `run` it.
//!
//! Why here and not in the `worker` crate: services enqueue typed jobs inside their own
//! transactions, so the payloads and their names must be in `domain`, and since the worker
//! depends on `domain` (never the reverse), the trait that names them must be here too. The
//! `run` bodies are thin: they get their payloads already decoded (the registry decodes each
//! stored payload once, in [`run`]) and call domain services, so the rules stay in the
//! services and a job module only says which service answers which job. Services import the
//! payload types to enqueue them and a job module imports the services it calls; the only
//! pairs that name each other are services that queue work for their own later run (the
//! hearing summary compile, the integrity check). The `worker` crate stays the runner: it claims rows with a
//! lease, calls [`run`] with every claimed row of one kind, renews the lease, and records
//! success or schedules a retry with backoff; it also runs the scheduler.

use std::{future::Future, pin::Pin};

use anyhow::Context as _;
use serde::{Serialize, de::DeserializeOwned};

use crate::{Context, entity::job};

mod aggregate;
mod compile_report;
mod consultation_event;
mod export;
mod queue;
mod refresh_terms;
mod search_index;
mod search_reindex;
mod send_mail;
mod verify_integrity;

pub use aggregate::AggregateJob;
pub use compile_report::CompileReportJob;
pub use consultation_event::ConsultationEventJob;
pub use export::ExportJob;
pub use queue::{enqueue, enqueue_many, list_jobs, retry_job};
pub use refresh_terms::RefreshTermsJob;
pub use search_index::IndexTarget;
pub use search_reindex::SearchReindexJob;
pub use send_mail::{ConsultationEvent, MailJob};
pub use verify_integrity::VerifyIntegrityJob;

/// A kind of background job. The worker claims every due job of a kind together and hands
/// them to [`BackgroundJob::run`] as one batch; a failed batch is run again one job at a time,
/// so one bad job fails only itself. Every job may run twice (a worker can die after the work
/// and before recording it), so `run` must be safe to repeat.
pub trait BackgroundJob: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored in `jobs.kind`. Never renamed: stored rows depend on it.
    const KIND: &'static str;
    /// Higher runs first.
    const PRIORITY: i32 = 0;
    /// Attempts before the job is kept as `failed`.
    const MAX_ATTEMPTS: i32 = 8;
    /// Whether a job waiting with the same [`BackgroundJob::dedupe_key`] makes a new one
    /// unnecessary: for jobs that recompute something from the current state.
    const DEDUPLICATED: bool = false;

    /// What makes two waiting jobs of a deduplicated kind the same (only used when
    /// `DEDUPLICATED`).
    fn dedupe_key(&self) -> String {
        Self::KIND.to_string()
    }

    /// Does the work of every job in `batch`.
    fn run(ctx: &Context, batch: Vec<Self>) -> impl Future<Output = anyhow::Result<()>> + Send;
}

type BoxFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// One registered job kind: its name and how to run stored rows of it.
pub struct Registered {
    pub kind: &'static str,
    run: for<'a> fn(&'a Context, &'a [job::Model]) -> BoxFuture<'a>,
}

const fn register<J: BackgroundJob>() -> Registered {
    Registered {
        kind: J::KIND,
        run: decode_and_run::<J>,
    }
}

/// Every job kind the worker runs. A stored job of a kind missing here fails (and is kept).
pub const JOBS: &[Registered] = &[
    register::<IndexTarget>(),
    register::<SearchReindexJob>(),
    register::<ConsultationEventJob>(),
    register::<AggregateJob>(),
    register::<MailJob>(),
    register::<CompileReportJob>(),
    register::<RefreshTermsJob>(),
    register::<VerifyIntegrityJob>(),
    register::<ExportJob>(),
];

fn decode_and_run<'a, J: BackgroundJob>(ctx: &'a Context, rows: &'a [job::Model]) -> BoxFuture<'a> {
    Box::pin(async move {
        let batch = rows
            .iter()
            .map(|j| {
                serde_json::from_str::<J>(&j.payload)
                    .with_context(|| format!("job {} has a bad payload", j.id))
            })
            .collect::<anyhow::Result<Vec<J>>>()?;
        J::run(ctx, batch).await
    })
}

/// Runs stored jobs of one kind (the worker's claimed batch): decodes every payload, then
/// hands them to the kind's [`BackgroundJob::run`]. An unknown kind or a payload that does not
/// decode fails the batch (the jobs are kept, not dropped).
pub async fn run(ctx: &Context, kind: &str, rows: &[job::Model]) -> anyhow::Result<()> {
    let Some(registered) = JOBS.iter().find(|r| r.kind == kind) else {
        anyhow::bail!("no handler for job kind `{kind}`");
    };
    (registered.run)(ctx, rows).await
}

#[cfg(test)]
mod tests {
    use super::JOBS;

    #[test]
    fn the_list_of_job_kinds_is_stable() {
        // Stored jobs name their kind: a kind is never renamed or removed once released.
        let kinds: Vec<&str> = JOBS.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                "search_index",
                "search_reindex",
                "consultation_event",
                "aggregate_consultation",
                "send_mail",
                "compile_report",
                "refresh_terms",
                "verify_integrity",
                "export",
            ]
        );
    }
}
