//! The agency's laws in force: when each is due for its ex-post evaluation (five years after it
//! came into force, then every five years), whether its reminder went out, and how many people
//! asked for an early evaluation.

use askama::Template;
use domain::service::workspace::{self, AgencyLaw};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::Me;
use crate::{
    AppState,
    site::{Chrome, error_page, render},
};

#[derive(Template)]
#[template(path = "workspace/laws.html")]
struct LawsPage {
    chrome: Chrome,
    laws: Vec<AgencyLaw>,
    now: i64,
    soon: i64,
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    match workspace::laws(&state.ctx.db.conn, &me.actor).await {
        Ok(laws) => {
            let now = domain::time::now_ms();
            let page = LawsPage {
                chrome: Chrome::new(req, "ws-laws-title"),
                laws,
                now,
                soon: now + workspace::EVALUATION_HORIZON_MS,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => error_page(req, e),
    }
}
