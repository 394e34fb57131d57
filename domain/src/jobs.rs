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

/// Adds a job to run now, inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait, J: JobPayload>(conn: &C, job: &J) -> DomainResult<i64> {
    let now = now_ms();
    let result = job::Entity::insert(job::ActiveModel {
        kind: Set(J::KIND.into()),
        payload: Set(serde_json::to_string(job).map_err(anyhow::Error::from)?),
        dedupe_key: Set(None),
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
    .exec(conn)
    .await?;
    Ok(result.last_insert_id)
}
