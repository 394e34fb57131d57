//! The outbox: job rows written in the same transaction as the change that causes them, so a
//! rolled-back change leaves no job and a committed one never loses its job; and the
//! administrators' view of the queue.

use sea_orm::{ConnectionTrait, EntityTrait, Set};

use super::BackgroundJob;
use crate::{entity::job, error::DomainResult, time::now_ms, types::JobState};

/// A new job row for `job`, due now.
fn new_row<J: BackgroundJob>(job: &J, now: i64) -> DomainResult<job::ActiveModel> {
    Ok(job::ActiveModel {
        kind: Set(J::KIND.into()),
        payload: Set(serde_json::to_string(job).map_err(anyhow::Error::from)?),
        dedupe_key: Set(J::DEDUPLICATED.then(|| job.dedupe_key())),
        priority: Set(J::PRIORITY),
        state: Set(JobState::Pending),
        run_at: Set(now),
        attempts: Set(0),
        max_attempts: Set(J::MAX_ATTEMPTS),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
}

/// Adds jobs to run now, inside the caller's transaction, with one statement (one statement a
/// job for deduplicated kinds, see [`enqueue`]).
pub async fn enqueue_many<C: ConnectionTrait, J: BackgroundJob>(
    conn: &C,
    jobs: &[J],
) -> DomainResult<()> {
    if J::DEDUPLICATED {
        for j in jobs {
            enqueue(conn, j).await?;
        }
        return Ok(());
    }
    if jobs.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let rows = jobs
        .iter()
        .map(|j| new_row(j, now))
        .collect::<DomainResult<Vec<_>>>()?;
    job::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Adds a job to run now, inside the caller's transaction, and returns its id. A job of a
/// deduplicated kind is not added when one with the same [`BackgroundJob::dedupe_key`] is
/// already waiting to run, since that one will do the same work: its id is returned instead.
pub async fn enqueue<C: ConnectionTrait, J: BackgroundJob>(conn: &C, job: &J) -> DomainResult<i64> {
    if J::DEDUPLICATED {
        use sea_orm::{ColumnTrait, QueryFilter};
        let waiting = job::Entity::find()
            .filter(job::Column::DedupeKey.eq(job.dedupe_key()))
            .filter(job::Column::State.eq(JobState::Pending))
            .one(conn)
            .await?;
        if let Some(w) = waiting {
            return Ok(w.id);
        }
    }
    let result = job::Entity::insert(new_row(job, now_ms())?)
        .exec(conn)
        .await?;
    Ok(result.last_insert_id)
}

/// Jobs in a state (all states for `None`), oldest first, for administrators.
pub async fn list_jobs<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&crate::types::Actor>,
    state: Option<JobState>,
    page: crate::service::page::PageRequest,
) -> DomainResult<crate::service::page::Page<job::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    require_admin(actor)?;
    let mut query = job::Entity::find().order_by_asc(job::Column::Id);
    if let Some(s) = state {
        query = query.filter(job::Column::State.eq(s));
    }
    if let Some(after) = page.after {
        query = query.filter(job::Column::Id.gt(after));
    }
    let rows = query.limit(page.fetch()).all(conn).await?;
    Ok(crate::service::page::Page::from_rows(rows, page, |j| j.id))
}

fn require_admin(actor: Option<&crate::types::Actor>) -> DomainResult<()> {
    match actor {
        Some(a) if a.role == crate::types::Role::Admin => Ok(()),
        _ => Err(crate::DomainError::Forbidden(
            "only administrators manage jobs".into(),
        )),
    }
}

/// Puts a failed job back in the queue to run now, with a fresh count of attempts. The last
/// error is kept until the job runs again.
pub async fn retry_job(
    db: &crate::db::Db,
    actor: Option<&crate::types::Actor>,
    id: i64,
) -> DomainResult<job::Model> {
    require_admin(actor)?;
    let tx = db.write().await?;
    let Some(found) = job::Entity::find_by_id(id).one(&*tx).await? else {
        return Err(crate::DomainError::NotFound("job"));
    };
    if found.state != JobState::Failed {
        return Err(crate::DomainError::InvalidState(format!(
            "only failed jobs are retried; this one is {}",
            found.state
        )));
    }
    let now = now_ms();
    let updated = job::Entity::update(job::ActiveModel {
        id: Set(id),
        state: Set(JobState::Pending),
        attempts: Set(0),
        run_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    crate::audit::record(
        &*tx,
        crate::audit::AuditRecord {
            actor: actor.map(|a| a.account_id).filter(|id| id.get() > 0),
            action: "job.retry",
            entity_type: "job",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({"state": found.state, "attempts": found.attempts})),
            after: Some(serde_json::json!({"state": updated.state, "attempts": updated.attempts})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}
