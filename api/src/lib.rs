//! Rabfang's HTTP server: the JSON API under `/api/v1`, its OpenAPI document and interactive
//! documentation, health checks, and the server-rendered site.

use std::time::Duration;

use anyhow::Context as _;
use domain::Context;
use poem::{
    EndpointExt, IntoEndpoint, Route, Server,
    endpoint::BoxEndpoint,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};
use poem_openapi::OpenApiService;

pub mod access_log;
pub mod auth;
pub mod body;
pub mod caching;
pub mod cli;
pub mod demo;
pub mod error;
pub mod hardening;
pub mod json;
pub mod kept;
pub mod kept_answers;
pub mod limits;
pub mod listener;
pub mod routes;
pub mod site;
pub mod spec;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub ctx: Context,
    /// Draft versions' texts as pages show them, rendered once.
    pub texts: std::sync::Arc<site::texts::RenderedTexts>,
    /// Whole public answers, made once and served again to a crowd.
    pub answers: std::sync::Arc<kept_answers::KeptAnswers>,
}

pub const API_TITLE: &str = "Rabfang API";

fn api_service(public_url: &str) -> OpenApiService<routes::Api, ()> {
    OpenApiService::new(routes::api(), API_TITLE, env!("CARGO_PKG_VERSION"))
        .description(format!(
            "{}{}",
            include_str!("../../openapi/description.md"),
            error::codes_markdown()
        ))
        .server(public_url.to_string())
}

/// The OpenAPI document as served (the committed `openapi/openapi.json` must equal it).
pub fn openapi_json() -> String {
    spec::tidy(&api_service("http://127.0.0.1:8080").spec())
}

/// The whole HTTP application.
pub fn app(ctx: Context) -> BoxEndpoint<'static> {
    let service = api_service(&ctx.settings.public_url);
    let document = spec::tidy(&service.spec());
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json")
            .body(document.clone())
    });
    let docs = service.swagger_ui();
    let limits = std::sync::Arc::new(limits::Limits::new(&ctx.settings));
    let pages = site::allowed();
    let mut extra: Vec<(&str, &[poem::http::Method])> = pages
        .iter()
        .map(|(path, methods)| (path.as_str(), methods.as_slice()))
        .collect();
    extra.push(("/static/:file", &[poem::http::Method::GET]));
    extra.push(("/robots.txt", &[poem::http::Method::GET]));
    extra.push(("/sitemap.xml", &[poem::http::Method::GET]));
    let allow = hardening::AllowTable::new(routes::api(), &extra);
    let https = ctx.settings.public_url.starts_with("https://");
    let routes = Route::new()
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/static/:file", poem::get(site::assets::serve))
        .at("/robots.txt", poem::get(site::sitemap::robots))
        .at("/sitemap.xml", poem::get(site::sitemap::sitemap))
        // poem's router keeps `/` for what is nested there, so the Thai home page is picked
        // out in front of the API service.
        .nest("/", service.around(site::home_first));
    let answers = std::sync::Arc::new(kept_answers::KeptAnswers::new(ctx.settings.public_cache_ms));
    site::mount(routes)
        .around(kept_answers::serve)
        .with(limits::RateLimit(limits))
        .with(auth::Authenticate)
        .data(AppState {
            ctx,
            texts: std::sync::Arc::new(site::texts::rendered_texts()),
            answers,
        })
        .catch_all_error(error::render_poem_error)
        .around(limits::retry_after)
        .around(caching::conditional_get)
        .with(hardening::Hardening::new(allow, https))
        .around(access_log::log)
        .into_endpoint()
        .boxed()
}

/// A bound server, not yet running: tests bind port 0 and read the port before starting.
pub struct Application {
    acceptor: TcpAcceptor,
    ctx: Context,
}

impl Application {
    pub async fn bind(ctx: Context) -> anyhow::Result<Application> {
        let acceptor = TcpListener::bind(ctx.settings.listen.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", ctx.settings.listen))?;
        Ok(Application { acceptor, ctx })
    }

    /// Sets the public URL (tests that bind port 0 learn it only after binding).
    pub fn set_public_url(&mut self, url: &str) {
        self.ctx.settings.public_url = url.trim_end_matches('/').to_string();
    }

    pub fn port(&self) -> u16 {
        self.acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .unwrap_or(0)
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (up to 10 s).
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        // hyper's own answers to unreadable requests become problems too (see `listener`).
        Server::new_with_acceptor(listener::ProblemAcceptor(self.acceptor))
            .run_with_graceful_shutdown(app(self.ctx), shutdown, Some(Duration::from_secs(10)))
            .await
            .context("serving HTTP")
    }
}
