//! The agencies list, an agency's page (its drafts and consultations, a way to follow it), and
//! the agency filter that the other lists share.

use askama::Template;
use domain::{
    DomainResult,
    entity::agency,
    service::{
        agencies,
        consultations::{self, ConsultationFilter, ConsultationView},
        drafts::{self, DraftFilter, DraftView},
        page::PageRequest,
    },
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Query},
};
use sea_orm::ConnectionTrait;

use super::{Chrome, consultations::Choice, given, link, render};
use crate::AppState;

/// Every agency, in the order they were added (the lists' filter offers them all).
pub async fn all<C: ConnectionTrait>(conn: &C) -> DomainResult<Vec<agency::Model>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = agencies::list_agencies(
            conn,
            None,
            PageRequest::parse(Some(200), cursor.as_deref())?,
        )
        .await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The agencies as choices of a filter, by slug, with their name in the page's language.
pub fn choices(chrome: &Chrome, all: &[agency::Model], chosen: Option<&str>) -> Vec<Choice> {
    all.iter()
        .map(|a| Choice {
            value: a.slug.clone(),
            label: name(chrome, a),
            selected: chosen == Some(a.slug.as_str()),
        })
        .collect()
}

/// The agency's name in the page's language (Thai when it has no English name).
pub fn name(chrome: &Chrome, a: &agency::Model) -> String {
    match (chrome.lang.tag(), &a.name_en) {
        ("en", Some(en)) => en.clone(),
        _ => a.name_th.clone(),
    }
}

#[derive(Template)]
#[template(path = "pages/agencies/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<agency::Model>,
    next: Option<String>,
}

impl ListPage {
    fn name(&self, a: &agency::Model) -> String {
        name(&self.chrome, a)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Query(q): Query<ListQuery>) -> Response {
    let Ok(page) = PageRequest::parse(Some(100), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let found = match agencies::list_agencies(&state.ctx.db.conn, None, page).await {
        Ok(p) => p,
        Err(e) => return super::error_page(req, e),
    };
    let chrome = Chrome::new(req, "agencies-title");
    let next = found
        .next_cursor
        .map(|c| link(&chrome, "/agencies", &[("cursor", Some(c.as_str()))]));
    let page = ListPage {
        chrome,
        items: found.items,
        next,
    };
    render(req, StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "pages/agencies/show.html")]
struct ShowPage {
    chrome: Chrome,
    agency: agency::Model,
    drafts: Vec<DraftView>,
    more_drafts: bool,
    consultations: Vec<ConsultationView>,
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, Path(slug): Path<String>) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let agency = agencies::find_by_slug(conn, &slug)
            .await?
            .ok_or(domain::DomainError::NotFound("agency"))?;
        let drafts = drafts::list_drafts(
            conn,
            None,
            DraftFilter {
                agency: Some(slug.clone()),
                ..Default::default()
            },
            PageRequest::parse(Some(20), None)?,
        )
        .await?;
        let consultations = consultations::list_consultations(
            conn,
            None,
            ConsultationFilter {
                agency: Some(slug.clone()),
                status: Some(domain::types::ConsultationStatus::Open),
                ..Default::default()
            },
            PageRequest::parse(Some(50), None)?,
        )
        .await?;
        Ok::<_, domain::DomainError>((agency, drafts, consultations))
    };
    let (agency, drafts, consultations) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "agencies-title");
    chrome.title = name(&chrome, &agency);
    let page = ShowPage {
        chrome,
        agency,
        more_drafts: drafts.next_cursor.is_some(),
        drafts: drafts.items,
        consultations: consultations.items,
    };
    render(req, StatusCode::OK, page)
}
