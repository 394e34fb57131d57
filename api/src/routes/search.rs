use chrono::{DateTime, Utc};
use domain::{
    DomainError,
    error::FieldError,
    search::{DocKind, SearchFilter, SearchIndex, SearchQuery},
    time::from_datetime,
};
use poem::{Request, web::Data};
use poem_openapi::{Enum, Object, OpenApi, param::Query};

use super::{LawType, Stance, Tag};
use crate::{
    AppState,
    error::{ApiResult, PublicSearch},
    json::Json,
};

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Draft,
    Provision,
    Consultation,
    Comment,
}

impl From<SearchKind> for DocKind {
    fn from(k: SearchKind) -> DocKind {
        match k {
            SearchKind::Draft => DocKind::Draft,
            SearchKind::Provision => DocKind::Provision,
            SearchKind::Consultation => DocKind::Consultation,
            SearchKind::Comment => DocKind::Comment,
        }
    }
}

impl From<DocKind> for SearchKind {
    fn from(k: DocKind) -> SearchKind {
        match k {
            DocKind::Draft => SearchKind::Draft,
            DocKind::Provision => SearchKind::Provision,
            DocKind::Consultation => SearchKind::Consultation,
            DocKind::Comment => SearchKind::Comment,
        }
    }
}

/// One search result.
#[derive(Debug, Object, serde::Serialize)]
pub struct SearchHit {
    /// The document's search id, e.g. `draft-12`, `provision-12-s5`, `consultation-4`, `comment-991`.
    pub id: String,
    pub kind: SearchKind,
    /// The draft the hit belongs to.
    pub draft_id: i64,
    /// The consultation, for consultations and comments.
    #[oai(nullable)]
    pub consultation_id: Option<i64>,
    /// The provision's stable id, for provision hits and comments on a provision.
    #[oai(nullable)]
    pub provision_id: Option<String>,
    /// The hit's title (a draft title, a provision's label and heading).
    pub title: String,
    /// An extract of the matching text. HTML-escaped; matches are wrapped in `<mark>` and `</mark>`.
    pub snippet: String,
    /// Relevance; higher is better. Comparable only within one answer.
    #[serde(serialize_with = "crate::json::f32_wide")]
    pub score: f32,
}

/// A value of a facet and how many matching documents have it.
#[derive(Debug, Object, serde::Serialize)]
pub struct FacetCount {
    /// The value (an agency slug, a law type, a status or a topic).
    pub value: String,
    /// Number of matching documents with that value.
    pub count: u64,
}

/// Counts of all matching documents (not only this page) per agency, law type, status and topic.
#[derive(Debug, Object, serde::Serialize)]
pub struct SearchFacets {
    /// By agency slug.
    pub agency: Vec<FacetCount>,
    /// By law type.
    pub law_type: Vec<FacetCount>,
    /// By status (a draft's status for drafts and provisions, a consultation's for consultations and comments).
    pub status: Vec<FacetCount>,
    /// By topic.
    pub topic: Vec<FacetCount>,
}

