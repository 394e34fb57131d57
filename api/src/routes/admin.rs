use chrono::{DateTime, Utc};
use domain::jobs;
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use super::{Tag, page, time};
use crate::{AppState, auth::SignedIn, error::ApiResult};

/// A background job (indexing, statistics, mail...).
#[derive(Debug, Object)]
pub struct Job {
    /// Stable numeric id.
    pub id: i64,
    /// The job's kind, e.g. `search_index`. Kinds are never renamed.
    pub kind: String,
    /// What the job works on, as JSON (ids only; never personal data).
    pub payload: String,
    /// `pending`, `running`, `done` or `failed` (gave up after `max_attempts`).
    pub state: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Attempts before the job is marked `failed`.
    pub max_attempts: i32,
    /// When the job runs next (for pending jobs).
    pub run_at: DateTime<Utc>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When the job was created.
    pub created_at: DateTime<Utc>,
    /// When the job last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<domain::entity::job::Model> for Job {
    fn from(j: domain::entity::job::Model) -> Self {
        Job {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: time(j.run_at),
            last_error: j.last_error,
            created_at: time(j.created_at),
            updated_at: time(j.updated_at),
        }
    }
}

/// One page of jobs.
#[derive(Debug, Object)]
pub struct JobPage {
    /// The jobs on this page, by id.
    pub items: Vec<Job>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

pub struct AdminApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Admin")]
impl AdminApi {
    /// List background jobs (administrators), e.g. `state=failed` to see what needs attention.
    #[oai(path = "/admin/jobs", method = "get", operation_id = "list_jobs")]
    async fn list_jobs(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        /// Only jobs in this state: `pending`, `running`, `done` or `failed`.
        #[oai(name = "state")]
        job_state: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<JobPage>> {
        let page = jobs::list_jobs(
            &state.ctx.db.conn,
            Some(&auth.0),
            job_state.0.as_deref(),
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(JobPage {
            items: page.items.into_iter().map(Job::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Put a failed job back in the queue (administrators).
    #[oai(
        path = "/admin/jobs/:id/retry",
        method = "post",
        operation_id = "retry_job"
    )]
    async fn retry_job(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Job>> {
        Ok(Json(
            jobs::retry_job(&state.ctx.db, Some(&auth.0), id.0)
                .await?
                .into(),
        ))
    }
}
