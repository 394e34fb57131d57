//! The search page: a query, results with highlighted snippets, paging, and help when nothing
//! is found. It asks the same search backend as `GET /api/v1/search`.

use askama::Template;
use domain::search::{DocKind, SearchFilter, SearchHit, SearchIndex, SearchQuery};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{Chrome, given, link, render};
use crate::AppState;

const PAGE_SIZE: usize = 20;
/// The deepest page offered: past it, narrowing the query finds more than paging does.
const MAX_OFFSET: usize = 10_000;

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    offset: Option<usize>,
}

pub struct Hit {
    pub href: String,
    pub kind: String,
    pub title: String,
    /// Escaped by the search backend, with `<mark>` around matches.
    pub snippet: String,
}

#[derive(Template)]
#[template(path = "pages/search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    searched: bool,
    total: u64,
    hits: Vec<Hit>,
    next: Option<String>,
}

fn hit(chrome: &Chrome, h: SearchHit) -> Hit {
    let (href, kind) = match h.kind {
        DocKind::Draft => (format!("/drafts/{}", h.draft_id), "search-kind-draft"),
        DocKind::Provision => (
            format!(
                "/drafts/{}#{}",
                h.draft_id,
                h.provision_id.unwrap_or_default()
            ),
            "search-kind-provision",
        ),
        DocKind::Consultation => (
            format!("/consultations/{}", h.consultation_id.unwrap_or_default()),
            "search-kind-consultation",
        ),
        DocKind::Comment => (
            format!("/consultations/{}", h.consultation_id.unwrap_or_default()),
            "search-kind-comment",
        ),
    };
    Hit {
        href: chrome.href(&href),
        kind: chrome.t.get(kind),
        title: h.title,
        snippet: h.snippet,
    }
}

#[handler]
pub async fn search(
    req: &Request,
    state: Data<&AppState>,
    Query(params): Query<SearchParams>,
) -> Response {
    let chrome = Chrome::new(req, "search-title");
    let q: String = given(&params.q)
        .unwrap_or_default()
        .chars()
        .take(500)
        .collect();
    let offset = params.offset.unwrap_or(0).min(MAX_OFFSET);
    if q.is_empty() {
        let page = SearchPage {
            chrome,
            q,
            searched: false,
            total: 0,
            hits: Vec::new(),
            next: None,
        };
        return render(req, StatusCode::OK, page);
    }
    let query = SearchQuery {
        q: q.clone(),
        filter: SearchFilter::default(),
        limit: PAGE_SIZE,
        offset,
    };
    let results = match state.ctx.search.search(&query).await {
        Ok(r) => r,
        Err(e) => return super::error_page(req, e.into()),
    };
    let shown = offset + results.hits.len();
    let next =
        (results.hits.len() == PAGE_SIZE && (shown as u64) < results.total && shown <= MAX_OFFSET)
            .then(|| {
                let offset = shown.to_string();
                link(
                    &chrome,
                    "/search",
                    &[("q", Some(&q)), ("offset", Some(&offset))],
                )
            });
    let hits = results.hits.into_iter().map(|h| hit(&chrome, h)).collect();
    let page = SearchPage {
        chrome,
        q,
        searched: true,
        total: results.total,
        hits,
        next,
    };
    render(req, StatusCode::OK, page)
}
