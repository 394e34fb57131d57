//! The job runner. Jobs are rows in `jobs`, written by services in the same transaction as
//! the change that causes them; the job types and what each does are in `domain::jobs`, all
//! registered in `domain::jobs::JOBS`. This crate claims, leases, runs and retries them, and
//! runs the scheduler.
//!
//! A worker claims one job at a time with a single conditional UPDATE: the sub-select picks the
//! oldest job that is due (pending, or running with an expired lease) and the outer WHERE
//! repeats that condition, so two workers can never both take the same row; on PostgreSQL the
//! sub-select also uses `FOR UPDATE SKIP LOCKED` so workers do not queue behind each other. The
//! claim sets a lease (`RABFANG_JOB_LEASE_SECONDS`), which the worker renews while the jobs
//! run, however long they take; a worker that dies mid-job stops renewing, its lease expires,
//! and another worker takes the job again, so every handler must be safe to run twice. A failed job is retried
//! with exponential backoff and jitter until `max_attempts`, then kept as `failed` with its last
//! error. Jobs of one kind claimed together run as one batch; when the batch fails, each of its
//! jobs is run again alone, so one bad job fails only itself.

use std::time::Duration;

use domain::{
    Context,
    entity::job,
    jobs::{self, BackgroundJob, RefreshTermsJob},
    time::now_ms,
    types::JobState,
};
use rand::Rng;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Set, Statement};
use tokio::sync::watch;

pub mod failpoint;
pub mod scheduler;

/// How often a worker looks for consultations that opened, close soon or closed.
pub const SCHEDULER_EVERY: Duration = Duration::from_secs(10);

/// Most jobs claimed at once; jobs of one kind in a claim run as one batch.
pub const BATCH: u64 = 200;

/// Which jobs a worker loop claims. Long jobs (bulk exports, which read everything public) run
/// in a lane of their own, beside the others, so that a long export never holds back receipts,
/// indexing and statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Every job (tests, and `run_pending`).
    All,
    /// Every job but the long ones.
    Quick,
    /// Only the long ones.
    Long,
}

/// The kinds of job that run in [`Lane::Long`].
const LONG_KINDS: &[&str] = &[jobs::ExportJob::KIND];

impl Lane {
    /// The lane's condition on `kind`, as SQL (the kinds are constants of ours, not input).
    fn condition(self) -> String {
        let kinds = LONG_KINDS
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Lane::All => String::new(),
            Lane::Quick => format!(" AND kind NOT IN ({kinds})"),
            Lane::Long => format!(" AND kind IN ({kinds})"),
        }
    }
}

fn claim_sql(backend: DbBackend, lane: Lane) -> String {
    let lane = lane.condition();
    match backend {
        DbBackend::Postgres => format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs WHERE ((state = 'pending' AND run_at <= $3) OR (state = 'running' AND lease_expires_at < $3)){lane} \
                          ORDER BY priority DESC, run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
               AND ((state = 'pending' AND run_at <= $3) OR (state = 'running' AND lease_expires_at < $3)) \
             RETURNING *"
        ),
        _ => format!(
            "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2, attempts = attempts + 1, updated_at = ?3 \
             WHERE id IN (SELECT id FROM jobs WHERE ((state = 'pending' AND run_at <= ?3) OR (state = 'running' AND lease_expires_at < ?3)){lane} \
                          ORDER BY priority DESC, run_at, id LIMIT ?4) \
               AND ((state = 'pending' AND run_at <= ?3) OR (state = 'running' AND lease_expires_at < ?3)) \
             RETURNING *"
        ),
    }
}

