//! Signing in with a one-time e-mail link, and signing out (see `domain::service::sign_in` and
//! `domain::service::sessions`). Opening the link shows a button; only pressing it (a POST)
//! signs in, so a mail scanner that follows links signs nobody in.

use askama::Template;
use domain::service::{
    sessions,
    sign_in::{self, LinkRequest, NewLink},
};
use poem::{
    Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::{Data, Path, Query},
};

use super::{Chrome, MessagePage, forms::Errors, render, see_other, visitor::Cookies};
use crate::{AppState, limits::ClientAddress};

#[derive(Template)]
#[template(path = "pages/sign_in/form.html")]
struct FormPage {
    chrome: Chrome,
    email: String,
    next: String,
    errors: Errors,
    /// The OpenID Connect provider's name (ThaID), when one is configured.
    provider: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FormQuery {
    next: Option<String>,
}

#[handler]
pub async fn ask(req: &Request, state: Data<&AppState>, Query(q): Query<FormQuery>) -> Response {
    let page = FormPage {
        chrome: Chrome::new(req, "sign-in-title"),
        email: String::new(),
        next: sign_in::local_path(q.next.as_deref().unwrap_or("/")),
        errors: Errors::default(),
        provider: super::oidc::provider_name(&state),
    };
    super::oidc::allow_provider(&state, render(req, StatusCode::OK, page))
}

#[handler]
pub async fn request(req: &Request, state: Data<&AppState>) -> Response {
    let form = super::visitor::form(req);
    let chrome = Chrome::new(req, "sign-in-title");
    let client = req
        .extensions()
        .get::<ClientAddress>()
        .and_then(|c| c.0)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let email = form.raw("email").to_string();
    let next = sign_in::local_path(form.get("next").unwrap_or("/"));
    let asked = sign_in::request_link(
        &state.ctx.db,
        NewLink {
            email: &email,
            next_path: &next,
            lang: chrome.lang.tag(),
            client: &client,
        },
    )
    .await;
    match asked {
        Ok(LinkRequest::Accepted) => {
            let page = MessagePage {
                paragraphs: vec![
                    chrome.t.with("sign-in-sent-body", "email", email.trim()),
                    chrome.t.get("sign-in-sent-hint"),
                ],
                link: Some((chrome.href("/sign-in"), chrome.t.get("sign-in-sent-again"))),
                chrome: Chrome {
                    title: chrome.t.get("sign-in-sent-title"),
                    ..chrome
                },
            };
            render(req, StatusCode::OK, page)
        }
        Ok(LinkRequest::ClientLimited) => {
            let mut resp = super::message(req, StatusCode::TOO_MANY_REQUESTS, "sign-in-limited");
            let wait = sign_in::LIMIT_WINDOW_MS / 1000;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            resp
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                let page = FormPage {
                    chrome,
                    email,
                    next,
                    errors,
                    provider: super::oidc::provider_name(&state),
                };
                super::oidc::allow_provider(&state, render(req, StatusCode::BAD_REQUEST, page))
            }
            None => super::error_page(req, err),
        },
    }
}

#[derive(Template)]
#[template(path = "pages/sign_in/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    action: String,
}

/// The page a link opens: one button that signs in.
#[handler]
pub async fn confirm(
    req: &Request,
    state: Data<&AppState>,
    Path(secret): Path<String>,
) -> Response {
    match sign_in::find_usable(&state.ctx.db.conn, &secret).await {
        Ok(Some(_)) => {
            let chrome = Chrome::new(req, "sign-in-confirm-title");
            let page = ConfirmPage {
                action: chrome.href(&format!("/sign-in/{secret}")),
                chrome,
            };
            render(req, StatusCode::OK, page)
        }
        Ok(None) => expired(req),
        Err(e) => super::error_page(req, e),
    }
}

fn expired(req: &Request) -> Response {
    let chrome = Chrome::new(req, "sign-in-expired-title");
    let page = MessagePage {
        paragraphs: vec![chrome.t.get("sign-in-expired-body")],
        link: Some((chrome.href("/sign-in"), chrome.t.get("sign-in-sent-again"))),
        chrome,
    };
    render(req, StatusCode::GONE, page)
}

/// Uses the link: ends any session this browser had, starts a new one (a new id, so an id
/// planted before sign-in is worthless), and goes where the person was going.
#[handler]
pub async fn complete(
    req: &Request,
    state: Data<&AppState>,
    Path(secret): Path<String>,
) -> Response {
    let db = &state.ctx.db;
    let signed = async {
        let (account, next) = sign_in::complete(db, &secret).await?;
        start_session(req, &state, domain::ids::AccountId(account.id), &next).await
    };
    match signed.await {
        Ok(resp) => resp,
        Err(domain::DomainError::NotFound(_)) => expired(req),
        Err(e) => super::error_page(req, e),
    }
}

/// Signs `account` in on this browser: ends any session it had, starts a new one (a new id,
/// so an id planted before sign-in is worthless), and answers with a redirect to `next`.
pub(crate) async fn start_session(
    req: &Request,
    state: &AppState,
    account: domain::ids::AccountId,
    next: &str,
) -> Result<Response, domain::DomainError> {
    let db = &state.ctx.db;
    if let Some(old) = super::visitor::session_id(req) {
        sessions::end(db, &old).await?;
    }
    let id = sessions::start(db, account).await?;
    let cookies = Cookies::of(state);
    let mut resp = see_other(next);
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies.set(&cookies.session(), Some(&id)),
    );
    Ok(resp)
}

/// Ends the session at once and clears its cookie.
#[handler]
pub async fn sign_out(req: &Request, state: Data<&AppState>) -> Response {
    if let Some(id) = super::visitor::session_id(req)
        && let Err(e) = sessions::end(&state.ctx.db, &id).await
    {
        return super::error_page(req, e);
    }
    let chrome = Chrome::new(req, "sign-in-title");
    let cookies = Cookies::of(&state);
    let mut resp = see_other(&chrome.href("/"));
    resp.headers_mut()
        .append(header::SET_COOKIE, cookies.set(&cookies.session(), None));
    resp
}
