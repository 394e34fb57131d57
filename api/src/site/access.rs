//! Who may open a page. Every page in [`super::pages`] names its rule, so a page cannot be
//! added without one; the rule is checked after the visitor is known (and, for a post, after
//! its CSRF token) and before the page's handler runs:
//!
//! - a visitor who is not signed in is sent to sign in, and comes back afterwards;
//! - a signed-in person without the role gets a 403 page;
//! - what belongs to another agency is answered by the handler's service as not found (404),
//!   exactly as if it did not exist.

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};

use super::{Chrome, see_other, visitor};
use domain::types::Role;

/// The rule of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// Anyone signed in (the account page).
    SignedIn,
    /// Officers and administrators (the workspace).
    Staff,
    /// Administrators only.
    Admin,
}

impl Access {
    fn admits(self, role: Role) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Staff => matches!(role, Role::Officer | Role::Admin),
            Access::Admin => role == Role::Admin,
        }
    }
}

/// Applies `access` in front of a page (inside [`visitor::around`]).
pub fn guard<E: Endpoint + 'static>(
    access: Access,
) -> impl Fn(
    std::sync::Arc<E>,
    Request,
) -> std::pin::Pin<Box<dyn Future<Output = poem::Result<Response>> + Send>>
+ Send
+ Sync
+ 'static {
    move |ep, req| {
        Box::pin(async move {
            if access == Access::Public {
                return ep.call(req).await.map(IntoResponse::into_response);
            }
            match visitor::actor(&req) {
                None => {
                    let chrome = Chrome::new(&req, "sign-in-title");
                    let back = match *req.method() {
                        poem::http::Method::GET => chrome.path.clone(),
                        _ => "/workspace".to_string(),
                    };
                    let back = if access == Access::SignedIn && !back.starts_with("/account") {
                        "/account".to_string()
                    } else {
                        back
                    };
                    Ok(see_other(&chrome.sign_in_href_to(&back)))
                }
                Some(actor) if !access.admits(actor.role) => Ok(super::message(
                    &req,
                    StatusCode::FORBIDDEN,
                    "workspace-forbidden",
                )),
                Some(_) => ep.call(req).await.map(IntoResponse::into_response),
            }
        })
    }
}
