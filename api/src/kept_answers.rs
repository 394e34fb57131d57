//! Public answers made once and served again to a crowd.
//!
//! When a draft law makes the news, thousands of people read the same few pages and ask the
//! same searches within seconds. An answer to a reader who sends neither a token nor a cookie
//! (so it is the same for everyone) is kept, whole, and served again while both hold:
//! - this process has committed no write since the answer was begun ([`domain::db::Db::writes`],
//!   counted after every commit of the API's requests and of the embedded worker, and after
//!   the worker changes the search index or publishes an export), so a moderator's decision, a
//!   new version, a closed consultation or a new export shows on the next read;
//! - it is younger than `RABFANG_PUBLIC_CACHE_MS` (default one second), the longest a write
//!   made by another process (a `rabfang` command, another server) can go unseen. Answers
//!   already say `Cache-Control: public, max-age=30` to caches in front of Rabfang.
//!
//! Only `200` answers of pages and JSON that set no cookie and are not marked `private` or
//! `no-store` are kept (a page with a form is marked so by `site::visitor`), each at most
//! [`MAX_ANSWER_BYTES`], all within [`BUDGET_BYTES`]. A request that says
//! `Cache-Control: no-cache` (a browser's hard reload) is answered afresh. The rate limits, the
//! access log and the security headers apply to kept answers as to any other: this layer sits
//! inside them, next to the routes. A revalidation (`If-None-Match`) is answered from the kept
//! answer's `ETag`.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
};

use crate::{
    AppState,
    kept::{Kept, Weight},
};

/// The most bytes of answers one server keeps.
pub const BUDGET_BYTES: usize = 16 * 1024 * 1024;

/// The largest answer kept (a long draft version's JSON is a few hundred KB).
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Kinds of answer that are made in memory and worth keeping (not export files).
const KEPT_TYPES: &[&str] = &[
    "text/html",
    "application/json",
    "application/ld+json",
    "application/akn+xml",
    "application/xml",
    "text/plain",
];

/// The answers one server keeps, and for how long.
pub struct KeptAnswers {
    answers: Kept<String, Arc<Answer>>,
    ttl: Duration,
}

/// A kept answer.
struct Answer {
    headers: HeaderMap,
    body: bytes::Bytes,
    /// [`domain::db::Db::writes`] when the answer was begun.
    writes: u64,
    made: Instant,
}

impl Weight for Arc<Answer> {
    fn weight(&self) -> usize {
        // The headers are a few hundred bytes.
        self.body.len() + 512
    }
}

impl KeptAnswers {
    pub fn new(ttl_ms: u64) -> KeptAnswers {
        KeptAnswers {
            answers: Kept::new(BUDGET_BYTES),
            ttl: Duration::from_millis(ttl_ms),
        }
    }
}

/// Serves a kept answer when there is a current one; keeps a new answer when it may.
pub async fn serve<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let Some(state) = req.data::<AppState>().cloned() else {
        return ep.call(req).await.map(IntoResponse::into_response);
    };
    let kept = &state.answers;
    let Some(key) = key(&req).filter(|_| !kept.ttl.is_zero()) else {
        return ep.call(req).await.map(IntoResponse::into_response);
    };
    let writes = state.ctx.db.writes();
    if !asks_afresh(&req)
        && let Some(answer) = kept.answers.get(&key)
        && answer.writes == writes
        && answer.made.elapsed() < kept.ttl
    {
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .body(Body::from(answer.body.clone()));
        *response.headers_mut() = answer.headers.clone();
        return Ok(response);
    }
    let made = Instant::now();
    // The whole answer is made, to keep it: a handler would answer a revalidation with a bare
    // `304`. The caching layer outside still answers this request `304` when it may.
    let mut req = req;
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let response = ep.call(req).await?.into_response();
    if !keepable(&response) {
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    let body = body.into_bytes().await?;
    if body.len() <= MAX_ANSWER_BYTES {
        // The caching layer outside takes this ETag instead of hashing the body on each hit.
        if !parts.headers.contains_key(header::ETAG) {
            parts
                .headers
                .insert(header::ETAG, crate::caching::body_etag(&body));
        }
        kept.answers.keep(
            key,
            Arc::new(Answer {
                headers: parts.headers.clone(),
                body: body.clone(),
                writes,
                made,
            }),
        );
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// What identifies an answer that may be kept: `None` when the request is personal or is not
/// a plain read.
fn key(req: &Request) -> Option<String> {
    let headers = req.headers();
    if *req.method() != Method::GET
        || headers.contains_key(header::AUTHORIZATION)
        || headers.contains_key(header::COOKIE)
        || headers.contains_key(header::RANGE)
        || req.uri().path() == "/healthz"
        || req.uri().path() == "/readyz"
    {
        return None;
    }
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("")
    };
    Some(format!(
        "{}\n{}\n{}",
        req.uri(),
        header(header::ACCEPT),
        header(header::ACCEPT_LANGUAGE)
    ))
}

/// Whether the reader asks for an answer made afresh (`Cache-Control: no-cache`, `no-store`
/// or `max-age=0`, or `Pragma: no-cache`).
fn asks_afresh(req: &Request) -> bool {
    let says = |name, words: &[&str]| {
        req.headers().get_all(name).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|d| words.contains(&d.trim().to_ascii_lowercase().as_str()))
            })
        })
    };
    says(
        header::CACHE_CONTROL,
        &["no-cache", "no-store", "max-age=0"],
    ) || says(header::PRAGMA, &["no-cache"])
}

