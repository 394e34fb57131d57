//! The signed-in person's account page: their comments and what became of them, their
//! subscriptions, and a download of everything held about them (PDPA s.30/31).

use askama::Template;
use domain::{
    entity::subscription,
    service::personal_data::{self, MyComment},
    types::ModerationStatus,
};
use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::Data,
};

use super::{Chrome, render, see_other};
use crate::AppState;

#[derive(Template)]
#[template(path = "pages/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    comments: Vec<MyComment>,
    subscriptions: Vec<subscription::Model>,
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
    let chrome = Chrome::new(req, "account-title");
    let Some(me) = super::visitor::signed_in(req) else {
        return see_other(&chrome.sign_in_href_to("/account"));
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let comments = personal_data::comments(conn, me.actor.account_id).await?;
        let subscriptions = personal_data::subscriptions(conn, &me.email).await?;
        Ok::<_, domain::DomainError>((comments, subscriptions))
    };
    match loaded.await {
        Ok((comments, subscriptions)) => {
            let page = AccountPage {
                chrome,
                email: me.email,
                comments,
                subscriptions,
            };
            render(req, StatusCode::OK, page)
        }
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
