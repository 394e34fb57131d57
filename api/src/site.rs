//! The server-rendered site. For now one page: the consultations open for comment.

use askama::Template;
use domain::DomainError;
use domain::service::{
    consultations::{self, ConsultationFilter},
    page::PageRequest,
};
use poem::{IntoResponse, web::Data};
use poem_openapi::{OpenApi, payload::Html};

use crate::{
    AppState,
    error::{ApiResult, PublicRead},
};

struct OpenItem {
    id: i64,
    title_th: String,
    title_en: String,
    agency: String,
    closes_on: String,
    days_left: i64,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    items: Vec<OpenItem>,
}

pub struct SiteApi;

/// The site's pages live in the same service as the API (so that `/` can coexist with the
/// API mounted at the root) but are hidden from the API document.
#[OpenApi]
impl SiteApi {
    #[oai(path = "/", method = "get", hidden)]
    async fn index(&self, state: Data<&AppState>) -> ApiResult<Html<String>, PublicRead> {
        let filter = ConsultationFilter {
            status: Some(domain::types::ConsultationStatus::Open),
            ..Default::default()
        };
        let page = PageRequest {
            limit: 200,
            after: None,
        };
        let views = consultations::list_consultations(&state.ctx.db.conn, None, filter, page)
            .await?
            .items;
        let now = domain::time::now_ms();
        let mut items: Vec<OpenItem> = views
            .into_iter()
            .map(|v| OpenItem {
                id: v.consultation.id,
                title_th: v.draft_title_th,
                title_en: v.draft_title_en.unwrap_or_default(),
                agency: v.agency_slug,
                closes_on: domain::time::to_datetime(v.consultation.closes_at)
                    .format("%Y-%m-%d %H:%M UTC")
                    .to_string(),
                days_left: (v.consultation.closes_at - now) / domain::time::DAY_MS,
            })
            .collect();
        items.sort_by_key(|i| i.days_left);
        let html = (IndexPage { items })
            .render()
            .map_err(|e| DomainError::Internal(anyhow::anyhow!("rendering the index page: {e}")))?;
        Ok(Html(html))
    }
}

/// Static assets (styles), embedded in the binary.
pub fn assets() -> poem::Route {
    poem::Route::new().at(
        "/site.css",
        poem::get(poem::endpoint::make_sync(|_| {
            include_str!("../../web/static/site.css").with_content_type("text/css; charset=utf-8")
        })),
    )
}
