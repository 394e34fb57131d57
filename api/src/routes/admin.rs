use chrono::{DateTime, Utc};
use domain::{jobs, service::integrity};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
};

use super::{Tag, page, time};
use crate::{
    AppState,
    auth::SignedIn,
    error::{Action, ApiResult, RestrictedAction, RestrictedList, RestrictedRead},
    json::Json,
};

/// A background job (indexing, statistics, mail...).
#[derive(Debug, Object, serde::Serialize)]
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
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub run_at: DateTime<Utc>,
    /// The error of the last failed attempt.
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// When the job was created.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When the job last changed.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<domain::entity::job::Model> for Job {
    fn from(j: domain::entity::job::Model) -> Self {
        Job {
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            state: j.state.to_string(),
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
#[derive(Debug, Object, serde::Serialize)]
pub struct JobPage {
    /// The jobs on this page, by id.
    pub items: Vec<Job>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
    /// The last verification of the audit trail and the published documents (the same as
    /// `get_integrity`); `null` if none has run yet.
    #[oai(nullable)]
    pub last_integrity_check: Option<IntegrityCheck>,
}

/// Something found changed by an integrity check.
#[derive(Debug, Object, serde::Serialize)]
pub struct IntegrityProblem {
    /// `audit_event`, `audit_chain_head`, `hearing_summary` (a published report) or
    /// `impact_assessment`.
    pub kind: String,
    /// The id of that row (for `audit_chain_head`, always 1).
    pub id: i64,
    /// What the row is about: for an audit event its action and entity, such as
    /// `draft.update on draft 3`; for a document the consultation or draft it belongs to.
    pub subject: String,
    /// What is wrong, in English.
    pub message: String,
}

/// One run of the integrity verification (`rabfang audit verify`, or the worker's daily run):
/// the audit trail's hash chain is walked, and every published hearing summary and impact
/// assessment is checked against its content hash.
#[derive(Debug, Object, serde::Serialize)]
pub struct IntegrityCheck {
    /// When the check began.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub started_at: DateTime<Utc>,
    /// When the check ended.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub finished_at: DateTime<Utc>,
    /// Who or what ran it: `command line` (`rabfang audit verify`), `worker (daily)`, or
    /// `worker, asked by account N` (`verify_integrity`).
    pub checked_by: String,
    /// `true` when nothing was found changed.
    pub ok: bool,
    /// Audit events walked.
    pub events_verified: i64,
    /// Audit events that do not match their hash or do not link to the one before.
    pub broken_events: i64,
    /// Published hearing summaries and impact assessments checked.
    pub documents_checked: i64,
    /// The first problem found, as a sentence (the first broken audit event, if any, comes
    /// first); `null` when `ok`.
    #[oai(nullable)]
    pub first_problem: Option<String>,
    /// The problems found (at most 100), in the order found.
    pub problems: Vec<IntegrityProblem>,
}

impl From<domain::entity::integrity_check::Model> for IntegrityCheck {
    fn from(c: domain::entity::integrity_check::Model) -> Self {
        let problems = c
            .problems
            .0
            .into_iter()
            .map(|p| IntegrityProblem {
                kind: p.kind,
                id: p.id,
                subject: p.subject,
                message: p.message,
            })
            .collect();
        IntegrityCheck {
            started_at: time(c.started_at),
            finished_at: time(c.finished_at),
            checked_by: c.checked_by,
            ok: c.ok,
            events_verified: c.events_verified,
            broken_events: c.broken_events,
            documents_checked: c.documents_checked,
            first_problem: c.first_problem,
            problems,
        }
    }
}

/// The last integrity verification, if any.
#[derive(Debug, Object, serde::Serialize)]
pub struct IntegrityStatus {
    /// The latest run; `null` if none has run yet.
    #[oai(nullable)]
    pub last_check: Option<IntegrityCheck>,
}

#[derive(ApiResponse)]
pub enum VerificationQueued {
    /// The worker will verify shortly; see `get_integrity` for the result.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
pub enum ExportQueued {
    /// The worker will write the export shortly; `list_exports` shows it once published.
    #[oai(status = 202)]
    Accepted,
}

pub struct AdminApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Admin")]
impl AdminApi {
    /// List background jobs (administrators), e.g. `state=failed` to see what needs attention,
    /// with the result of the last integrity verification.
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
    ) -> ApiResult<Json<JobPage>, RestrictedList> {
        let page = jobs::list_jobs(
            &state.ctx.db.conn,
            Some(&auth.0),
            job_state
                .0
                .as_deref()
                .map(|s| {
                    domain::types::JobState::parse(s).ok_or_else(|| {
                        domain::DomainError::invalid(
                            "state",
                            "invalid_value",
                            "state is one of pending, running, done, failed",
                        )
                    })
                })
                .transpose()?,
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        let last = integrity::last_check(&state.ctx.db.conn, Some(&auth.0)).await?;
        Ok(Json(JobPage {
            items: page.items.into_iter().map(Job::from).collect(),
            next_cursor: page.next_cursor,
            last_integrity_check: last.map(IntegrityCheck::from),
        }))
    }

    /// The result of the last integrity verification (administrators): whether the audit
    /// trail's hash chain and the published hearing summaries and impact assessments were found
    /// as written, and if not, what broke first. `rabfang audit verify` runs it, and the worker
    /// runs it daily.
    #[oai(
        path = "/admin/integrity",
        method = "get",
        operation_id = "get_integrity"
    )]
    async fn integrity(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
    ) -> ApiResult<Json<IntegrityStatus>, RestrictedRead> {
        let last = integrity::last_check(&state.ctx.db.conn, Some(&auth.0)).await?;
        Ok(Json(IntegrityStatus {
            last_check: last.map(IntegrityCheck::from),
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
    ) -> ApiResult<Json<Job>, Action> {
        Ok(Json(
            jobs::retry_job(&state.ctx.db, Some(&auth.0), id.0)
                .await?
                .into(),
        ))
    }

    /// Ask the worker to verify the audit trail and the published documents now
    /// (administrators). The result appears in `get_integrity` and beside the job list once the
    /// worker has run it; a verification already waiting or running answers the request.
    #[oai(
        path = "/admin/integrity/verify",
        method = "post",
        operation_id = "verify_integrity"
    )]
    async fn verify_integrity(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
    ) -> ApiResult<VerificationQueued, RestrictedAction> {
        integrity::request_verification(&state.ctx.db, Some(&auth.0)).await?;
        Ok(VerificationQueued::Accepted)
    }

    /// Ask the worker to write a new export of a dataset now (administrators): `site`, or
    /// `consultation-{id}`. Exports are also written daily (`site`) and when a consultation
    /// closes or its summary is published; an export already waiting answers the request.
    #[oai(
        path = "/admin/exports/:dataset",
        method = "post",
        operation_id = "request_export"
    )]
    async fn request_export(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        /// `site` or `consultation-{id}`.
        dataset: Path<String>,
    ) -> ApiResult<ExportQueued, Action> {
        if auth.0.role != domain::types::Role::Admin {
            return Err(
                domain::DomainError::Forbidden("only administrators start exports".into()).into(),
            );
        }
        let scope = domain::export::Scope::parse(&dataset.0)
            .ok_or(domain::DomainError::NotFound("dataset"))?;
        domain::export::request(&state.ctx.db, Some(&auth.0), scope).await?;
        Ok(ExportQueued::Accepted)
    }
}