/// Whether an answer is the same for every anonymous reader and small enough to keep.
fn keepable(response: &Response) -> bool {
    let headers = response.headers();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let private = headers.get_all(header::CACHE_CONTROL).iter().any(|v| {
        v.to_str()
            .map_or(true, |v| v.contains("private") || v.contains("no-store"))
    });
    let too_long = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_ANSWER_BYTES);
    response.status() == StatusCode::OK
        && !headers.contains_key(header::SET_COOKIE)
        && !private
        && !too_long
        && KEPT_TYPES.iter().any(|t| {
            content_type
                .split(';')
                .next()
                .is_some_and(|c| c.trim() == *t)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(headers: &[(&str, &str)]) -> Request {
        let mut req = Request::builder().uri_str("/drafts/1?x=1");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.finish()
    }

    #[test]
    fn only_anonymous_plain_reads_have_a_key() {
        assert!(key(&get(&[])).is_some());
        assert_ne!(
            key(&get(&[("accept", "application/json")])),
            key(&get(&[("accept", "text/html")])),
            "what is asked for is part of the key"
        );
        for personal in [
            ("authorization", "Bearer x"),
            ("cookie", "rabfang_session=x"),
            ("range", "bytes=0-1"),
        ] {
            assert!(key(&get(&[personal])).is_none(), "{personal:?}");
        }
        let post = Request::builder()
            .method(Method::POST)
            .uri_str("/drafts/1")
            .finish();
        assert!(key(&post).is_none());
    }

    #[test]
    fn a_hard_reload_asks_afresh() {
        assert!(asks_afresh(&get(&[("cache-control", "no-cache")])));
        assert!(asks_afresh(&get(&[("cache-control", "max-age=0")])));
        assert!(asks_afresh(&get(&[("pragma", "no-cache")])));
        assert!(!asks_afresh(&get(&[("cache-control", "max-age=60")])));
        assert!(!asks_afresh(&get(&[])));
    }

    #[test]
    fn personal_or_large_answers_are_not_kept() {
        let answer = |headers: &[(&str, &str)]| {
            let mut r = Response::builder().status(StatusCode::OK);
            for (name, value) in headers {
                r = r.header(*name, *value);
            }
            r.finish()
        };
        assert!(keepable(&answer(&[(
            "content-type",
            "text/html; charset=utf-8"
        )])));
        assert!(keepable(&answer(&[("content-type", "application/json")])));
        for not in [
            vec![("content-type", "text/csv")],
            vec![("content-type", "text/html"), ("set-cookie", "a=b")],
            vec![
                ("content-type", "text/html"),
                ("cache-control", "private, no-store"),
            ],
            vec![
                ("content-type", "application/json"),
                ("content-length", "2000000"),
            ],
        ] {
            assert!(!keepable(&answer(&not)), "{not:?}");
        }
        let not_found = Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/html")
            .finish();
        assert!(!keepable(&not_found));
    }
}
