//! The outbox of background jobs. A job row is written in the same transaction as the change
//! that causes it, so a rolled-back change leaves no job and a committed one never loses its
//! job. Workers claim jobs with a lease (see the `worker` crate). Job kinds, like error codes,
//! are never renamed once released.

use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::Serialize;

use crate::{entity::job, error::DomainResult, time::now_ms};

pub const STATE_PENDING: &str = "pending";
pub const STATE_RUNNING: &str = "running";
pub const STATE_DONE: &str = "done";
pub const STATE_FAILED: &str = "failed";

/// A job payload with its stable kind name.
pub trait JobPayload: Serialize {
    const KIND: &'static str;
    const MAX_ATTEMPTS: i32 = 8;
    const PRIORITY: i32 = 0;
}

/// A new job row for `job`, due now.
fn new_row<J: JobPayload>(
    job: &J,
    dedupe_key: Option<&str>,
    now: i64,
) -> DomainResult<job::ActiveModel> {
    Ok(job::ActiveModel {
        kind: Set(J::KIND.into()),
        payload: Set(serde_json::to_string(job).map_err(anyhow::Error::from)?),
        dedupe_key: Set(dedupe_key.map(Into::into)),
        priority: Set(J::PRIORITY),
        state: Set(STATE_PENDING.into()),
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

/// Adds jobs to run now, inside the caller's transaction, with one statement.
pub async fn enqueue_many<C: ConnectionTrait, J: JobPayload>(
    conn: &C,
    jobs: &[J],
) -> DomainResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let rows = jobs
        .iter()
        .map(|j| new_row(j, None, now))
        .collect::<DomainResult<Vec<_>>>()?;
    job::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Adds a job to run now, inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait, J: JobPayload>(conn: &C, job: &J) -> DomainResult<i64> {
    let result = job::Entity::insert(new_row(job, None, now_ms())?)
        .exec(conn)
        .await?;
    Ok(result.last_insert_id)
}

/// Jobs in a state (all states for `None`), oldest first, for administrators.
pub async fn list_jobs<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&crate::types::Actor>,
    state: Option<&str>,
    page: crate::service::page::PageRequest,
) -> DomainResult<crate::service::page::Page<job::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    require_admin(actor)?;
    if let Some(s) = state
        && ![STATE_PENDING, STATE_RUNNING, STATE_DONE, STATE_FAILED].contains(&s)
    {
        return Err(crate::DomainError::invalid(
            "state",
            "invalid_value",
            "state is one of pending, running, done, failed",
        ));
    }
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
    if found.state != STATE_FAILED {
        return Err(crate::DomainError::InvalidState(format!(
            "only failed jobs are retried; this one is {}",
            found.state
        )));
    }
    let now = now_ms();
    let updated = job::Entity::update(job::ActiveModel {
        id: Set(id),
        state: Set(STATE_PENDING.into()),
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

/// Adds a job unless one with the same `dedupe_key` is already waiting to run: for jobs that
/// recompute something from the current state, where one pending run covers every request.
pub async fn enqueue_unique<C: ConnectionTrait, J: JobPayload>(
    conn: &C,
    job: &J,
    dedupe_key: &str,
) -> DomainResult<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let waiting = job::Entity::find()
        .filter(job::Column::DedupeKey.eq(dedupe_key))
        .filter(job::Column::State.eq(STATE_PENDING))
        .one(conn)
        .await?;
    if waiting.is_some() {
        return Ok(());
    }
    job::Entity::insert(new_row(job, Some(dedupe_key), now_ms())?)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// A moment in a consultation's life that the worker acts on once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationEvent {
    Opened,
    ClosingSoon,
    Closed,
}

/// `consultation_event`: refresh what depends on the consultation's status and notify
/// subscribers.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ConsultationEventJob {
    pub consultation_id: i64,
    pub event: ConsultationEvent,
}

impl JobPayload for ConsultationEventJob {
    const KIND: &'static str = "consultation_event";
}

/// `aggregate_consultation`: bring a consultation's statistics snapshot up to date.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AggregateJob {
    pub consultation_id: i64,
    /// Recount every comment instead of adding the new ones: needed when a counted comment
    /// changed (moderation hides its words from the public term list).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rebuild: bool,
}

impl JobPayload for AggregateJob {
    const KIND: &'static str = "aggregate_consultation";
}

impl AggregateJob {
    /// Brings the snapshot up to date with the comments received since.
    pub fn update(consultation_id: i64) -> AggregateJob {
        AggregateJob {
            consultation_id,
            rebuild: false,
        }
    }

    /// Recounts the snapshot from every comment.
    pub fn rebuild(consultation_id: i64) -> AggregateJob {
        AggregateJob {
            consultation_id,
            rebuild: true,
        }
    }

    /// One waiting job of each sort per consultation is enough.
    pub fn dedupe_key(&self) -> String {
        if self.rebuild {
            format!("aggregate-rebuild-{}", self.consultation_id)
        } else {
            format!("aggregate-{}", self.consultation_id)
        }
    }
}

/// `refresh_terms`: keep the terms of the comments whose kept terms another version of the
/// segmentation made, or none (stored before terms were kept), in id order from `after_id`, a
/// batch per job. Counting does not wait for it: until then it segments those bodies again.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct RefreshTermsJob {
    pub after_id: i64,
}

impl JobPayload for RefreshTermsJob {
    const KIND: &'static str = "refresh_terms";
}

impl RefreshTermsJob {
    /// One waiting refresh is enough: it carries on from where it is.
    pub const DEDUPE_KEY: &'static str = "refresh-terms";
}

/// `send_mail`: one message to one recipient. Deliveries are recorded by message key, so a
/// message already sent is never sent again, however often the job runs.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum MailJob {
    /// The receipt of a comment, with its tracking number, to its author.
    CommentReceipt { comment_id: i64 },
    /// The link confirming a subscription. The job makes a new secret and stores its hash, so
    /// the secret exists in clear only in the mail.
    SubscriptionConfirm { subscription_id: i64 },
    /// "A consultation you follow opened" or "closes in 3 days", to one subscription.
    ConsultationNotice {
        consultation_id: i64,
        subscription_id: i64,
        event: ConsultationEvent,
    },
    /// "The hearing summary is published", to the author of a comment who asked to be told.
    SummaryPublished { comment_id: i64 },
    /// "A law in force is due for its ex-post evaluation", to one officer of its agency.
    EvaluationDue { law_id: i64, account_id: i64 },
}

impl JobPayload for MailJob {
    const KIND: &'static str = "send_mail";
    const MAX_ATTEMPTS: i32 = 10;
}
