use chrono::{DateTime, Utc};
use domain::{
    ids::{ConsultationId, DraftId},
    service::consultations::{
        self, ConsultationFilter, ConsultationView, NewConsultation, NewDates, NewQuestion,
    },
    time::from_datetime,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
};

use super::{ConsultationKind, ConsultationStatus, QuestionKind, Tag, page, since, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{ApiResult, HearingChange, PublicList, PublicRead},
    json::Json,
};

/// A question asked in a consultation.
#[derive(Debug, Object, serde::Serialize)]
pub struct Question {
    /// Id to answer it by: `q1`, `q2`...
    pub id: String,
    pub kind: QuestionKind,
    /// The question in Thai.
    pub prompt_th: String,
    /// The question in English.
    #[oai(nullable)]
    pub prompt_en: Option<String>,
    /// The options of a choice question; empty for other kinds.
    pub options: Vec<String>,
    /// Whether a comment must answer it.
    pub required: bool,
}

/// A question for a new consultation.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateQuestion {
    pub kind: QuestionKind,
    /// The question in Thai (required).
    pub prompt_th: String,
    /// The question in English.
    #[serde(default)]
    #[oai(nullable)]
    pub prompt_en: Option<String>,
    /// 2 to 30 options for choice questions; leave out for `scale` and `text`.
    #[serde(default)]
    #[oai(default)]
    pub options: Vec<String>,
    /// Whether every comment must answer it (default false).
    #[serde(default)]
    #[oai(default)]
    pub required: bool,
}

/// A public hearing on a draft.
#[derive(Debug, Object, serde::Serialize)]
pub struct Consultation {
    /// Stable numeric id.
    pub id: i64,
    /// The draft consulted on.
    pub draft_id: i64,
    /// The version of the draft the hearing is about.
    pub version_number: i32,
    /// The draft's Thai title.
    pub draft_title_th: String,
    /// The draft's English title.
    #[oai(nullable)]
    pub draft_title_en: Option<String>,
    /// Slug of the agency holding the hearing.
    pub agency: String,
    pub kind: ConsultationKind,
    pub status: ConsultationStatus,
    /// Comments are accepted from this time...
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub opens_at: DateTime<Utc>,
    /// ...until just before this time, by the server's clock at receipt.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub closes_at: DateTime<Utc>,
    /// When these dates were announced: when the consultation was created, or when its dates
    /// were last changed before it opened. Always before `opens_at` (up to a few minutes'
    /// clock skew).
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub announced_at: DateTime<Utc>,
    /// Why the hearing is shorter than the 15 days the law expects, when it is.
    #[oai(nullable)]
    pub short_period_reason: Option<String>,
    /// The questionnaire.
    pub questions: Vec<Question>,
    /// Stakeholders the agency invited (organisations, groups).
    pub invited_stakeholders: Vec<String>,
}

impl From<ConsultationView> for Consultation {
    fn from(v: ConsultationView) -> Self {
        let c = v.consultation;
        Consultation {
            id: c.id,
            draft_id: c.draft_id,
            version_number: c.version_number,
            draft_title_th: v.draft_title_th,
            draft_title_en: v.draft_title_en,
            agency: v.agency_slug,
            kind: c.kind.into(),
            status: v.status.into(),
            opens_at: time(c.opens_at),
            closes_at: time(c.closes_at),
            announced_at: time(c.announced_at.unwrap_or(c.created_at)),
            short_period_reason: c.short_period_reason,
            questions: c
                .questions
                .0
                .into_iter()
                .map(|q| Question {
                    id: q.id,
                    kind: q.kind.into(),
                    prompt_th: q.prompt_th,
                    prompt_en: q.prompt_en,
                    options: q.options,
                    required: q.required,
                })
                .collect(),
            invited_stakeholders: c.invited_stakeholders.0,
        }
    }
}

/// A new consultation on a published draft.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateConsultation {
    pub kind: ConsultationKind,
    /// When comments start to be accepted (RFC 3339).
    pub opens_at: DateTime<Utc>,
    /// When comments stop being accepted (RFC 3339); at least 15 days after `opens_at`
    /// unless `short_period_reason` is given.
    pub closes_at: DateTime<Utc>,
    /// The version consulted on; defaults to the current version.
    #[serde(default)]
    #[oai(nullable)]
    pub version: Option<i32>,
    /// The questionnaire, up to 50 questions.
    #[serde(default)]
    #[oai(default)]
    pub questions: Vec<CreateQuestion>,
    /// Stakeholders the agency invites.
    #[serde(default)]
    #[oai(default)]
    pub invited_stakeholders: Vec<String>,
    /// Required for a hearing shorter than 15 days; published with the consultation.
    #[serde(default)]
    #[oai(nullable)]
    pub short_period_reason: Option<String>,
}

