//! `GET /api/v1/changes`: the change feed (see `domain::service::changes`).

use domain::service::changes::{self, ChangePage, ObjectType, State};
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Query};

use super::{
    Tag, agencies::Agency, assessments::ImpactAssessment, comments::Comment,
    consultations::Consultation, dispositions::Disposition, drafts::Draft, drafts::Version,
    laws::Law, reports::Report, time,
};
use crate::{
    AppState,
    error::{ApiResult, PublicList},
    json::Json,
};

/// What kind of object changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ChangedObjectType {
    Agency,
    Draft,
    Version,
    Consultation,
    Comment,
    Disposition,
    HearingSummary,
    ImpactAssessment,
    Law,
}

impl From<ObjectType> for ChangedObjectType {
    fn from(t: ObjectType) -> Self {
        match t {
            ObjectType::Agency => ChangedObjectType::Agency,
            ObjectType::Draft => ChangedObjectType::Draft,
            ObjectType::Version => ChangedObjectType::Version,
            ObjectType::Consultation => ChangedObjectType::Consultation,
            ObjectType::Comment => ChangedObjectType::Comment,
            ObjectType::Disposition => ChangedObjectType::Disposition,
            ObjectType::HearingSummary => ChangedObjectType::HearingSummary,
            ObjectType::ImpactAssessment => ChangedObjectType::ImpactAssessment,
            ObjectType::Law => ChangedObjectType::Law,
        }
    }
}

/// One change to public data. Exactly one of the object fields (the one `object_type` names)
/// holds the object's public state now; when `removed` is true, none does: the object is no
/// longer public (a comment hidden by moderation, say), and a copy should drop it.
#[derive(Debug, Object, serde::Serialize)]
pub struct ChangeItem {
    /// This change's position in the feed (pass the last one you processed as `after`).
    pub cursor: String,
    pub object_type: ChangedObjectType,
    /// The object's id as the API names it: a number, or for a version `draft_id/number`
    /// (`12/3`); a hearing summary is named by its consultation's id.
    pub object_id: String,
    /// When the change was committed.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// The object is no longer public: drop it.
    pub removed: bool,
    /// The agency, when `object_type` is `agency`.
    #[oai(nullable)]
    pub agency: Option<Agency>,
    /// The draft, when `object_type` is `draft`.
    #[oai(nullable)]
    pub draft: Option<Draft>,
    /// The published version, when `object_type` is `version`.
    #[oai(nullable)]
    pub version: Option<Version>,
    /// The consultation, when `object_type` is `consultation`.
    #[oai(nullable)]
    pub consultation: Option<Consultation>,
    /// The published comment, when `object_type` is `comment`.
    #[oai(nullable)]
    pub comment: Option<Comment>,
    /// The agency's response, when `object_type` is `disposition`.
    #[oai(nullable)]
    pub disposition: Option<Disposition>,
    /// The published hearing summary, when `object_type` is `hearing_summary`.
    #[oai(nullable)]
    pub hearing_summary: Option<Report>,
    /// The published impact assessment, when `object_type` is `impact_assessment`.
    #[oai(nullable)]
    pub impact_assessment: Option<ImpactAssessment>,
    /// The law in force, when `object_type` is `law`.
    #[oai(nullable)]
    pub law: Option<Law>,
}

/// A read of the change feed.
#[derive(Debug, Object, serde::Serialize)]
pub struct ChangeFeed {
    /// The changes, in the order they were committed.
    pub items: Vec<ChangeItem>,
    /// Pass as `after` to read on. Always set: at the end of the feed it is where new changes
    /// will appear, so keep it and ask again later.
    pub next_cursor: String,
    /// Whether more changes are already waiting after `next_cursor` (read on at once);
    /// `false` means you are up to date.
    pub has_more: bool,
}

fn item(base: &str, c: changes::Change) -> domain::DomainResult<ChangeItem> {
    let mut out = ChangeItem {
        cursor: c.cursor.to_string(),
        object_type: c.object_type.into(),
        object_id: c.object_id,
        changed_at: time(c.changed_at),
        removed: c.state.is_none(),
        agency: None,
        draft: None,
        version: None,
        consultation: None,
        comment: None,
        disposition: None,
        hearing_summary: None,
        impact_assessment: None,
        law: None,
    };
    match c.state {
        None => {}
        Some(State::Agency(a)) => out.agency = Some(a.into()),
        Some(State::Draft(d)) => out.draft = Some(d.into()),
        Some(State::Version(v)) => out.version = Some(v.into()),
        Some(State::Consultation(v)) => out.consultation = Some(v.into()),
        Some(State::Comment(p)) => out.comment = Some(p.try_into()?),
        Some(State::Disposition(d)) => out.disposition = Some(d.into()),
        Some(State::HearingSummary(r)) => {
            out.hearing_summary = Some(super::reports::out(base, r)?);
        }
        Some(State::ImpactAssessment(a)) => {
            out.impact_assessment = Some(super::assessments::out(*a)?);
        }
        Some(State::Law(l, requests)) => out.law = Some(Law::new(l, requests)),
    }
    Ok(out)
}

pub struct ChangesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Changes")]
impl ChangesApi {
    /// Every change to public data since a cursor, in the order the changes were committed:
    /// agencies, drafts, versions, consultations, published comments, the agencies'
    /// responses, hearing summaries, impact assessments and laws in force. Start with no
    /// `after` (or `0`), then pass `next_cursor` each time; a reader that does never misses a
    /// change and never sees one twice, whatever other servers or processes write meanwhile.
    /// Each change carries the object's public state as it is now (so an object changed twice
    /// shows its latest state twice), or `removed` when it is no longer public.
    #[oai(path = "/changes", method = "get", operation_id = "list_changes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// The `next_cursor` (or an item's `cursor`) you processed last; leave out to start
        /// from the beginning.
        after: Query<Option<String>>,
        /// Changes per read, 1 to 1000 (default 100). A read may hold fewer, even none with
        /// `has_more` true, when the events it looked at changed nothing public; and it holds
        /// at most 25 whole texts (published versions, hearing summaries, impact
        /// assessments), each the whole document.
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<ChangeFeed>, PublicList> {
        let after = match after.0.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(c) => c.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                domain::DomainError::invalid(
                    "after",
                    "invalid_value",
                    "after is not a cursor this feed gave",
                )
            })?,
        };
        let limit = match limit.0 {
            None => changes::DEFAULT_LIMIT,
            Some(n) if (1..=changes::MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => {
                return Err(domain::DomainError::invalid(
                    "limit",
                    "out_of_range",
                    format!("limit must be between 1 and {}", changes::MAX_LIMIT),
                )
                .into());
            }
        };
        let ChangePage { items, next, more } =
            changes::page(&state.ctx.db.conn, after, limit).await?;
        let base = &state.ctx.settings.public_url;
        Ok(Json(ChangeFeed {
            items: items
                .into_iter()
                .map(|c| item(base, c))
                .collect::<domain::DomainResult<_>>()?,
            next_cursor: next.to_string(),
            has_more: more,
        }))
    }
}
