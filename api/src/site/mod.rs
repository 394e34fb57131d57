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

mod access;
mod account;
mod agencies;
pub mod assets;
mod commenting;
mod consultations;
mod content;
mod datasets;
mod drafts;
mod forms;
mod home;
pub mod i18n;
mod laws;
mod oidc;
mod published;
mod results;
mod search;
pub(crate) mod sign_in;
pub mod sitemap;
mod subscriptions;
pub mod texts;
pub mod visitor;
mod workspace;

pub use access::Access;
use i18n::{Lang, Messages};
use visitor::{Csrf, Visitor};

/// What every page's layout needs: language, messages, the page's own path and title.
pub struct Chrome {
    pub lang: Lang,
    pub t: Messages,
    /// The page's path without the language prefix (`/drafts/3`), with its query.
    pub path: String,
    pub title: String,
    pub css: String,
    pub logo: String,
    /// The signed-in person's name, for the header.
    pub account: Option<String>,
    /// Whether the signed-in person works in the workspace (officer or administrator).
    pub staff: bool,
    /// Whether the signed-in person is an administrator.
    pub admin: bool,
    csrf: Option<Csrf>,
}

impl Chrome {
    pub fn new(req: &Request, title_key: &str) -> Chrome {
        let (lang, path) = Lang::of_path(req.uri().path());
        let path = match req.uri().query() {
            Some(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_string(),
        };
        let t = lang.messages();
        let visitor = req.extensions().get::<Visitor>();
        Chrome {
            title: t.get(title_key),
            lang,
            t,
            path,
            css: assets::url("site.css"),
            logo: assets::url("logo.svg"),
            account: visitor
                .and_then(|v| v.signed_in.as_ref())
                .map(|s| s.display_name.clone()),
            staff: visitor
                .and_then(|v| v.actor())
                .is_some_and(|a| a.is_staff()),
            admin: visitor
                .and_then(|v| v.actor())
                .is_some_and(|a| a.role == domain::types::Role::Admin),
            csrf: visitor.map(|v| v.csrf.clone()),
        }
    }

    /// The URL of a static asset (`character-count.js`), with its content hash.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The token for a form's hidden `csrf` field (see [`visitor`]).
    pub fn csrf_token(&self) -> String {
        self.csrf.as_ref().map(Csrf::token).unwrap_or_default()
    }

    /// The page's path in its language (for `next=` after signing in).
    pub fn here(&self) -> String {
        self.href(&self.path)
    }

    /// The sign-in page, coming back here afterwards.
    pub fn sign_in_href(&self) -> String {
        if self.path.starts_with("/sign-in") {
            // Already signing in: keep one `next`, do not nest them.
            return self.href("/sign-in");
        }
        link(self, "/sign-in", &[("next", Some(&self.here()))])
    }

    /// The sign-in page, going to `path` (in this page's language) afterwards.
    pub fn sign_in_href_to(&self, path: &str) -> String {
        link(self, "/sign-in", &[("next", Some(&self.href(path)))])
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
        DomainError::Forbidden(_) => message(req, StatusCode::FORBIDDEN, "workspace-forbidden"),
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

/// A page that only says something: a heading, paragraphs, and perhaps a link onwards.
#[derive(Template)]
#[template(path = "pages/message.html")]
pub(crate) struct MessagePage {
    pub chrome: Chrome,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

/// A message page with `status`, its heading and paragraphs from the messages `key-title` and
/// `key-body`.
pub(crate) fn message(req: &Request, status: StatusCode, key: &str) -> Response {
    let chrome = Chrome::new(req, &format!("{key}-title"));
    let page = MessagePage {
        paragraphs: vec![chrome.t.get(&format!("{key}-body"))],
        link: Some((chrome.href("/"), chrome.t.get("not-found-home"))),
        chrome,
    };
    render(req, status, page)
}

/// A form posted without a valid CSRF token (or not as a form): 403, nothing changed.
pub(crate) fn forbidden(req: &Request) -> Response {
    message(req, StatusCode::FORBIDDEN, "form-expired")
}

/// A form larger than any page accepts.
pub(crate) fn too_large(req: &Request) -> Response {
    message(req, StatusCode::PAYLOAD_TOO_LARGE, "form-too-large")
}

/// A redirect after a successful post (`303 See Other`, so the browser follows with a GET).
pub(crate) fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(poem::http::header::LOCATION, location)
        .finish()
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

type MakeEndpoint = fn() -> poem::endpoint::BoxEndpoint<'static>;

/// A page's handlers for one path: GET, and POST for its form if it has one, and who may
/// open it (see [`access`]).
pub(crate) struct PageRoute {
    path: &'static str,
    get: Option<MakeEndpoint>,
    post: Option<MakeEndpoint>,
    access: Access,
    /// The largest file upload its form takes, for a form that uploads one.
    upload: Option<usize>,
}

impl PageRoute {
    /// A page anyone may read.
    const fn public(path: &'static str, get: MakeEndpoint) -> PageRoute {
        PageRoute {
            path,
            get: Some(get),
            post: None,
            access: Access::Public,
            upload: None,
        }
    }

    /// A page with a form, for `access`.
    const fn with(
        access: Access,
        path: &'static str,
        get: Option<MakeEndpoint>,
        post: Option<MakeEndpoint>,
    ) -> PageRoute {
        PageRoute {
            path,
            get,
            post,
            access,
            upload: None,
        }
    }

    /// A page whose form uploads a file of at most `limit` bytes (the whole form).
    const fn uploading(mut self, limit: usize) -> PageRoute {
        self.upload = Some(limit);
        self
    }
}

/// The pages, by path without the language prefix. Each is served at the path (Thai) and at
/// `/en` + path (English).
fn pages() -> Vec<PageRoute> {
    use Access::{Public, SignedIn};
    const fn page(path: &'static str, get: MakeEndpoint) -> PageRoute {
        PageRoute::public(path, get)
    }
    let mut pages = vec![
        page("/", || home::home.boxed()),
        page("/consultations", || consultations::list.boxed()),
        page("/consultations/:id", || consultations::show.boxed()),
        page("/drafts", || drafts::list.boxed()),
        page("/agencies", || agencies::list.boxed()),
        page("/laws", || laws::list.boxed()),
        page("/laws/:id", || laws::show.boxed()),
        PageRoute {
            path: "/laws/:id/evaluation-requests",
            get: None,
            post: Some(|| laws::ask.boxed()),
            access: Public,
            upload: None,
        },
        page("/agencies/:slug", || agencies::show.boxed()),
        page("/drafts/:id", || drafts::show.boxed()),
        page("/drafts/:id/changes", || drafts::changes.boxed()),
        page("/drafts/:id/impact-assessment", || {
            drafts::assessment.boxed()
        }),
        page("/search", || search::search.boxed()),
        PageRoute {
            path: "/consultations/:id/comments",
            get: Some(|| published::list.boxed()),
            post: Some(|| commenting::post.boxed()),
            access: Public,
            upload: None,
        },
        page("/about", || content::show.boxed()),
        page("/privacy", || content::show.boxed()),
        page("/accessibility", || content::show.boxed()),
        page("/open-data", || content::show.boxed()),
        page("/open-data/datasets", || datasets::show.boxed()),
        PageRoute::with(SignedIn, "/account", Some(|| account::show.boxed()), None),
        PageRoute::with(
            SignedIn,
            "/account/data.json",
            Some(|| account::data.boxed()),
            None,
        ),
        PageRoute::with(
            SignedIn,
            "/account/tokens",
            None,
            Some(|| account::create_token.boxed()),
        ),
        PageRoute::with(
            SignedIn,
            "/account/tokens/:id/revoke",
            None,
            Some(|| account::revoke_token.boxed()),
        ),
        PageRoute::with(
            Public,
            "/invitations/:secret",
            Some(|| workspace::invitations::show.boxed()),
            Some(|| workspace::invitations::accept.boxed()),
        ),
        page("/consultations/:id/results", || results::show.boxed()),
        page("/comments/:number/receipt", || {
            commenting::show_receipt.boxed()
        }),
        PageRoute {
            path: "/track",
            get: Some(|| commenting::track_form.boxed()),
            post: Some(|| commenting::track_post.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/subscribe",
            get: Some(|| subscriptions::ask.boxed()),
            post: Some(|| subscriptions::subscribe.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/subscriptions/confirm",
            get: Some(|| subscriptions::confirm_page.boxed()),
            post: Some(|| subscriptions::confirm.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/subscriptions/unsubscribe",
            get: Some(|| subscriptions::unsubscribe_page.boxed()),
            post: Some(|| subscriptions::unsubscribe.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/sign-in",
            get: Some(|| sign_in::ask.boxed()),
            post: Some(|| sign_in::request.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/sign-in/oidc",
            get: None,
            post: Some(|| oidc::start.boxed()),
            access: Public,
            upload: None,
        },
        page("/sign-in/oidc/callback", || oidc::callback.boxed()),
        PageRoute {
            path: "/sign-in/:secret",
            get: Some(|| sign_in::confirm.boxed()),
            post: Some(|| sign_in::complete.boxed()),
            access: Public,
            upload: None,
        },
        PageRoute {
            path: "/sign-out",
            get: None,
            post: Some(|| sign_in::sign_out.boxed()),
            access: Public,
            upload: None,
        },
    ];
    pages.extend(workspace::pages());
    pages
}

/// Every page path (without the language prefix) with its methods and its access rule, for
/// the test that walks every page as each kind of visitor.
pub fn access_rules() -> Vec<(&'static str, Vec<Method>, Access)> {
    pages()
        .iter()
        .map(|p| (p.path, methods_of(p), p.access))
        .collect()
}

fn methods_of(p: &PageRoute) -> Vec<Method> {
    [
        (p.get.is_some(), Method::GET),
        (p.post.is_some(), Method::POST),
    ]
    .into_iter()
    .filter_map(|(has, m)| has.then_some(m))
    .collect()
}

/// Every page path in both languages, with its methods (for `Allow` on a 405).
pub fn allowed() -> Vec<(String, Vec<Method>)> {
    pages()
        .iter()
        .flat_map(|p| {
            let methods = methods_of(p);
            [
                (Lang::Th.href(p.path), methods.clone()),
                (Lang::En.href(p.path), methods),
            ]
        })
        .collect()
}

/// Serves `/` (the Thai home page) in front of `ep`, which has everything else at the root;
/// a browser that asks for a path nobody serves (outside `/api/`) gets the not-found page in
/// its language instead of the API's JSON problem.
pub async fn home_first<E: poem::Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    use poem::{Endpoint, IntoResponse};
    if req.uri().path() == "/" {
        return poem::get(home::home)
            .around(visitor::around)
            .call(req)
            .await;
    }
    let wants_page = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(poem::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    let uri = req.uri().clone();
    match ep.call(req).await {
        Err(e) if wants_page && e.status() == StatusCode::NOT_FOUND => {
            Ok(not_found(&Request::builder().uri(uri).finish()))
        }
        other => other.map(IntoResponse::into_response),
    }
}

/// Adds the pages to `route`.
pub fn mount(route: Route) -> Route {
    let endpoint = |p: &PageRoute| {
        let mut methods = poem::RouteMethod::new();
        if let Some(get) = p.get {
            methods = methods.get(get());
        }
        if let Some(post) = p.post {
            methods = methods.post(post());
        }
        let page = methods
            .around(access::guard(p.access))
            .around(visitor::around);
        match p.upload {
            Some(limit) => page.data(visitor::UploadLimit(limit)).boxed(),
            None => page.boxed(),
        }
    };
    pages().iter().fold(route, |route, p| {
        let route = route.at(Lang::En.href(p.path), endpoint(p));
        match p.path {
            "/" => route, // see `home_first`
            _ => route.at(Lang::Th.href(p.path), endpoint(p)),
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

/// A topic filter: a slug, or nothing (anything else matches no topic anyway).
pub(crate) fn topic(value: &Option<String>) -> Option<String> {
    given(value).filter(|t| domain::service::validate::is_slug(t))
}

/// A page's numeric id from its path (`/drafts/:id`). Anything else names no page: the visitor
/// gets the not-found page in their language, as for an id that does not exist.
pub struct PageId(pub i64);

impl<'a> poem::FromRequest<'a> for PageId {
    async fn from_request(req: &'a Request, body: &mut poem::RequestBody) -> poem::Result<Self> {
        let poem::web::Path(raw) = poem::web::Path::<String>::from_request(req, body).await?;
        raw.parse()
            .map(PageId)
            .map_err(|_| poem::Error::from_response(not_found(req)))
    }
}

/// A form or query value that is absent or blank is `None`.
pub(crate) fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}
