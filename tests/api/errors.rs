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
        .post(
            "/api/v1/drafts",
            Some(&officer),
            &json!({"title_th": 5, "law_type": "act"}),
        )
        .await;
    assert_problem(
        &wrong_type,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(wrong_type.body["errors"][0]["field"], "title_th");
    assert_eq!(wrong_type.body["errors"][0]["code"], "invalid_type");

    let missing = app
        .post(
            "/api/v1/drafts",
            Some(&officer),
            &json!({"law_type": "act"}),
        )
        .await;
    assert_problem(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(missing.body["errors"][0]["field"], "title_th");
    assert_eq!(missing.body["errors"][0]["code"], "required");

    let bad_enum = app
        .post(
            "/api/v1/drafts",
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
        let r = app.post("/api/v1/drafts", Some(&officer), &body).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_field");
        assert_eq!(r.body["errors"][0]["field"], field);
    }

    let empty_title = app
        .post(
            "/api/v1/drafts",
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
    let list = app.get("/api/v1/drafts", Some(&officer)).await;
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
        &app.get("/api/v1/drafts/999999", None).await,
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
    let r = app.get("/api/v1/drafts?limit=0", None).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "limit");
    let r = app.get("/api/v1/drafts?cursor=bogus", None).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "cursor");
    let r = app.get("/api/v1/drafts?status=flying", None).await;
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
        .post(
            "/api/v1/drafts",
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
    let list = app.get("/api/v1/drafts", Some(&officer)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}
