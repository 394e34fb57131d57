//! The server-rendered site: pages in Thai at `/...` and English at `/en/...` (see
//! [`i18n::Lang`]), rendered with askama from `web/templates` on top of the same services as the
//! JSON API. Every page works without JavaScript. A page handler reads the language from the
//! path, calls the services, and renders one template; refusals and failures are pages too.

use askama::Template;
use domain::DomainError;
use poem::{
    EndpointExt, Request, Response, Route,
    http::{Method, StatusCode},
};

pub mod assets;
mod consultations;
mod drafts;
mod home;
pub mod i18n;
mod search;

use i18n::{Lang, Messages};

/// What every page's layout needs: language, messages, the page's own path and title.
pub struct Chrome {
    pub lang: Lang,
    pub t: Messages,
    /// The page's path without the language prefix (`/drafts/3`), with its query.
    pub path: String,
    pub title: String,
    pub css: String,
    pub logo: String,
}

impl Chrome {
    pub fn new(req: &Request, title_key: &str) -> Chrome {
        let (lang, path) = Lang::of_path(req.uri().path());
        let path = match req.uri().query() {
            Some(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_string(),
        };
        let t = lang.messages();
        Chrome {
            title: t.get(title_key),
            lang,
            t,
            path,
            css: assets::url("site.css"),
            logo: assets::url("logo.svg"),
        }
    }

    /// A site path in this page's language.
    pub fn href(&self, path: &str) -> String {
        self.lang.href(path)
    }

    /// This page in the other language.
    pub fn switch_href(&self) -> String {
        self.lang.other().href(&self.path)
    }

    /// `15 มกราคม 2569` or `15 January 2026`.
    pub fn date(&self, ms: impl Number) -> String {
        let ms = ms.get();
        match self.lang {
            Lang::Th => domain::calendar::thai_date(ms),
            Lang::En => domain::calendar::english_date(ms),
        }
    }

    /// The date with its time of day, in Bangkok.
    pub fn date_time(&self, ms: impl Number) -> String {
        let ms = ms.get();
        match self.lang {
            Lang::Th => domain::calendar::thai_date_time(ms),
            Lang::En => domain::calendar::english_date_time(ms),
        }
    }

    /// RFC 3339, for `<time datetime>`.
    pub fn iso(&self, ms: impl Number) -> String {
        domain::calendar::machine_time(ms.get())
    }

    /// The message for a vocabulary value: `prefix-value` (`status-open`).
    pub fn term(&self, prefix: &str, value: impl std::fmt::Display) -> String {
        self.t.get(&format!("{prefix}-{value}"))
    }
}

/// A whole number as templates hand it over: by value or behind references.
pub trait Number {
    fn get(&self) -> i64;
}

impl Number for i64 {
    fn get(&self) -> i64 {
        *self
    }
}

impl<T: Number + ?Sized> Number for &T {
    fn get(&self) -> i64 {
        (**self).get()
    }
}

/// An HTML answer with `status`.
fn html(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// Renders a page, or the error page if the template fails.
pub(crate) fn render(req: &Request, status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            error_page(
                req,
                DomainError::Internal(anyhow::anyhow!("rendering: {e}")),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "pages/not_found.html")]
struct NotFoundPage {
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    chrome: Chrome,
}

/// The page for a failure: 404 for what does not exist (or may not be seen), 500 otherwise
/// (logged with its cause; the visitor sees no detail).
pub(crate) fn error_page(req: &Request, err: DomainError) -> Response {
    match err {
        DomainError::NotFound(_) => not_found(req),
        other => {
            tracing::error!(error = ?other, path = %req.uri().path(), "a page failed");
            let page = ErrorPage {
                chrome: Chrome::new(req, "error-title"),
            };
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page.render().unwrap_or_else(|_| "error".into()),
            )
        }
    }
}

pub(crate) fn not_found(req: &Request) -> Response {
    let page = NotFoundPage {
        chrome: Chrome::new(req, "not-found-title"),
    };
    html(
        StatusCode::NOT_FOUND,
        page.render().unwrap_or_else(|_| "not found".into()),
    )
}

/// The pages, by path without the language prefix. Each is served at the path (Thai) and at
/// `/en` + path (English).
const PAGES: &[&str] = &[
    "/",
    "/consultations",
    "/consultations/:id",
    "/drafts",
    "/drafts/:id",
    "/search",
];

/// Every page path in both languages, with its methods (for `Allow` on a 405).
pub fn allowed() -> Vec<(String, Vec<Method>)> {
    PAGES
        .iter()
        .flat_map(|p| [Lang::Th.href(p), Lang::En.href(p)])
        .map(|p| (p, vec![Method::GET]))
        .collect()
}

/// Serves `/` (the Thai home page) in front of `ep`, which has everything else at the root.
pub async fn home_first<E: poem::Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    use poem::{Endpoint, IntoResponse};
    if req.uri().path() == "/" {
        poem::get(home::home).call(req).await
    } else {
        ep.call(req).await.map(IntoResponse::into_response)
    }
}

/// Adds the pages to `route`.
pub fn mount(route: Route) -> Route {
    type Page = fn() -> poem::endpoint::BoxEndpoint<'static>;
    let pages: [(&str, Page); 6] = [
        ("/", || home::home.boxed()),
        ("/consultations", || consultations::list.boxed()),
        ("/consultations/:id", || consultations::show.boxed()),
        ("/drafts", || drafts::list.boxed()),
        ("/drafts/:id", || drafts::show.boxed()),
        ("/search", || search::search.boxed()),
    ];
    debug_assert_eq!(pages.len(), PAGES.len());
    pages.into_iter().fold(route, |route, (path, page)| {
        let route = route.at(Lang::En.href(path), poem::get(page()));
        match path {
            "/" => route, // see `home_first`
            _ => route.at(Lang::Th.href(path), poem::get(page())),
        }
    })
}

/// The link to `path` in the page's language with the query `pairs` (those with a value).
pub(crate) fn link(chrome: &Chrome, path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    format!("{}?{}", chrome.href(path), query.finish())
}

/// A form or query value that is absent or blank is `None`.
pub(crate) fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}
