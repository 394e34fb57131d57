//! The workspace's first page: what the agency has to do now.

use askama::Template;
use domain::{
    service::workspace::{self, Dashboard},
    types::DraftStatus,
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use crate::{
    AppState,
    site::{Chrome, render},
};

#[derive(Template)]
#[template(path = "workspace/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    d: Dashboard,
    statuses: &'static [DraftStatus],
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>) -> Response {
    let me = match super::me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    match workspace::dashboard(&state.ctx.db.conn, &me.actor, None).await {
        Ok(d) => {
            let page = DashboardPage {
                chrome: Chrome::new(req, "ws-dashboard-title"),
                d,
                statuses: DraftStatus::ALL,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => crate::site::error_page(req, e),
    }
}
