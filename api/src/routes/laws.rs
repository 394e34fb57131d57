use chrono::{DateTime, Utc};
use domain::{service::laws, time::from_datetime};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Json};

use super::{LawType, Tag, page, time};
use crate::{AppState, auth::SignedIn, body::JsonBody, error::ApiResult};

/// An enacted law, evaluated again at least every five years (s.34).
#[derive(Debug, Object)]
pub struct Law {
    /// Stable numeric id.
    pub id: i64,
    /// Title in Thai.
    pub title_th: String,
    /// Title in English.
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// When it came into force.
    pub in_force_since: DateTime<Utc>,
    /// When it was last evaluated, if ever.
    pub last_evaluated_at: Option<DateTime<Utc>>,
    /// When its next evaluation falls due (five years after coming into force or the last evaluation).
    pub evaluation_due_at: DateTime<Utc>,
    /// When the worker raised the reminder (90 days before the due date); `null` before.
    pub evaluation_reminded_at: Option<DateTime<Utc>>,
}

impl From<domain::entity::law_in_force::Model> for Law {
    fn from(l: domain::entity::law_in_force::Model) -> Self {
        Law {
            id: l.id,
            title_th: l.title_th,
            title_en: l.title_en,
            law_type: LawType::from_stored(&l.law_type),
            in_force_since: time(l.in_force_since),
            last_evaluated_at: l.last_evaluated_at.map(time),
            evaluation_due_at: time(l.evaluation_due_at),
            evaluation_reminded_at: l.evaluation_reminded_at.map(time),
        }
    }
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
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// When it came into force (RFC 3339).
    pub in_force_since: DateTime<Utc>,
    /// When it was last evaluated, if it was.
    #[serde(default)]
    pub last_evaluated_at: Option<DateTime<Utc>>,
}

/// One page of laws in force.
#[derive(Debug, Object)]
pub struct LawPage {
    /// The laws on this page, by id.
    pub items: Vec<Law>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
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
    ) -> ApiResult<CreatedLaw> {
        let b = body.0;
        let law = laws::register(
            &state.ctx.db,
            &auth.0,
            laws::NewLaw {
                title_th: b.title_th,
                title_en: b.title_en,
                law_type: b.law_type.as_str().into(),
                in_force_since: from_datetime(b.in_force_since),
                last_evaluated_at: b.last_evaluated_at.map(from_datetime),
            },
        )
        .await?;
        Ok(CreatedLaw::Created(Json(law.into())))
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
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<LawPage>> {
        let p = laws::list(
            &state.ctx.db.conn,
            evaluation_due.0.unwrap_or(false),
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(LawPage {
            items: p.items.into_iter().map(Law::from).collect(),
            next_cursor: p.next_cursor,
        }))
    }
}
