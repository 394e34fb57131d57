use chrono::{DateTime, Utc};
use domain::service::agencies::{self, NewAgency};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query};

use super::{Tag, page, since};
use crate::{
    AppState,
    auth::SignedIn,
    body::JsonBody,
    error::{ApiResult, Create, PublicList},
    json::Json,
};

/// A drafting agency.
#[derive(Debug, Object, serde::Serialize)]
pub struct Agency {
    /// Stable numeric id.
    pub id: i64,
    /// Short stable name used in URLs and filters, e.g. `pdpc`.
    pub slug: String,
    /// Name in Thai.
    pub name_th: String,
    /// Name in English, when the agency has one.
    #[oai(nullable)]
    pub name_en: Option<String>,
    /// The ministry the agency belongs to, in Thai.
    #[oai(nullable)]
    pub parent_ministry_th: Option<String>,
    /// The ministry the agency belongs to, in English.
    #[oai(nullable)]
    pub parent_ministry_en: Option<String>,
}

impl From<domain::entity::agency::Model> for Agency {
    fn from(m: domain::entity::agency::Model) -> Self {
        Agency {
            id: m.id,
            slug: m.slug,
            name_th: m.name_th,
            name_en: m.name_en,
            parent_ministry_th: m.parent_ministry_th,
            parent_ministry_en: m.parent_ministry_en,
        }
    }
}

/// A new agency.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateAgency {
    /// Short stable name: 1-40 lowercase letters, digits or hyphens. Cannot be changed later.
    pub slug: String,
    /// Name in Thai.
    pub name_th: String,
    /// Name in English.
    #[serde(default)]
    #[oai(nullable)]
    pub name_en: Option<String>,
    /// The parent ministry, in Thai.
    #[serde(default)]
    #[oai(nullable)]
    pub parent_ministry_th: Option<String>,
    /// The parent ministry, in English.
    #[serde(default)]
    #[oai(nullable)]
    pub parent_ministry_en: Option<String>,
}

/// One page of agencies.
#[derive(Debug, Object, serde::Serialize)]
pub struct AgencyPage {
    /// The agencies on this page, by id.
    pub items: Vec<Agency>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedAgency {
    /// The agency was created.
    #[oai(status = 201)]
    Created(Json<Agency>),
}

pub struct AgenciesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Agencies")]
impl AgenciesApi {
    /// List agencies.
    #[oai(path = "/agencies", method = "get", operation_id = "list_agencies")]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// Only what had a public change at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AgencyPage>, PublicList> {
        let page = agencies::list_agencies(
            &state.ctx.db.conn,
            since(updated_since.0),
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(AgencyPage {
            items: page.items.into_iter().map(Agency::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Create an agency (administrators only).
    #[oai(path = "/agencies", method = "post", operation_id = "create_agency")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        body: JsonBody<CreateAgency>,
    ) -> ApiResult<CreatedAgency, Create> {
        let b = body.0;
        let model = agencies::create_agency(
            &state.ctx.db,
            Some(&auth.0),
            NewAgency {
                slug: b.slug,
                name_th: b.name_th,
                name_en: b.name_en,
                parent_ministry_th: b.parent_ministry_th,
                parent_ministry_en: b.parent_ministry_en,
            },
        )
        .await?;
        Ok(CreatedAgency::Created(Json(model.into())))
    }
}
