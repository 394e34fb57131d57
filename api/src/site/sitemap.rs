//! `robots.txt` and `sitemap.xml`: the public pages only (lists, fixed pages, every published
//! draft and every consultation on one), each with its other-language alternate. Pages for a
//! signed-in person, forms and tracking are kept out of search engines.

use domain::service::{
    consultations::{self, ConsultationFilter},
    drafts::{self, DraftFilter},
    page::PageRequest,
};
use poem::{Request, Response, handler, web::Data};

use super::{content, i18n::Lang};
use crate::AppState;

#[handler]
pub async fn robots(state: Data<&AppState>) -> Response {
    let base = &state.ctx.settings.public_url;
    let mut text = String::from("User-agent: *\n");
    for path in [
        "/sign-in",
        "/sign-out",
        "/account",
        "/track",
        "/comments/",
        "/subscriptions/",
        "/api/",
    ] {
        for lang in [Lang::Th, Lang::En] {
            text.push_str(&format!("Disallow: {}\n", lang.href(path)));
        }
    }
    text.push_str(&format!("\nSitemap: {base}/sitemap.xml\n"));
    Response::builder()
        .content_type("text/plain; charset=utf-8")
        .body(text)
}

/// Every id of a paged public list.
async fn all_ids<T, F, Fut>(mut page: F, id: impl Fn(&T) -> i64) -> domain::DomainResult<Vec<i64>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = domain::DomainResult<domain::service::page::Page<T>>>,
{
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let request = PageRequest::parse(Some(200), cursor.as_deref())?;
        let found = page(request).await?;
        ids.extend(found.items.iter().map(&id));
        match found.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(ids),
        }
    }
}

#[handler]
pub async fn sitemap(req: &Request, state: Data<&AppState>) -> Response {
    let conn = &state.ctx.db.conn;
    let listed = async {
        let drafts = all_ids(
            |p| drafts::list_drafts(conn, None, DraftFilter::default(), p),
            |d| d.draft.id,
        )
        .await?;
        let consultations = all_ids(
            |p| consultations::list_consultations(conn, None, ConsultationFilter::default(), p),
            |c| c.consultation.id,
        )
        .await?;
        let agencies = super::agencies::all(conn).await?;
        Ok::<_, domain::DomainError>((drafts, consultations, agencies))
    };
    let (drafts, consultations, agencies) = match listed.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut paths: Vec<String> = [
        "/",
        "/consultations",
        "/drafts",
        "/agencies",
        "/search",
        "/subscribe",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    paths.extend(content::PAGES.iter().map(|(p, _, _)| p.to_string()));
    paths.push("/open-data/datasets".to_string());
    paths.extend(agencies.iter().map(|a| format!("/agencies/{}", a.slug)));
    paths.extend(drafts.iter().map(|id| format!("/drafts/{id}")));
    paths.extend(
        consultations
            .iter()
            .map(|id| format!("/consultations/{id}")),
    );
    let base = &state.ctx.settings.public_url;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for path in &paths {
        for lang in [Lang::Th, Lang::En] {
            xml.push_str(&format!("<url><loc>{base}{}</loc>", lang.href(path)));
            for alt in [Lang::Th, Lang::En] {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{base}{}\"/>",
                    alt.tag(),
                    alt.href(path)
                ));
            }
            xml.push_str("</url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    Response::builder()
        .content_type("application/xml; charset=utf-8")
        .body(xml)
}
