//! The consultations list (filters, paging without a cap) and a consultation's page.

use askama::Template;
use domain::{
    ids::ConsultationId,
    service::{
        consultations::{self, ConsultationFilter, ConsultationView},
        page::PageRequest,
    },
    time::DAY_MS,
    types::{ConsultationKind, ConsultationStatus, Question},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Query},
};

use super::{Chrome, given, link, render};
use crate::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    cursor: Option<String>,
}

/// A choice of a filter: its value, its label, and whether it is the one chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn choices<T: Copy + std::fmt::Display + PartialEq>(
    chrome: &Chrome,
    prefix: &str,
    all: &[T],
    chosen: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: chrome.term(prefix, v),
            selected: chosen == Some(*v),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/consultations/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<ConsultationView>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    next: Option<String>,
}

impl ListPage {
    fn status_tag(&self, v: &ConsultationView) -> String {
        self.chrome.term("status", v.status)
    }
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Query(q): Query<ListQuery>) -> Response {
    let status = given(&q.status).and_then(|s| ConsultationStatus::parse(&s));
    let kind = given(&q.kind).and_then(|k| ConsultationKind::parse(&k));
    let Ok(page) = PageRequest::parse(Some(50), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let filter = ConsultationFilter {
        status,
        kind,
        ..Default::default()
    };
    let found = consultations::list_consultations(&state.ctx.db.conn, None, filter, page).await;
    let found = match found {
        Ok(p) => p,
        Err(e) => return super::error_page(req, e),
    };
    let chrome = Chrome::new(req, "consultations-title");
    let next = found.next_cursor.map(|c| {
        let filters = [
            ("status", status.map(ConsultationStatus::as_str)),
            ("kind", kind.map(ConsultationKind::as_str)),
            ("cursor", Some(c.as_str())),
        ];
        link(&chrome, "/consultations", &filters)
    });
    let page = ListPage {
        statuses: choices(&chrome, "status", ConsultationStatus::ALL, status),
        kinds: choices(&chrome, "kind", ConsultationKind::ALL, kind),
        chrome,
        items: found.items,
        next,
    };
    render(req, StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "pages/consultations/show.html")]
struct ShowPage {
    chrome: Chrome,
    view: ConsultationView,
    questions: Vec<Question>,
    days: i64,
    short: bool,
}

impl ShowPage {
    fn not_open_message(&self) -> Option<String> {
        let c = &self.view.consultation;
        let t = &self.chrome.t;
        match self.view.status {
            ConsultationStatus::Open => None,
            ConsultationStatus::Scheduled => Some(t.with(
                "consultation-not-open-scheduled",
                "date",
                self.chrome.date_time(c.opens_at),
            )),
            ConsultationStatus::Closed => Some(t.get("consultation-not-open-closed")),
            ConsultationStatus::Concluded => Some(t.get("consultation-not-open-concluded")),
        }
    }
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return super::not_found(req);
    };
    let view =
        match consultations::get_consultation(&state.ctx.db.conn, None, ConsultationId(id)).await {
            Ok(v) => v,
            Err(e) => return super::error_page(req, e),
        };
    let mut chrome = Chrome::new(req, "consultations-title");
    chrome.title = view.draft_title_th.clone();
    let c = &view.consultation;
    let length = c.closes_at - c.opens_at;
    let page = ShowPage {
        chrome,
        questions: c.questions.0.clone(),
        days: length / DAY_MS,
        short: length < consultations::MIN_HEARING_MS,
        view,
    };
    render(req, StatusCode::OK, page)
}
