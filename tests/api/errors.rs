use domain::ErrorCode;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{Reply, spawn_app};

fn assert_problem(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "content type {}",
        r.content_type
    );
    assert_eq!(r.code(), code, "{}", r.text);
    assert_eq!(r.body["status"], status.as_u16());
    assert_eq!(r.body["type"], format!("urn:rabfang:problem:{code}"));
    assert!(!r.body["detail"].as_str().unwrap_or("").is_empty());
}

#[test]
fn the_list_of_error_codes_is_stable() {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "validation_failed",
            "unknown_field",
            "malformed_json",
            "unauthenticated",
            "forbidden",
            "not_found",
            "method_not_allowed",
            "unsupported_media_type",
            "hearing_too_short",
            "consultation_not_open",
            "invalid_state",
            "conflict",
            "idempotency_key_reused",
            "payload_too_large",
            "rate_limited",
            "search_unavailable",
            "db_busy",
            "internal",
            "no_change",
            "malformed_request",
            "uri_too_long",
            "headers_too_large",
            "range_not_satisfiable",
        ]
    );
    // Every code is documented for API users.
    let spec = api::openapi_json();
    for code in codes {
        assert!(
            spec.contains(&format!("`{code}`")),
            "{code} is not in the API description"
        );
    }
}

#[test]
fn every_code_has_the_status_and_title_it_always_had() {
    let statuses: Vec<(&str, u16)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.status()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("validation_failed", 422),
            ("unknown_field", 422),
            ("malformed_json", 400),
            ("unauthenticated", 401),
            ("forbidden", 403),
            ("not_found", 404),
            ("method_not_allowed", 405),
            ("unsupported_media_type", 415),
            ("hearing_too_short", 422),
            ("consultation_not_open", 409),
            ("invalid_state", 409),
            ("conflict", 409),
            ("idempotency_key_reused", 422),
            ("payload_too_large", 413),
            ("rate_limited", 429),
            ("search_unavailable", 503),
            ("db_busy", 503),
            ("internal", 500),
            ("no_change", 409),
            ("malformed_request", 400),
            ("uri_too_long", 414),
            ("headers_too_large", 431),
            ("range_not_satisfiable", 416),
        ]
    );
    for code in ErrorCode::ALL {
        let status = StatusCode::from_u16(code.status()).unwrap();
        assert_eq!(
            Some(code.title()),
            status.canonical_reason(),
            "the title of {code} is the reason phrase of its status"
        );
        assert_eq!(api::error::status_of(*code), status);
        assert!(!code.description().is_empty(), "{code} has no description");
    }
}

