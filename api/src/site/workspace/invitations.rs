//! The page an invitation's link opens: one button (a POST, so a mail scanner that follows
//! links accepts nothing) that accepts the invitation and signs the invitee in.

use askama::Template;
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};

use crate::{
    AppState,
    site::{Chrome, MessagePage, render},
};
use domain::{DomainError, ids::AccountId, service::invitations};

#[derive(Template)]
#[template(path = "workspace/invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    action: String,
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, Path(secret): Path<String>) -> Response {
    match invitations::find_usable(&state.ctx.db.conn, &secret).await {
        Ok(Some(_)) => {
            let chrome = Chrome::new(req, "invitation-title");
            let page = InvitationPage {
                action: chrome.href(&format!("/invitations/{secret}")),
                chrome,
            };
            render(req, StatusCode::OK, page)
        }
        Ok(None) => expired(req),
        Err(e) => crate::site::error_page(req, e),
    }
}

fn expired(req: &Request) -> Response {
    let chrome = Chrome::new(req, "invitation-expired-title");
    let page = MessagePage {
        paragraphs: vec![chrome.t.get("invitation-expired-body")],
        link: Some((chrome.href("/"), chrome.t.get("not-found-home"))),
        chrome,
    };
    render(req, StatusCode::GONE, page)
}

/// Accepts the invitation and signs the invitee in, to the workspace.
#[handler]
pub async fn accept(req: &Request, state: Data<&AppState>, Path(secret): Path<String>) -> Response {
    let workspace = Chrome::new(req, "invitation-title").href("/workspace");
    let accepted = async {
        let me = crate::site::visitor::actor(req).map(|a| a.account_id);
        let account = invitations::accept(&state.ctx.db, &secret, me).await?;
        crate::site::sign_in::start_session(req, &state, AccountId(account.id), &workspace).await
    };
    match accepted.await {
        Ok(resp) => resp,
        Err(DomainError::NotFound(_)) => expired(req),
        Err(e) => crate::site::error_page(req, e),
    }
}
