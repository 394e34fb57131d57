//! The search page: a query, results with highlighted snippets, paging, and help when nothing
//! is found. It asks the same search backend as `GET /api/v1/search`.

use askama::Template;
use domain::search::{DocKind, SearchFilter, SearchHit, SearchIndex, SearchQuery};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{Chrome, link, render};
use crate::AppState;

const PAGE_SIZE: usize = 20;
/// The deepest page offered: past it, narrowing the query finds more than paging does.
const MAX_OFFSET: usize = 10_000;

/// The page's query: `q`, `offset`, and any number of `kind`, `agency`, `law_type` and
/// `topic` (checkboxes). Read by hand because they repeat.
#[derive(Debug, Default)]
struct SearchParams {
    q: String,
    offset: usize,
    kinds: Vec<DocKind>,
    agency: Vec<String>,
    law_type: Vec<String>,
    topic: Vec<String>,
}

impl SearchParams {
    fn of(req: &Request) -> SearchParams {
        let mut p = SearchParams::default();
        let query = req.uri().query().unwrap_or("");
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "q" => p.q = value.chars().take(500).collect(),
                "offset" => p.offset = value.parse().unwrap_or(0),
                "kind" => p
                    .kinds
                    .extend(DocKind::ALL.into_iter().filter(|k| k.as_str() == value)),
                "agency" => p.agency.push(value),
                "law_type" => p.law_type.push(value),
                "topic" => p.topic.push(value),
                _ => {}
            }
        }
        p.kinds.dedup();
        for values in [&mut p.agency, &mut p.law_type, &mut p.topic] {
            values.sort();
            values.dedup();
        }
        p
    }

    /// The query of this search with `offset`, for the paging link.
    fn pairs<'a>(&'a self, offset: &'a str) -> Vec<(&'a str, Option<&'a str>)> {
        let mut pairs = vec![("q", Some(self.q.as_str()))];
        pairs.extend(self.kinds.iter().map(|k| ("kind", Some(k.as_str()))));
        for (name, values) in [
            ("agency", &self.agency),
            ("law_type", &self.law_type),
            ("topic", &self.topic),
        ] {
            pairs.extend(values.iter().map(|v| (name, Some(v.as_str()))));
        }
        pairs.push(("offset", Some(offset)));
        pairs
    }
}

/// One value of a facet: its value, label, count of matches and whether it is chosen.
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub chosen: bool,
}

/// A facet: its field name, its heading and its values.
pub struct Facet {
    pub name: &'static str,
    pub title: String,
    pub values: Vec<FacetValue>,
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
    kinds: Vec<FacetValue>,
    facets: Vec<Facet>,
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
pub async fn search(req: &Request, state: Data<&AppState>) -> Response {
    let chrome = Chrome::new(req, "search-title");
    let params = SearchParams::of(req);
    let offset = params.offset.min(MAX_OFFSET);
    let kinds: Vec<FacetValue> = DocKind::ALL
        .into_iter()
        .map(|k| FacetValue {
            value: k.as_str().to_string(),
            label: chrome.t.get(&format!("search-kind-{}", k.as_str())),
            count: 0,
            chosen: params.kinds.contains(&k),
        })
        .collect();
    if params.q.is_empty() {
        let page = SearchPage {
            chrome,
            q: params.q,
            searched: false,
            total: 0,
            hits: Vec::new(),
            next: None,
            kinds,
            facets: Vec::new(),
        };
        return render(req, StatusCode::OK, page);
    }
    let query = SearchQuery {
        q: params.q.clone(),
        filter: SearchFilter {
            kinds: params.kinds.clone(),
            agency: params.agency.clone(),
            law_type: params.law_type.clone(),
            topic: params.topic.clone(),
            ..Default::default()
        },
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
                link(&chrome, "/search", &params.pairs(&offset))
            });
    // A facet's boxes are counted as if none of them were ticked (the other filters apply), so
    // that ticking one more widens the search by the count shown beside it.
    let mut counts = results.facets.clone();
    for (name, chosen) in [
        ("agency", &params.agency),
        ("law_type", &params.law_type),
        ("topic", &params.topic),
    ] {
        if chosen.is_empty() {
            continue;
        }
        let mut widened = query.clone();
        widened.limit = 1;
        widened.offset = 0;
        match name {
            "agency" => widened.filter.agency.clear(),
            "law_type" => widened.filter.law_type.clear(),
            _ => widened.filter.topic.clear(),
        }
        let facets = match state.ctx.search.search(&widened).await {
            Ok(r) => r.facets,
            Err(e) => return super::error_page(req, e.into()),
        };
        match name {
            "agency" => counts.agency = facets.agency,
            "law_type" => counts.law_type = facets.law_type,
            _ => counts.topic = facets.topic,
        }
    }
    let facet = |name: &'static str,
                 title: &str,
                 counts: &std::collections::BTreeMap<String, u64>,
                 chosen: &[String],
                 label: &dyn Fn(&str) -> String| {
        // A ticked box that matches nothing stays, so that it can be unticked.
        let mut counts = counts.clone();
        for v in chosen {
            counts.entry(v.clone()).or_insert(0);
        }
        Facet {
            name,
            title: chrome.t.get(title),
            values: counts
                .into_iter()
                .map(|(v, n)| FacetValue {
                    label: label(&v),
                    chosen: chosen.contains(&v),
                    value: v,
                    count: n,
                })
                .collect(),
        }
    };
    let facets = vec![
        facet(
            "agency",
            "filter-agency",
            &counts.agency,
            &params.agency,
            &|v| v.to_string(),
        ),
        facet(
            "law_type",
            "filter-law-type",
            &counts.law_type,
            &params.law_type,
            &|v| chrome.term("law-type", v),
        ),
        facet(
            "topic",
            "filter-topic",
            &counts.topic,
            &params.topic,
            &|v| v.to_string(),
        ),
    ];
    let hits = results.hits.into_iter().map(|h| hit(&chrome, h)).collect();
    let page = SearchPage {
        chrome,
        q: params.q,
        searched: true,
        total: results.total,
        hits,
        next,
        kinds,
        facets,
    };
    render(req, StatusCode::OK, page)
}
