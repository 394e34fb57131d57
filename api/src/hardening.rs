//! Headers every answer carries, in one middleware around the whole application.
//!
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: strict-origin-when-cross-origin`
//!   on every response.
//! - A `Content-Security-Policy` on every response: pages load only what our origin serves, run
//!   no inline script and cannot be framed (`frame-ancestors 'none'`). The interactive
//!   documentation under `/docs` is Swagger UI, which poem-openapi serves as one page with
//!   inline script and style, so it gets its own policy that allows exactly that and still
//!   cannot be framed. Everything that is not HTML gets `default-src 'none'`.
//! - A `405 Method Not Allowed` names the methods of its path in `Allow` (RFC 9110 §15.5.6).
//!   poem's router does not say which methods a path has, so [`AllowTable`] keeps a second
//!   router with the same paths, built from the same operations, that answers with them.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Route,
    endpoint::{BoxEndpoint, make_sync},
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::OpenApi;

/// The site's pages: our origin only, no inline script or style, no plugins, never framed.
pub const PAGE_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                            form-action 'self'; frame-ancestors 'none'";
/// Swagger UI under `/docs`: its script and style are inline in the page; it fetches the API
/// from our origin and draws icons from `data:` images.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
                            style-src 'unsafe-inline'; img-src 'self' data:; \
                            connect-src 'self'; font-src 'self' data:; base-uri 'none'; \
                            form-action 'self'; frame-ancestors 'none'";
/// JSON, CSS and everything else that is not a page: nothing to load, nothing to run.
pub const OTHER_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// For each path of the application, the methods it answers.
#[derive(Clone)]
pub struct AllowTable(Arc<Route>);

impl AllowTable {
    /// The table of the API's operations (site pages included), plus `extra` paths
    /// in poem's syntax (`/static/*`) with their methods.
    pub fn new<T: OpenApi>(api: T, extra: &[(&str, &[Method])]) -> AllowTable {
        let mut table: HashMap<String, HashMap<Method, BoxEndpoint<'static>>> = HashMap::new();
        api.add_routes(&mut table);
        let mut paths: Vec<(String, Vec<Method>)> = table
            .into_iter()
            .map(|(path, methods)| (path, methods.into_keys().collect()))
            .collect();
        paths.extend(
            extra
                .iter()
                .map(|(path, methods)| (path.to_string(), methods.to_vec())),
        );
        let route = paths
            .into_iter()
            .fold(Route::new(), |route, (path, methods)| {
                let allow = allow_header(&methods);
                route.at(path, make_sync(move |_| allow.clone()))
            });
        AllowTable(Arc::new(route))
    }

    /// The `Allow` value for the path of `uri`, if the application has that path.
    async fn allow(&self, uri: &poem::http::Uri) -> Option<HeaderValue> {
        let req = Request::builder().uri(uri.clone()).finish();
        let resp = self.0.call(req).await.ok()?;
        let text = resp.into_body().into_string().await.ok()?;
        HeaderValue::from_str(&text).ok()
    }
}

/// `GET, HEAD, POST`: in a fixed order, with `HEAD` wherever `GET` is (poem answers it).
fn allow_header(methods: &[Method]) -> String {
    const ORDER: [Method; 8] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
    ];
    let mut set: BTreeSet<usize> = BTreeSet::new();
    for m in methods {
        if let Some(i) = ORDER.iter().position(|o| o == m) {
            set.insert(i);
        }
        if *m == Method::GET {
            set.insert(1);
        }
    }
    set.into_iter()
        .map(|i| ORDER[i].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The middleware; see the module documentation.
pub struct Hardening {
    allow: AllowTable,
    hsts: bool,
}

impl Hardening {
    /// `https`: the public URL is https, so browsers are told to use nothing else (HSTS).
    pub fn new(allow: AllowTable, https: bool) -> Hardening {
        Hardening { allow, hsts: https }
    }
}

impl<E: Endpoint> Middleware<E> for Hardening {
    type Output = HardeningEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HardeningEndpoint {
            inner,
            allow: self.allow.clone(),
            hsts: self.hsts,
        }
    }
}

pub struct HardeningEndpoint<E> {
    inner: E,
    allow: AllowTable,
    hsts: bool,
}

impl<E: Endpoint> Endpoint for HardeningEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let uri = req.uri().clone();
        let mut resp = match self.inner.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED
            && !resp.headers().contains_key(header::ALLOW)
            && let Some(allow) = self.allow.allow(&uri).await
        {
            resp.headers_mut().insert(header::ALLOW, allow);
        }
        let is_html = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/html")
            });
        let path = uri.path();
        let csp = if !is_html {
            OTHER_CSP
        } else if path == "/docs" || path.starts_with("/docs/") {
            DOCS_CSP
        } else {
            PAGE_CSP
        };
        let headers = resp.headers_mut();
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static(REFERRER_POLICY),
        );
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        // A page that sets its own policy (a stricter one, or one with a nonce) keeps it.
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert_with(|| HeaderValue::from_static(csp));
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_methods_in_order_with_head_beside_get() {
        assert_eq!(
            allow_header(&[Method::PATCH, Method::GET]),
            "GET, HEAD, PATCH"
        );
        assert_eq!(allow_header(&[Method::POST]), "POST");
    }
}