/// New dates for a consultation that has not opened yet.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RescheduleConsultation {
    /// When comments start to be accepted (RFC 3339); not earlier than now.
    pub opens_at: DateTime<Utc>,
    /// When comments stop being accepted (RFC 3339); in the future, and at least 15 days after
    /// `opens_at` unless a reason for a shorter period is given or already stored.
    pub closes_at: DateTime<Utc>,
    /// Replaces the stored reason for a period under 15 days; leave out to keep it.
    #[serde(default)]
    #[oai(nullable)]
    pub short_period_reason: Option<String>,
}

/// One page of consultations.
#[derive(Debug, Object, serde::Serialize)]
pub struct ConsultationPage {
    /// The consultations on this page, by id.
    pub items: Vec<Consultation>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedConsultation {
    /// The consultation was created.
    #[oai(status = 201)]
    Created(Json<Consultation>),
}

pub struct ConsultationsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Consultations")]
impl ConsultationsApi {
    /// Open a consultation on a draft (officers of the draft's agency, administrators).
    #[oai(
        path = "/drafts/:id/consultations",
        method = "post",
        operation_id = "create_consultation"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<CreateConsultation>,
    ) -> ApiResult<CreatedConsultation, HearingChange> {
        let b = body.0;
        let input = NewConsultation {
            kind: b.kind.into(),
            opens_at: from_datetime(b.opens_at),
            closes_at: from_datetime(b.closes_at),
            version: b.version,
            questions: b
                .questions
                .into_iter()
                .map(|q| NewQuestion {
                    kind: q.kind.into(),
                    prompt_th: q.prompt_th,
                    prompt_en: q.prompt_en,
                    options: q.options,
                    required: q.required,
                })
                .collect(),
            invited_stakeholders: b.invited_stakeholders,
            short_period_reason: b.short_period_reason,
        };
        let view = consultations::create_consultation(&state.ctx.db, &auth.0, DraftId(id.0), input)
            .await?;
        Ok(CreatedConsultation::Created(Json(view.into())))
    }

    /// Change the dates of a consultation that has not opened yet (officers of the draft's
    /// agency, administrators). The new dates are announced again (`announced_at`); the dates
    /// of a hearing that has opened, closed or concluded never change (`invalid_state`).
    #[oai(
        path = "/consultations/:id",
        method = "patch",
        operation_id = "reschedule_consultation"
    )]
    async fn reschedule(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<RescheduleConsultation>,
    ) -> ApiResult<Json<Consultation>, HearingChange> {
        let b = body.0;
        let dates = NewDates {
            opens_at: from_datetime(b.opens_at),
            closes_at: from_datetime(b.closes_at),
            short_period_reason: b.short_period_reason,
        };
        let view = consultations::reschedule_consultation(
            &state.ctx.db,
            &auth.0,
            ConsultationId(id.0),
            dates,
        )
        .await?;
        Ok(Json(view.into()))
    }

    /// List consultations, oldest first.
    #[oai(
        path = "/consultations",
        method = "get",
        operation_id = "list_consultations"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        /// Only consultations with this status (by the server clock now).
        status: Query<Option<ConsultationStatus>>,
        /// Only consultations of this agency (slug).
        agency: Query<Option<String>>,
        /// Only consultations of this kind.
        kind: Query<Option<ConsultationKind>>,
        /// Only consultations on this draft.
        draft_id: Query<Option<i64>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// Only what had a public change at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ConsultationPage>, PublicList> {
        let filter = ConsultationFilter {
            status: status.0.map(Into::into),
            agency: agency.0,
            kind: kind.0.map(Into::into),
            draft_id: draft_id.0.map(DraftId),
            updated_since: since(updated_since.0),
            ..Default::default()
        };
        let page = consultations::list_consultations(
            &state.ctx.db.conn,
            auth.actor(),
            filter,
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(ConsultationPage {
            items: page.items.into_iter().map(Consultation::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Get a consultation.
    #[oai(
        path = "/consultations/:id",
        method = "get",
        operation_id = "get_consultation"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Consultation>, PublicRead> {
        Ok(Json(
            consultations::get_consultation(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0))
                .await?
                .into(),
        ))
    }
}