/// Claims up to `limit` due jobs of `lane` for `owner`.
pub async fn claim(
    ctx: &Context,
    owner: &str,
    limit: u64,
    lane: Lane,
) -> anyhow::Result<Vec<job::Model>> {
    let now = now_ms();
    let tx = ctx.db.write_private().await?;
    let backend = tx.get_database_backend();
    let stmt = Statement::from_sql_and_values(
        backend,
        claim_sql(backend, lane),
        [
            owner.into(),
            (now + ctx.settings.job_lease_ms).into(),
            now.into(),
            (limit as i64).into(),
        ],
    );
    let rows = tx.query_all_raw(stmt).await?;
    tx.commit().await?;
    let mut jobs = rows
        .iter()
        .map(|row| job::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Backoff before attempt `attempts + 1`: 2^attempts seconds (capped at an hour) plus up to
/// 25 % jitter, so failing jobs of many workers do not retry in lockstep.
pub fn backoff_ms(attempts: i32) -> i64 {
    let base = 1000i64 << attempts.clamp(0, 12);
    let base = base.min(3_600_000);
    base + rand::rng().random_range(0..=base / 4)
}

/// Records the outcome of a job this worker holds (only if it still holds the lease).
async fn finish(
    ctx: &Context,
    job: &job::Model,
    owner: &str,
    result: anyhow::Result<()>,
) -> anyhow::Result<()> {
    let now = now_ms();
    let mut change = job::ActiveModel {
        id: Set(job.id),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    match result {
        Ok(()) => change.state = Set(JobState::Done),
        Err(err) => {
            let message = format!("{err:#}");
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %message, "job failed");
            change.last_error = Set(Some(message));
            if job.attempts >= job.max_attempts {
                change.state = Set(JobState::Failed);
            } else {
                change.state = Set(JobState::Pending);
                change.run_at = Set(now + backoff_ms(job.attempts));
            }
        }
    }
    use sea_orm::{ColumnTrait, QueryFilter};
    let tx = ctx.db.write_private().await?;
    job::Entity::update_many()
        .set(change)
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LeaseOwner.eq(owner))
        .filter(job::Column::State.eq(JobState::Running))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Renews the leases of the jobs `ids` held by `owner` every third of a lease, until dropped,
/// so that no other worker takes over jobs that are still running.
struct LeaseRenewal(tokio::task::JoinHandle<()>);

impl LeaseRenewal {
    fn start(ctx: &Context, owner: &str, ids: Vec<i64>) -> LeaseRenewal {
        let (ctx, owner) = (ctx.clone(), owner.to_string());
        let lease = ctx.settings.job_lease_ms;
        LeaseRenewal(tokio::spawn(async move {
            use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
            let period = Duration::from_millis(u64::try_from(lease / 3).unwrap_or(1).max(1));
            loop {
                tokio::time::sleep(period).await;
                let renewed = async {
                    let tx = ctx.db.write_private().await?;
                    job::Entity::update_many()
                        .col_expr(job::Column::LeaseExpiresAt, Expr::value(now_ms() + lease))
                        .filter(job::Column::Id.is_in(ids.clone()))
                        .filter(job::Column::LeaseOwner.eq(owner.as_str()))
                        .filter(job::Column::State.eq(JobState::Running))
                        .exec(&*tx)
                        .await?;
                    tx.commit().await
                }
                .await;
                if let Err(err) = renewed {
                    tracing::warn!(worker = %owner, error = %err, "could not renew job leases");
                }
            }
        }))
    }
}

impl Drop for LeaseRenewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Claims a batch of `lane` and runs it, one handler call per job kind; returns how many jobs
/// ran.
pub async fn run_batch(ctx: &Context, owner: &str, lane: Lane) -> anyhow::Result<usize> {
    let claimed = claim(ctx, owner, BATCH, lane).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let _renewal = LeaseRenewal::start(ctx, owner, claimed.iter().map(|j| j.id).collect());
    let mut by_kind: std::collections::BTreeMap<String, Vec<job::Model>> = Default::default();
    for job in &claimed {
        by_kind
            .entry(job.kind.clone())
            .or_default()
            .push(job.clone());
    }
    for (kind, batch) in by_kind {
        failpoint::pause("before", &kind);
        let ids: Vec<i64> = batch.iter().map(|j| j.id).collect();
        let span = tracing::info_span!("job", kind = %kind, ids = ?ids);
        let result = tracing::Instrument::instrument(jobs::run(ctx, &kind, &batch), span).await;
        failpoint::pause("after", &kind);
        match result {
            Err(_) if batch.len() > 1 => {
                // One bad job must not hold back, or use up the attempts of, the others it was
                // claimed with: run each alone (handlers are safe to run twice) and record
                // each outcome.
                for job in &batch {
                    let alone = jobs::run(ctx, &kind, std::slice::from_ref(job)).await;
                    finish(ctx, job, owner, alone).await?;
                }
            }
            result => {
                let message = result.as_ref().err().map(|e| format!("{e:#}"));
                for job in &batch {
                    let outcome = match &message {
                        None => Ok(()),
                        Some(m) => Err(anyhow::anyhow!("{m}")),
                    };
                    finish(ctx, job, owner, outcome).await?;
                }
            }
        }
    }
    Ok(claimed.len())
}

/// The worker's view of the context: its writes let waiting requests go first.
fn background(ctx: Context) -> Context {
    Context {
        db: ctx.db.for_background(),
        ..ctx
    }
}

/// Runs every job that is due now, then returns how many ran (tests call this).
pub async fn run_pending(ctx: &Context) -> anyhow::Result<usize> {
    let ctx = &background(ctx.clone());
    let owner = format!("inline-{}", std::process::id());
    let mut n = 0;
    loop {
        match run_batch(ctx, &owner, Lane::All).await? {
            0 => return Ok(n),
            ran => n += ran,
        }
    }
}

/// The worker: runs jobs until `shutdown` turns true, finishing the jobs in hand first. Long
/// jobs run in a loop of their own beside the others ([`Lane`]).
pub async fn run(ctx: Context, shutdown: watch::Receiver<bool>) {
    let ctx = background(ctx);
    let owner = format!(
        "{}-{}-{:08x}",
        hostname(),
        std::process::id(),
        rand::rng().random::<u32>()
    );
    tracing::info!(worker = %owner, "worker started");
    let long = tokio::spawn(run_lane(
        ctx.clone(),
        format!("{owner}-long"),
        Lane::Long,
        shutdown.clone(),
    ));
    run_quick(ctx, owner.clone(), shutdown).await;
    if let Err(err) = long.await {
        tracing::warn!(error = %err, "the worker's loop of long jobs ended abnormally");
    }
    tracing::info!(worker = %owner, "worker stopped");
}

/// The loop of long jobs: claims only them, sleeping while there is none. On shutdown it does
/// not wait for a long job to end: it drops it (an export leaves only its hidden partial
/// folder, pruned later) and hands it back, to run again from the start.
async fn run_lane(ctx: Context, owner: String, lane: Lane, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        let ran = tokio::select! {
            ran = run_batch(&ctx, &owner, lane) => ran,
            _ = shutdown.changed() => {
                if let Err(err) = release(&ctx, &owner).await {
                    tracing::warn!(error = %format!("{err:#}"), "could not hand back a long job; it runs again when its lease ends");
                }
                break;
            }
        };
        let idle = match ran {
            Ok(ran) => ran == 0,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "worker could not claim a job");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Hands back every job `owner` holds, as if it had not been claimed: pending, due now, the
/// attempt not counted.
async fn release(ctx: &Context, owner: &str) -> anyhow::Result<()> {
    use sea_orm::{
        ColumnTrait, QueryFilter,
        sea_query::{Expr, ExprTrait},
    };
    let tx = ctx.db.write_private().await?;
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Pending.as_str()))
        .col_expr(job::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(job::Column::RunAt, Expr::value(now_ms()))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).sub(1),
        )
        .filter(job::Column::LeaseOwner.eq(owner))
        .filter(job::Column::State.eq(JobState::Running))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The main loop: the scheduler, and every job but the long ones.
async fn run_quick(ctx: Context, owner: String, mut shutdown: watch::Receiver<bool>) {
    if let Err(err) = RefreshTermsJob::enqueue_if_stale(&ctx.db).await {
        tracing::warn!(error = %format!("{err:#}"), "could not look for stale comment terms");
    }
    let mut last_tick: Option<std::time::Instant> = None;
    while !*shutdown.borrow() {
        if last_tick.is_none_or(|t| t.elapsed() >= SCHEDULER_EVERY) {
            last_tick = Some(std::time::Instant::now());
            if let Err(err) = scheduler::tick(&ctx).await {
                tracing::warn!(error = %format!("{err:#}"), "the scheduler failed; it runs again shortly");
            }
        }
        let idle = match run_batch(&ctx, &owner, Lane::Quick).await {
            Ok(ran) => ran == 0,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "worker could not claim a job");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into())
}

/// The `rabfang-worker` program: runs background jobs against the configured database until
/// SIGTERM or Ctrl-C, finishing the batch in hand before it exits. Shared by the binary and the
/// black-box tests.
pub async fn main_from_env() -> anyhow::Result<()> {
    domain::telemetry::init_logging();
    let settings = domain::settings::Settings::from_env()?;
    let ctx = Context::build(
        settings,
        domain::db::PoolOptions {
            max_connections: 4,
            ..Default::default()
        },
    )
    .await?;
    ctx.db.ensure_current().await?;
    domain::service::indexing::rebuild_if_emptied(&ctx).await?;
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        domain::shutdown::signal().await;
        let _ = tx.send(true);
    });
    run(ctx, rx).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_with_each_attempt_up_to_an_hour_with_a_quarter_of_jitter() {
        for attempts in 0..20 {
            let base = (1000i64 << attempts.min(12)).min(3_600_000);
            let delays: Vec<i64> = (0..200).map(|_| backoff_ms(attempts)).collect();
            for &d in &delays {
                assert!(
                    (base..=base + base / 4).contains(&d),
                    "attempt {attempts}: {d}"
                );
            }
            // Jitter: the delays of one attempt differ.
            let distinct: std::collections::BTreeSet<i64> = delays.iter().copied().collect();
            assert!(distinct.len() > 20, "attempt {attempts}: {distinct:?}");
        }
        assert_eq!(backoff_ms(-1) / 1000, 1);
        assert!(backoff_ms(1) >= 2000 && backoff_ms(3) >= 8000 && backoff_ms(30) <= 4_500_000);
    }
}