#[tokio::test]
async fn bad_bodies_get_problems_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    app.agency("errs").await;
    let officer = app.user("officer", Some("errs")).await;
    let malformed = app
        .raw(
            Method::POST,
            "/api/v1/drafts",
            Some(&officer),
            "application/json",
            b"{\"title_th\": ".to_vec(),
        )
        .await;
    assert_problem(&malformed, StatusCode::BAD_REQUEST, "malformed_json");

    let wrong_type = app
        .create_draft(Some(&officer), &json!({"title_th": 5, "law_type": "act"}))
        .await;
    assert_problem(
        &wrong_type,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(wrong_type.body["errors"][0]["field"], "title_th");
    assert_eq!(wrong_type.body["errors"][0]["code"], "invalid_type");

    let missing = app
        .create_draft(Some(&officer), &json!({"law_type": "act"}))
        .await;
    assert_problem(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(missing.body["errors"][0]["field"], "title_th");
    assert_eq!(missing.body["errors"][0]["code"], "required");

    let bad_enum = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่าง", "law_type": "decree"}),
        )
        .await;
    assert_problem(
        &bad_enum,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_enum.body["errors"][0]["field"], "law_type");

    for field in ["status", "agency_id", "id", "published_at"] {
        let mut body = json!({"title_th": "ร่าง", "law_type": "act"});
        body[field] = json!("enacted");
        let r = app.create_draft(Some(&officer), &body).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_field");
        assert_eq!(r.body["errors"][0]["field"], field);
    }

    let empty_title = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "   ", "law_type": "act", "topics": ["Not A Slug"]}),
        )
        .await;
    assert_problem(
        &empty_title,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let fields: Vec<&str> = empty_title.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title_th", "topics[0]"]);

    let not_json = app
        .raw(
            Method::POST,
            "/api/v1/drafts",
            Some(&officer),
            "text/plain",
            b"hello".to_vec(),
        )
        .await;
    assert_problem(
        &not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    // Nothing was written by any of the above.
    let list = app.list_drafts(Some(&officer), &[]).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn unknown_routes_methods_and_parameters_get_problems() {
    let app = spawn_app().await;
    assert_problem(
        &app.get("/api/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &app.get_draft(999999, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = app
        .request(Method::DELETE, "/api/v1/drafts", None, None, &[])
        .await;
    assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_problem(
        &app.get("/api/v1/drafts/not-a-number", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let r = app.list_drafts(None, &[("limit", "0")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "limit");
    let r = app.list_drafts(None, &[("cursor", "bogus")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "cursor");
    let r = app.list_drafts(None, &[("status", "flying")]).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "status");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    app.agency("big").await;
    let officer = app.user("officer", Some("big")).await;
    // Over the 512 KiB limit for a draft's text, under the request limit.
    let body = "มาตรา ๑ ".to_string() + &"ก".repeat(200_000);
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างใหญ่", "law_type": "act", "body_markdown": body}),
        )
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Over the request limit itself.
    let huge = vec![b' '; 3 * 1024 * 1024];
    let r = app
        .raw(
            Method::POST,
            "/api/v1/drafts",
            Some(&officer),
            "application/json",
            huge,
        )
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let list = app.list_drafts(Some(&officer), &[]).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn every_unknown_field_of_a_body_is_named() {
    let app = spawn_app().await;
    app.agency("unk").await;
    let officer = app.user("officer", Some("unk")).await;
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่าง", "law_type": "act", "status": "enacted", "agency_id": 7}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_field");
    let mut fields: Vec<(&str, &str)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [("agency_id", "unknown_field"), ("status", "unknown_field")],
        "{}",
        r.text
    );
    let list = app.list_drafts(Some(&officer), &[]).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_405_names_the_methods_of_its_path_in_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/drafts", "GET, HEAD, POST"),
        (Method::PUT, "/api/v1/drafts/1", "GET, HEAD, PATCH"),
        (Method::POST, "/healthz", "GET, HEAD"),
        (Method::POST, "/static/site.css", "GET, HEAD"),
    ] {
        let resp = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_pages_cannot_be_framed() {
    let app = spawn_app().await;
    for (path, status, page) in [
        ("/", StatusCode::OK, true),
        ("/docs", StatusCode::OK, true),
        ("/healthz", StatusCode::OK, false),
        ("/openapi.json", StatusCode::OK, false),
        ("/static/site.css", StatusCode::OK, false),
        ("/api/v1/nothing-here", StatusCode::NOT_FOUND, false),
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), status, "{path}");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if page {
            assert!(header("content-type").starts_with("text/html"), "{path}");
        }
        if path == "/" {
            assert!(csp.contains("default-src 'self'"), "{csp}");
            assert!(!csp.contains("unsafe-inline"), "{csp}");
        }
    }
}

/// Sends `request` as is on a new connection and reads the answer until the server closes it:
/// status, lower-cased head and body.
async fn raw_http(app: &tests::TestApp, request: &[u8]) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("an answer within 10 s")
    .expect("reading the answer");
    let answer = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

#[tokio::test]
async fn requests_too_long_or_with_too_many_headers_get_problems() {
    let app = spawn_app().await;
    let long_uri = format!(
        "GET /api/v1/search?q={} HTTP/1.1\r\nhost: localhost\r\n\r\n",
        "a".repeat(70_000)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nhost: localhost\r\n{}\r\n",
        (0..150)
            .map(|i| format!("x-filler-{i}: {}\r\n", "v".repeat(20)))
            .collect::<String>()
    );
    let not_http = "GET /healthz HTTP/1.1\r\nhost: localhost\r\nthis is not a header\r\n\r\n";
    for (request, status, code) in [
        (long_uri.as_str(), 414, "uri_too_long"),
        (many_headers.as_str(), 431, "headers_too_large"),
        (not_http, 400, "malformed_request"),
    ] {
        let (got, head, body) = raw_http(&app, request.as_bytes()).await;
        assert_eq!(got, status, "{head}\n{body}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        let problem: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
        assert_eq!(problem["code"], code, "{body}");
        assert_eq!(problem["status"], status);
    }
    // The server still answers ordinary requests.
    let (status, _, _) = raw_http(
        &app,
        b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
}
