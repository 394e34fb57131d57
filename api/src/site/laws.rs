//! Laws in force with their next evaluation date (s.34 of the Act on Criteria for Drafting
//! Laws: every law is evaluated at least every five years), a law's page with the published
//! reasons people gave for evaluating it early, and the form to ask for that.

use askama::Template;
use domain::{
    DomainError,
    entity::{evaluation_request, law_in_force},
    service::{laws, page::PageRequest},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{Chrome, PageId, forms::Errors, given, link, render, see_other};
use crate::AppState;

#[derive(Template)]
#[template(path = "pages/laws/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<(law_in_force::Model, u64)>,
    next: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Query(q): Query<ListQuery>) -> Response {
    let Ok(page) = PageRequest::parse(Some(50), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let found = laws::list(conn, false, None, page).await?;
        let ids: Vec<i64> = found.items.iter().map(|l| l.id).collect();
        let counts = laws::request_counts(conn, &ids).await?;
        Ok::<_, DomainError>((found, counts))
    };
    let (found, counts) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let chrome = Chrome::new(req, "laws-title");
    let next = found
        .next_cursor
        .map(|c| link(&chrome, "/laws", &[("cursor", Some(c.as_str()))]));
    let items = found
        .items
        .into_iter()
        .map(|l| {
            let n = counts.get(&l.id).copied().unwrap_or(0);
            (l, n)
        })
        .collect();
    render(
        req,
        StatusCode::OK,
        ListPage {
            chrome,
            items,
            next,
        },
    )
}

#[derive(Template)]
#[template(path = "pages/laws/show.html")]
struct ShowPage {
    chrome: Chrome,
    law: law_in_force::Model,
    requests: Vec<evaluation_request::Model>,
    signed_in: bool,
    reason: String,
    errors: Errors,
    /// Set after this person asked: a thank-you instead of the form.
    asked: bool,
}

impl ShowPage {
    fn min_chars(&self) -> usize {
        laws::MIN_REASON_CHARS
    }
}

async fn page(
    req: &Request,
    state: &AppState,
    id: i64,
    reason: String,
    errors: Errors,
    asked: bool,
    status: StatusCode,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let law = laws::get(conn, id).await?;
        let requests =
            laws::evaluation_requests(conn, id, None, PageRequest::parse(Some(200), None)?).await?;
        Ok::<_, DomainError>((law, requests.items))
    };
    let (law, requests) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "laws-title");
    chrome.title = law.title_th.clone();
    let page = ShowPage {
        signed_in: chrome.account.is_some(),
        chrome,
        law,
        requests,
        reason,
        errors,
        asked,
    };
    render(req, status, page)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowQuery {
    asked: Option<String>,
}

#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    page(
        req,
        &state,
        id,
        String::new(),
        Errors::default(),
        q.asked.is_some(),
        StatusCode::OK,
    )
    .await
}

/// Asks for an early evaluation (signed in; once per person and law).
#[handler]
pub async fn ask(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let chrome = Chrome::new(req, "laws-title");
    let Some(actor) = super::visitor::actor(req) else {
        return see_other(&chrome.sign_in_href_to(&format!("/laws/{id}#evaluate")));
    };
    let form = super::visitor::form(req);
    let reason = form.raw("reason").to_string();
    match laws::request_evaluation(&state.ctx.db, &actor, id, &reason).await {
        Ok(_) => see_other(&format!(
            "{}?asked=1#evaluate",
            chrome.href(&format!("/laws/{id}"))
        )),
        Err(DomainError::Conflict(_)) => {
            let mut errors = Errors::default();
            errors.push("reason", chrome.t.get("law-already-asked"));
            page(req, &state, id, reason, errors, false, StatusCode::CONFLICT).await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                page(
                    req,
                    &state,
                    id,
                    reason,
                    errors,
                    false,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => super::error_page(req, err),
        },
    }
}
