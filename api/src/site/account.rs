//! The signed-in person's account page: their comments and what became of them, their
//! subscriptions, their API tokens (make, name, see the last use of, revoke), and a download
//! of everything held about them (PDPA s.30/31).

use askama::Template;
use domain::{
    DomainError,
    entity::{api_token, subscription},
    service::{
        api_tokens,
        personal_data::{self, MyComment},
        sessions::SignedIn,
    },
    types::ModerationStatus,
};
use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::Data,
};

use super::{Chrome, PageId, forms::Errors, render, see_other};
use crate::AppState;

#[derive(Template)]
#[template(path = "pages/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    comments: Vec<MyComment>,
    subscriptions: Vec<subscription::Model>,
    tokens: Vec<api_token::Model>,
    /// A token just made, shown this once.
    new_token: Option<(String, String)>,
    /// What was typed as a new token's name, and what was wrong with it.
    token_name: String,
    errors: Errors,
}

impl AccountPage {
    fn status(&self, c: &MyComment) -> String {
        match c.comment.moderation_status {
            ModerationStatus::Published => self.chrome.term("publication", c.comment.publication),
            _ => self.chrome.t.get("track-hidden"),
        }
    }
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>) -> Response {
    let Some(me) = super::visitor::signed_in(req) else {
        let chrome = Chrome::new(req, "account-title");
        return see_other(&chrome.sign_in_href_to("/account"));
    };
    page(
        req,
        &state,
        me,
        None,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn page(
    req: &Request,
    state: &AppState,
    me: SignedIn,
    new_token: Option<(String, String)>,
    token_name: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let comments = personal_data::comments(conn, me.actor.account_id).await?;
        let subscriptions = personal_data::subscriptions(conn, &me.email).await?;
        let tokens = api_tokens::mine(conn, me.actor.account_id).await?;
        Ok::<_, DomainError>((comments, subscriptions, tokens))
    };
    match loaded.await {
        Ok((comments, subscriptions, tokens)) => {
            let page = AccountPage {
                chrome: Chrome::new(req, "account-title"),
                email: me.email,
                comments,
                subscriptions,
                tokens,
                new_token,
                token_name,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => super::error_page(req, e),
    }
}

/// Makes a named API token and shows it once.
#[handler]
pub async fn create_token(req: &Request, state: Data<&AppState>) -> Response {
    let Some(me) = super::visitor::signed_in(req) else {
        return super::forbidden(req);
    };
    let name = super::visitor::form(req).raw("name").to_string();
    let read_only = super::visitor::form(req).get("read_only").is_some();
    match api_tokens::create(&state.ctx.db, &me.actor, &name, read_only).await {
        Ok((model, token)) => {
            page(
                req,
                &state,
                me,
                Some((model.name, token)),
                String::new(),
                Errors::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(err) => {
            let t = Chrome::new(req, "account-title").t;
            match Errors::from_domain(&t, &err, |f| {
                (f.field == "name").then(|| "token-name".into())
            }) {
                Some(errors) => {
                    page(req, &state, me, None, name, errors, StatusCode::BAD_REQUEST).await
                }
                None => super::error_page(req, err),
            }
        }
    }
}

/// Revokes one of the signed-in person's tokens; it stops working at once.
#[handler]
pub async fn revoke_token(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let Some(me) = super::visitor::actor(req) else {
        return super::forbidden(req);
    };
    match api_tokens::revoke(&state.ctx.db, &me, id).await {
        Ok(_) => see_other(&format!(
            "{}#tokens",
            Chrome::new(req, "account-title").href("/account")
        )),
        Err(e) => super::error_page(req, e),
    }
}

/// Everything held about the signed-in person, as a JSON file to keep.
#[handler]
pub async fn data(req: &Request, state: Data<&AppState>) -> Response {
    let chrome = Chrome::new(req, "account-title");
    let Some(me) = super::visitor::signed_in(req) else {
        return see_other(&chrome.sign_in_href_to("/account"));
    };
    match personal_data::export(&state.ctx.db.conn, me.actor.account_id).await {
        Ok(doc) => Response::builder()
            .content_type("application/json; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rabfang-my-data.json\"",
            )
            .header(header::CACHE_CONTROL, "private, no-store")
            .body(serde_json::to_string_pretty(&doc).unwrap_or_default()),
        Err(e) => super::error_page(req, e),
    }
}
