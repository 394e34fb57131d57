//! The home page: consultations open now (closing soonest first), summaries published lately,
//! and the search box.

use askama::Template;
use domain::{
    service::{
        consultations::{self, ConsultationFilter, ConsultationView},
        page::PageRequest,
    },
    time::{DAY_MS, now_ms},
    types::ConsultationStatus,
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{Chrome, render};
use crate::AppState;

/// How many recently published summaries the home page lists.
const RECENT_SUMMARIES: usize = 5;

pub struct OpenItem {
    pub id: i64,
    pub title_th: String,
    pub title_en: Option<String>,
    pub agency: String,
    pub closes_at: i64,
    pub days_left: i64,
}

pub struct SummaryItem {
    pub id: i64,
    pub title_th: String,
    pub title_en: Option<String>,
    pub published_at: i64,
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    chrome: Chrome,
    open: Vec<OpenItem>,
    summaries: Vec<SummaryItem>,
}

/// Every consultation with `status`, following the pages to the end.
pub(crate) async fn all_with_status(
    state: &AppState,
    status: ConsultationStatus,
) -> domain::DomainResult<Vec<ConsultationView>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let filter = ConsultationFilter {
            status: Some(status),
            ..Default::default()
        };
        let page = consultations::list_consultations(
            &state.ctx.db.conn,
            None,
            filter,
            PageRequest { limit: 200, after },
        )
        .await?;
        after = page.items.last().map(|v| v.consultation.id);
        out.extend(page.items);
        if page.next_cursor.is_none() {
            return Ok(out);
        }
    }
}

#[handler]
pub async fn home(req: &Request, state: Data<&AppState>) -> Response {
    let loaded = async {
        let open = all_with_status(&state, ConsultationStatus::Open).await?;
        let concluded =
            consultations::recently_concluded(&state.ctx.db.conn, RECENT_SUMMARIES as u64).await?;
        Ok::<_, domain::DomainError>((open, concluded))
    };
    let (open, concluded) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let now = now_ms();
    let mut open: Vec<OpenItem> = open
        .into_iter()
        .map(|v| OpenItem {
            id: v.consultation.id,
            title_th: v.draft_title_th,
            title_en: v.draft_title_en,
            agency: v.agency_slug,
            closes_at: v.consultation.closes_at,
            days_left: (v.consultation.closes_at - now).max(0) / DAY_MS,
        })
        .collect();
    open.sort_by_key(|i| (i.closes_at, i.id));
    let summaries: Vec<SummaryItem> = concluded
        .into_iter()
        .filter_map(|v| {
            Some(SummaryItem {
                id: v.consultation.id,
                published_at: v.consultation.summary_published_at?,
                title_th: v.draft_title_th,
                title_en: v.draft_title_en,
            })
        })
        .collect();
    let page = HomePage {
        chrome: Chrome::new(req, "home-title"),
        open,
        summaries,
    };
    render(req, StatusCode::OK, page)
}