/// Search results, best first.
#[derive(Debug, Object, serde::Serialize)]
pub struct SearchPage {
    /// The hits on this page.
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` to get the next page; `null` on the last page, or where paging stops
    /// (see `truncated`).
    #[oai(nullable)]
    pub next_cursor: Option<String>,
    /// Number of matching documents.
    pub total: u64,
    /// More documents match than paging reaches: paging stops after the first 10,000 results.
    /// To get the rest, narrow the query (by `kind`, `agency`, `consultation_id`, or a date
    /// range with `from` and `to`, and page through each part), or read everything public
    /// through the change feed (`GET /api/v1/changes`).
    pub truncated: bool,
    pub facets: SearchFacets,
}

const QUERY_PARAMS: &[&str] = &[
    "q",
    "kind",
    "agency",
    "status",
    "law_type",
    "topic",
    "draft_id",
    "consultation_id",
    "stance",
    "from",
    "to",
    "limit",
    "cursor",
];
const MAX_LIMIT: i64 = 100;
/// How deep paging goes: results past the first 10,000 are not paged to (Meilisearch's
/// `maxTotalHits`, and the embedded index alike); `truncated` says when some are left.
const MAX_DEPTH: usize = 10_000;

/// Refuses query parameters this operation does not know (a misspelt filter must not be
/// silently ignored).
fn reject_unknown_params(req: &Request) -> Result<(), DomainError> {
    let unknown: Vec<FieldError> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split('=').next())
        .filter(|k| !QUERY_PARAMS.contains(k))
        .map(|k| {
            FieldError::new(
                k,
                "unknown_field",
                format!(
                    "`{k}` is not a parameter of search; known: {}",
                    QUERY_PARAMS.join(", ")
                ),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(unknown))
    }
}

fn facet(map: std::collections::BTreeMap<String, u64>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = map
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v
}

pub struct SearchApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Search")]
impl SearchApi {
    /// Search public drafts, provisions, consultations and comments, in Thai or English.
    ///
    /// Thai text is segmented into words (and matched inside compound words), Thai and Arabic
    /// digits match each other, and small typos in longer English words are tolerated. Only
    /// public content is searchable. Filters combine with AND; the values of one repeated filter with OR.
    #[oai(path = "/search", method = "get", operation_id = "search")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        state: Data<&AppState>,
        req: &Request,
        /// The words to look for. Empty lists every document passing the filters, newest first.
        q: Query<Option<String>>,
        /// Only hits of these kinds (repeat the parameter for several).
        #[oai(default)]
        kind: Query<Vec<SearchKind>>,
        /// Only these agencies (slugs; repeat the parameter for several: any of them matches).
        #[oai(default)]
        agency: Query<Vec<String>>,
        /// Only this status: a draft status for drafts and provisions, a consultation status for consultations and comments.
        status: Query<Option<String>>,
        /// Only these law types (repeat the parameter for several: any of them matches).
        #[oai(default)]
        law_type: Query<Vec<LawType>>,
        /// Only these topics (repeat the parameter for several: a document with any of them matches).
        #[oai(default)]
        topic: Query<Vec<String>>,
        /// Only documents of this draft.
        draft_id: Query<Option<i64>>,
        /// Only documents of this consultation (the consultation and its comments).
        consultation_id: Query<Option<i64>>,
        /// Only comments with this stance.
        stance: Query<Option<Stance>>,
        /// Only documents dated at or after this time (a draft's publication, a consultation's opening, a comment's receipt).
        from: Query<Option<DateTime<Utc>>>,
        /// Only documents dated at or before this time.
        to: Query<Option<DateTime<Utc>>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<SearchPage>, PublicSearch> {
        reject_unknown_params(req)?;
        let limit = limit.0.unwrap_or(20);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DomainError::invalid(
                "limit",
                "out_of_range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            )
            .into());
        }
        let offset = match cursor.0.as_deref() {
            None | Some("") => 0,
            Some(c) => c
                .strip_prefix('o')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < MAX_DEPTH)
                .ok_or_else(|| {
                    DomainError::invalid(
                        "cursor",
                        "invalid_value",
                        "cursor is not one this server issued",
                    )
                })?,
        };
        if let Some(s) = status.0.as_deref() {
            let known = domain::types::DraftStatus::parse(s).is_some()
                || domain::types::ConsultationStatus::parse(s).is_some();
            if !known {
                return Err(DomainError::invalid(
                    "status",
                    "invalid_value",
                    "status must be a draft or consultation status",
                )
                .into());
            }
        }
        let query = SearchQuery {
            q: q.0.unwrap_or_default().chars().take(500).collect(),
            filter: SearchFilter {
                kinds: kind.0.into_iter().map(DocKind::from).collect(),
                agency: given(agency.0),
                status: status.0,
                law_type: law_type
                    .0
                    .into_iter()
                    .map(|l| domain::types::LawType::from(l).to_string())
                    .collect(),
                topic: given(topic.0),
                draft_id: draft_id.0,
                consultation_id: consultation_id.0,
                stance: stance.0.map(|s| domain::types::Stance::from(s).to_string()),
                date_from: from.0.map(from_datetime),
                date_to: to.0.map(from_datetime),
            },
            limit: limit as usize,
            offset,
        };
        let results = state
            .ctx
            .search
            .search(&query)
            .await
            .map_err(DomainError::from)?;
        let next = offset + results.hits.len();
        let more = results.hits.len() == query.limit && (next as u64) < results.total;
        let next_cursor = (more && next < MAX_DEPTH).then(|| format!("o{next}"));
        let truncated = results.total > MAX_DEPTH as u64;
        Ok(Json(SearchPage {
            items: results
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    id: h.id,
                    kind: h.kind.into(),
                    draft_id: h.draft_id,
                    consultation_id: h.consultation_id,
                    provision_id: h.provision_id,
                    title: h.title,
                    snippet: h.snippet,
                    score: h.score,
                })
                .collect(),
            next_cursor,
            total: results.total,
            truncated,
            facets: SearchFacets {
                agency: facet(results.facets.agency),
                law_type: facet(results.facets.law_type),
                status: facet(results.facets.status),
                topic: facet(results.facets.topic),
            },
        }))
    }
}

/// The values of a repeated filter that say something (`agency=` alone means any agency).
fn given(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}
