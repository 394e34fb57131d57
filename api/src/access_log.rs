//! One log line per request (method, path, status, duration), like poem's `Tracing`, but with
//! the secrets that travel in addresses taken out: the secret of a sign-in link
//! (`/sign-in/<secret>`) and `token` query parameters (subscription links). Logs must never
//! hold anything that lets a reader act as someone else.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument as _;

/// The request's path and query with secrets replaced by `****`.
pub fn redacted(path: &str, query: Option<&str>) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    let mut secret_next = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if secret_next && !segment.is_empty() {
            out.push_str("****");
        } else {
            out.push_str(segment);
        }
        secret_next = segment == "sign-in";
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("token") || name == "secret" => {
                    format!("{name}=****")
                }
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Logs each request (see the module documentation).
pub async fn log<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let uri = redacted(req.uri().path(), req.uri().query());
    let span = tracing::info_span!(
        "request",
        remote_addr = %req.remote_addr(),
        method = %req.method(),
        uri = %uri,
    );
    async move {
        let started = Instant::now();
        let resp = match ep.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        tracing::info!(
            status = resp.status().as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "response"
        );
        Ok(resp)
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn secrets_in_addresses_are_not_logged() {
        assert_eq!(redacted("/sign-in/abcDEF123", None), "/sign-in/****");
        assert_eq!(redacted("/en/sign-in/abc", None), "/en/sign-in/****");
        assert_eq!(redacted("/sign-in", Some("next=%2F")), "/sign-in?next=%2F");
        assert_eq!(
            redacted("/api/v1/subscriptions/confirm", Some("token=s3cret&x=1")),
            "/api/v1/subscriptions/confirm?token=****&x=1"
        );
        assert_eq!(redacted("/drafts/3", None), "/drafts/3");
    }
}
