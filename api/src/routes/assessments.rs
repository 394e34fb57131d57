use chrono::{DateTime, Utc};
use domain::ids::DraftId;
use domain::{ria::ImpactAssessment as Fields, service::assessments};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path};

use super::{Tag, drafts::Draft, ria_schema::ImpactAssessmentFields, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{Action, ApiResult, Change, PublicRead},
    json::Json,
};

/// A draft's regulatory impact assessment (RIA).
#[derive(Debug, Object, serde::Serialize)]
pub struct ImpactAssessment {
    /// The draft assessed.
    pub draft_id: i64,
    /// `draft` (saved, visible to the agency only) or `published` (final and public).
    pub status: String,
    /// The assessment's structured fields, exactly as saved.
    pub fields: ImpactAssessmentFields,
    /// Cost and benefit totals per bearer (THB): `one_off_costs`, `annual_costs`, `annual_benefits`, `unmonetised_benefits`, `net_annual_thb`.
    pub totals: serde_json::Value,
    /// The published report as sanitised HTML; `null` until published.
    #[oai(nullable)]
    pub html: Option<String>,
    /// SHA-256 of the published report's Markdown; `null` until published.
    #[oai(nullable)]
    pub content_hash: Option<String>,
    /// When it was last saved.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub published_at: Option<DateTime<Utc>>,
}

/// Between the API's schema type and the domain's (same JSON shape).
fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> domain::DomainResult<B> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| domain::DomainError::Internal(e.into()))
}

pub(crate) fn out(a: assessments::Assessment) -> domain::DomainResult<ImpactAssessment> {
    let r = a.row;
    Ok(ImpactAssessment {
        draft_id: r.draft_id,
        status: if r.published_at.is_some() {
            "published"
        } else {
            "draft"
        }
        .into(),
        fields: convert(&a.fields)?,
        totals: serde_json::to_value(a.fields.totals())
            .map_err(|e| domain::DomainError::Internal(e.into()))?,
        html: r.body_html,
        content_hash: r.content_hash,
        updated_at: time(r.updated_at),
        published_at: r.published_at.map(time),
    })
}

pub struct AssessmentsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Drafts")]
impl AssessmentsApi {
    /// Get a draft's regulatory impact assessment: published ones for everyone, a saved draft
    /// for the drafting agency.
    #[oai(
        path = "/drafts/:id/impact-assessment",
        method = "get",
        operation_id = "get_impact_assessment"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<ImpactAssessment>, PublicRead> {
        Ok(Json(out(assessments::get(
            &state.ctx.db.conn,
            auth.actor(),
            DraftId(id.0),
        )
        .await?)?))
    }

    /// Save a draft's regulatory impact assessment (officers of the draft's agency), replacing
    /// the saved draft of it. Every problem is reported with its field path.
    #[oai(
        path = "/drafts/:id/impact-assessment",
        method = "put",
        operation_id = "save_impact_assessment"
    )]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<ImpactAssessmentFields>,
    ) -> ApiResult<Json<ImpactAssessment>, Change> {
        let fields: Fields = convert(&body.0)?;
        Ok(Json(out(assessments::save(
            &state.ctx.db,
            &auth.0,
            DraftId(id.0),
            fields,
            None,
        )
        .await?)?))
    }

    /// Publish the saved assessment as a final report (officers of the draft's agency).
    /// Refused with `invalid_state` (409) when none has been saved yet, or it is already
    /// published.
    #[oai(
        path = "/drafts/:id/impact-assessment/publish",
        method = "post",
        operation_id = "publish_impact_assessment"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<ImpactAssessment>, Action> {
        Ok(Json(out(assessments::publish(
            &state.ctx.db,
            &auth.0,
            DraftId(id.0),
        )
        .await?)?))
    }

    /// Submit the draft (status `submitted`). Refused with `invalid_state` until every hearing
    /// summary and the impact assessment are published.
    #[oai(
        path = "/drafts/:id/submit",
        method = "post",
        operation_id = "submit_draft"
    )]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Draft>, Action> {
        Ok(Json(
            assessments::submit(&state.ctx.db, &auth.0, DraftId(id.0))
                .await?
                .into(),
        ))
    }
}
