//! Following by e-mail as pages: subscribe to an agency, a topic or a draft; confirm with the
//! mailed link; unsubscribe. Opening a mailed link shows a button and only the button (a POST)
//! acts, so a mail scanner that follows links confirms or cancels nothing. The secret travels
//! in the link's `token` (kept out of the logs) and then in the form.

use askama::Template;
use domain::{
    DomainError,
    entity::agency,
    service::{agencies, page::PageRequest, subscriptions},
    types::SubscriptionTarget,
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{Chrome, MessagePage, forms::Errors, given, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "pages/subscriptions/subscribe.html")]
struct SubscribePage {
    chrome: Chrome,
    kind: String,
    target: String,
    email: String,
    /// Agencies to choose from when the page was opened without a target.
    agencies: Vec<agency::Model>,
    errors: Errors,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SubscribeQuery {
    kind: Option<String>,
    target: Option<String>,
}

async fn subscribe_page(
    req: &Request,
    state: &AppState,
    kind: String,
    target: String,
    email: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let agencies = if target.is_empty() || kind == "agency" {
        match PageRequest::parse(Some(200), None) {
            Ok(page) => match agencies::list_agencies(&state.ctx.db.conn, None, page).await {
                Ok(p) => p.items,
                Err(e) => return super::error_page(req, e),
            },
            Err(e) => return super::error_page(req, e),
        }
    } else {
        Vec::new()
    };
    let page = SubscribePage {
        chrome: Chrome::new(req, "subscribe-title"),
        kind,
        target,
        email,
        agencies,
        errors,
    };
    render(req, status, page)
}

#[handler]
pub async fn ask(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<SubscribeQuery>,
) -> Response {
    let kind = given(&q.kind)
        .filter(|k| SubscriptionTarget::parse(k).is_some())
        .unwrap_or_else(|| "agency".into());
    let target = given(&q.target).unwrap_or_default();
    subscribe_page(
        req,
        &state,
        kind,
        target,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[handler]
pub async fn subscribe(req: &Request, state: Data<&AppState>) -> Response {
    let form = super::visitor::form(req);
    let chrome = Chrome::new(req, "subscribe-title");
    let email = form.raw("email").to_string();
    let kind_text = form.get("kind").unwrap_or("agency").to_string();
    let target = form.get("target").unwrap_or("").to_string();
    let result = match SubscriptionTarget::parse(&kind_text) {
        Some(kind) => subscriptions::subscribe(&state.ctx.db, &email, kind, &target).await,
        None => Err(DomainError::invalid(
            "target",
            "invalid_value",
            "unknown kind",
        )),
    };
    match result {
        Ok(()) => {
            let page = MessagePage {
                paragraphs: vec![
                    chrome.t.with("subscribe-sent-body", "email", email.trim()),
                    chrome.t.get("subscribe-sent-hint"),
                ],
                link: Some((chrome.href("/"), chrome.t.get("not-found-home"))),
                chrome: Chrome {
                    title: chrome.t.get("sign-in-sent-title"),
                    ..chrome
                },
            };
            render(req, StatusCode::OK, page)
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                subscribe_page(
                    req,
                    &state,
                    kind_text,
                    target,
                    email,
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => super::error_page(req, err),
        },
    }
}

/// A page with one button that acts on a mailed link's token.
#[derive(Template)]
#[template(path = "pages/subscriptions/button.html")]
struct ButtonPage {
    chrome: Chrome,
    body: String,
    action: String,
    token: String,
    button: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn button_page(req: &Request, q: TokenQuery, key: &str, path: &str) -> Response {
    let chrome = Chrome::new(req, &format!("{key}-title"));
    let page = ButtonPage {
        body: chrome.t.get(&format!("{key}-body")),
        button: chrome.t.get(&format!("{key}-button")),
        action: chrome.href(path),
        token: q.token.unwrap_or_default(),
        chrome,
    };
    render(req, StatusCode::OK, page)
}

#[handler]
pub async fn confirm_page(req: &Request, Query(q): Query<TokenQuery>) -> Response {
    button_page(req, q, "subscription-confirm", "/subscriptions/confirm")
}

#[handler]
pub async fn unsubscribe_page(req: &Request, Query(q): Query<TokenQuery>) -> Response {
    button_page(req, q, "unsubscribe", "/subscriptions/unsubscribe")
}

/// The answer to a pressed button: `done` on success, a "link no longer works" page when the
/// token is unknown.
fn outcome(req: &Request, result: Result<(), DomainError>, done: &str) -> Response {
    match result {
        Ok(()) => super::message(req, StatusCode::OK, done),
        Err(DomainError::NotFound(_)) => {
            super::message(req, StatusCode::GONE, "subscription-link-expired")
        }
        Err(e) => super::error_page(req, e),
    }
}

#[handler]
pub async fn confirm(req: &Request, state: Data<&AppState>) -> Response {
    let form = super::visitor::form(req);
    let token = form.get("token").unwrap_or("");
    let result = subscriptions::confirm(&state.ctx.db, token)
        .await
        .map(|_| ());
    outcome(req, result, "subscription-confirmed")
}

#[handler]
pub async fn unsubscribe(req: &Request, state: Data<&AppState>) -> Response {
    let form = super::visitor::form(req);
    let token = form.get("token").unwrap_or("");
    let result = subscriptions::unsubscribe(&state.ctx.db, token).await;
    outcome(req, result, "unsubscribed")
}
