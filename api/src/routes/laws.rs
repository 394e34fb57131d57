use chrono::{DateTime, Utc};
use domain::{service::laws, time::from_datetime};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
};

use super::{LawType, Tag, page, since, time};
use crate::{
    AppState,
    auth::SignedIn,
    body::JsonBody,
    error::{ApiResult, Change, Create, PublicList, PublicRead, PublicReadQuery},
    json::Json,
};

/// An enacted law, evaluated again at least every five years (s.34).
#[derive(Debug, Object, serde::Serialize)]
pub struct Law {
    /// Stable numeric id.
    pub id: i64,
    /// Title in Thai.
    pub title_th: String,
    /// Title in English.
    #[oai(nullable)]
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// When it came into force.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub in_force_since: DateTime<Utc>,
    /// When it was last evaluated, if ever.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub last_evaluated_at: Option<DateTime<Utc>>,
    /// When its next evaluation falls due: five calendar years after coming into force or the last evaluation, the same date and time in Bangkok (29 February gives 28 February).
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub evaluation_due_at: DateTime<Utc>,
    /// When the worker raised the reminder (90 days before the due date); `null` before.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub evaluation_reminded_at: Option<DateTime<Utc>>,
    /// How many people asked for this law to be evaluated before it falls due (s.34).
    pub evaluation_requests: u64,
}

impl Law {
    pub(crate) fn new(l: domain::entity::law_in_force::Model, evaluation_requests: u64) -> Self {
        Law {
            id: l.id,
            title_th: l.title_th,
            title_en: l.title_en,
            law_type: l.law_type.into(),
            in_force_since: time(l.in_force_since),
            last_evaluated_at: l.last_evaluated_at.map(time),
            evaluation_due_at: time(l.evaluation_due_at),
            evaluation_reminded_at: l.evaluation_reminded_at.map(time),
            evaluation_requests,
        }
    }
}

/// A public request to evaluate a law before its five years are up (s.34). Who asked is not
/// shown.
#[derive(Debug, Object, serde::Serialize)]
pub struct EvaluationRequest {
    /// Stable numeric id.
    pub id: i64,
    /// The law to evaluate.
    pub law_id: i64,
    /// Why it should be evaluated now, as the requester wrote it.
    pub reason: String,
    /// When the request was made.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<domain::entity::evaluation_request::Model> for EvaluationRequest {
    fn from(r: domain::entity::evaluation_request::Model) -> Self {
        EvaluationRequest {
            id: r.id,
            law_id: r.law_id,
            reason: r.reason,
            created_at: time(r.created_at),
        }
    }
}

/// A request to evaluate a law early.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateEvaluationRequest {
    /// Why the law should be evaluated before it falls due: at least 20 and at most 5,000
    /// characters. It is published, without your name.
    pub reason: String,
}

/// One page of evaluation requests.
#[derive(Debug, Object, serde::Serialize)]
pub struct EvaluationRequestPage {
    /// The requests on this page, oldest first.
    pub items: Vec<EvaluationRequest>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedEvaluationRequest {
    /// The request was recorded.
    #[oai(status = 201)]
    Created(Json<EvaluationRequest>),
}

/// A law in force to register for its agency.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateLaw {
    /// Title in Thai.
    pub title_th: String,
    /// Title in English.
    #[serde(default)]
    #[oai(nullable)]
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// When it came into force (RFC 3339).
    pub in_force_since: DateTime<Utc>,
    /// When it was last evaluated, if it was.
    #[serde(default)]
    #[oai(nullable)]
    pub last_evaluated_at: Option<DateTime<Utc>>,
}

/// One page of laws in force.
#[derive(Debug, Object, serde::Serialize)]
pub struct LawPage {
    /// The laws on this page, by id.
    pub items: Vec<Law>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedLaw {
    /// The law was registered.
    #[oai(status = 201)]
    Created(Json<Law>),
}

pub struct LawsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Laws")]
impl LawsApi {
    /// Register a law in force of the officer's agency, to schedule its ex-post evaluation.
    #[oai(path = "/laws", method = "post", operation_id = "create_law")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        body: JsonBody<CreateLaw>,
    ) -> ApiResult<CreatedLaw, Create> {
        let b = body.0;
        let law = laws::register(
            &state.ctx.db,
            &auth.0,
            laws::NewLaw {
                title_th: b.title_th,
                title_en: b.title_en,
                law_type: b.law_type.into(),
                in_force_since: from_datetime(b.in_force_since),
                last_evaluated_at: b.last_evaluated_at.map(from_datetime),
            },
        )
        .await?;
        Ok(CreatedLaw::Created(Json(Law::new(law, 0))))
    }

    /// List laws in force; `evaluation_due=true` lists those whose evaluation reminder is raised.
    #[oai(path = "/laws", method = "get", operation_id = "list_laws")]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Only laws whose evaluation falls due within 90 days (or is overdue).
        evaluation_due: Query<Option<bool>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// Only what had a public change at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<LawPage>, PublicList> {
        let p = laws::list(
            &state.ctx.db.conn,
            evaluation_due.0.unwrap_or(false),
            since(updated_since.0),
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        let ids: Vec<i64> = p.items.iter().map(|l| l.id).collect();
        let counts = laws::request_counts(&state.ctx.db.conn, &ids).await?;
        Ok(Json(LawPage {
            items: p
                .items
                .into_iter()
                .map(|l| {
                    let n = counts.get(&l.id).copied().unwrap_or(0);
                    Law::new(l, n)
                })
                .collect(),
            next_cursor: p.next_cursor,
        }))
    }

    /// Get one law in force.
    #[oai(path = "/laws/:id", method = "get", operation_id = "get_law")]
    async fn get(&self, state: Data<&AppState>, id: Path<i64>) -> ApiResult<Json<Law>, PublicRead> {
        let conn = &state.ctx.db.conn;
        let law = laws::get(conn, id.0).await?;
        let n = laws::request_counts(conn, &[law.id])
            .await?
            .get(&law.id)
            .copied()
            .unwrap_or(0);
        Ok(Json(Law::new(law, n)))
    }

    /// Ask for a law to be evaluated before its five years are up, giving a reason (s.34). Any
    /// signed-in person may ask once per law; a second request answers 409 `conflict`.
    #[oai(
        path = "/laws/:id/evaluation-requests",
        method = "post",
        operation_id = "create_evaluation_request"
    )]
    async fn request_evaluation(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<CreateEvaluationRequest>,
    ) -> ApiResult<CreatedEvaluationRequest, Change> {
        let request =
            laws::request_evaluation(&state.ctx.db, &auth.0, id.0, &body.0.reason).await?;
        Ok(CreatedEvaluationRequest::Created(Json(request.into())))
    }

    /// List the public requests to evaluate a law early, oldest first.
    #[oai(
        path = "/laws/:id/evaluation-requests",
        method = "get",
        operation_id = "list_evaluation_requests"
    )]
    async fn evaluation_requests(
        &self,
        state: Data<&AppState>,
        id: Path<i64>,
        /// Only requests made at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<EvaluationRequestPage>, PublicReadQuery> {
        let p = laws::evaluation_requests(
            &state.ctx.db.conn,
            id.0,
            since(updated_since.0),
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(EvaluationRequestPage {
            items: p.items.into_iter().map(EvaluationRequest::from).collect(),
            next_cursor: p.next_cursor,
        }))
    }
}
