//! HTTP caching of reads, so that a cache in front of Rabfang (or a browser) can take a flash
//! crowd. Every successful GET gets a strong `ETag` (a hash of its body); a request whose
//! `If-None-Match` names it is answered `304 Not Modified` with no body. Anonymous reads are
//! `Cache-Control: public` for a short time; reads made with a token or a cookie are `private`
//! and revalidated each time, and `Vary` keeps the two apart. Health checks are never cached.
//!
//! A handler whose page is costly to make may set the `ETag` itself from what the page is made
//! of ([`etag_of`]), and answer a matching `If-None-Match` before making it ([`fresh`],
//! [`not_modified`]); the body is then not hashed, and this middleware adds the same
//! `Cache-Control` and `Vary` to that `304` as to the page.

use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
};

/// How long anyone may reuse an anonymous answer without asking again.
pub const PUBLIC_MAX_AGE_SECONDS: u32 = 30;

/// Adds `ETag`, answers `304` to a matching `If-None-Match`, and sets `Cache-Control`.
pub async fn conditional_get<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let path = req.uri().path();
    let health = path == "/healthz" || path == "/readyz";
    let personal = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key(header::COOKIE);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut response = ep.call(req).await?.into_response();
    // A handler's own early `304` (see [`not_modified`]) gets the page's caching headers.
    let handler_304 = response.status() == StatusCode::NOT_MODIFIED
        && response.headers().contains_key(header::ETAG);
    if !read || !(response.status() == StatusCode::OK || handler_304) {
        return Ok(response);
    }
    if health {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let etag = match response.headers().get(header::ETAG) {
        Some(tag) => tag.clone(),
        None => {
            let (parts, body) = response.into_parts();
            let bytes = body.into_bytes().await?;
            let tag = body_etag(&bytes);
            response = Response::from_parts(parts, Body::from(bytes));
            response.headers_mut().insert(header::ETAG, tag.clone());
            tag
        }
    };
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            if personal {
                HeaderValue::from_static("private, no-cache")
            } else {
                HeaderValue::from_str(&format!(
                    "public, max-age={PUBLIC_MAX_AGE_SECONDS}, stale-while-revalidate={PUBLIC_MAX_AGE_SECONDS}"
                ))
                .expect("a valid header value")
            },
        );
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    if handler_304 {
        return Ok(response);
    }
    if if_none_match.is_some_and(|v| matches(&v, &etag)) {
        let mut not_modified = Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .finish();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            for value in response.headers().get_all(&name) {
                not_modified
                    .headers_mut()
                    .append(name.clone(), value.clone());
            }
        }
        return Ok(not_modified);
    }
    Ok(response)
}

/// A strong `ETag` for an answer whose body is `body`.
pub fn body_etag(body: &[u8]) -> HeaderValue {
    let tag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body));
    HeaderValue::from_str(&tag).expect("hex is a valid header value")
}

/// A strong `ETag` for a page made from `inputs` (everything the page is made of, with the
/// build it is rendered by: see `RABFANG_SITE_BUILD` in `api/build.rs`).
pub fn etag_of(inputs: &[u8]) -> HeaderValue {
    let tag = format!(
        "\"b{:032x}\"",
        xxhash_rust::xxh3::xxh3_128_with_seed(inputs, SITE_BUILD_SEED)
    );
    HeaderValue::from_str(&tag).expect("hex is a valid header value")
}

/// The build's hash, as a seed of [`etag_of`].
const SITE_BUILD_SEED: u64 = match u64::from_str_radix(env!("RABFANG_SITE_BUILD"), 16) {
    Ok(seed) => seed,
    Err(_) => panic!("RABFANG_SITE_BUILD is hexadecimal"),
};

/// Whether the request's `If-None-Match` names `etag`: the page need not be made again.
pub fn fresh(req: &Request, etag: &HeaderValue) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && req
            .headers()
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .any(|v| matches(v, etag))
}

/// `304 Not Modified` for a page whose `ETag` is `etag` (the middleware adds the rest).
pub fn not_modified(etag: HeaderValue) -> Response {
    Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .header(header::ETAG, etag)
        .finish()
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, RFC 9110 13.1.2).
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let etag = etag.to_str().unwrap_or_default();
    list.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.trim_start_matches("W/") == etag.trim_start_matches("W/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let tag = HeaderValue::from_static("\"abc\"");
        for yes in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(yes), &tag), "{yes}");
        }
        for no in ["\"abcd\"", "abc", "\"x\""] {
            assert!(!matches(&HeaderValue::from_static(no), &tag), "{no}");
        }
    }
}
