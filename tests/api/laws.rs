//! Laws in force: public, reasoned requests to evaluate a law before its five years are up
//! (s.34). The scheduler's reminders are tested in `worker`.

use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

const REASON: &str = "กฎหมายนี้สร้างภาระแก่วิสาหกิจชุมชนเกินสมควร ควรประเมินผลสัมฤทธิ์ก่อนครบห้าปี";

#[tokio::test]
async fn anyone_signed_in_may_ask_once_for_an_early_evaluation_with_a_reason() {
    let app = spawn_app().await;
    app.agency("laws").await;
    let officer = app.user("officer", Some("laws")).await;
    let law = app
        .create_law(
            Some(&officer),
            &json!({"title_th": "พระราชบัญญัติทดสอบ", "law_type": "act", "in_force_since": "2024-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(law.status, StatusCode::CREATED, "{}", law.text);
    assert_eq!(law.body["evaluation_requests"], 0);
    let id = law.body["id"].as_i64().unwrap();
    let citizen = app.user("citizen", None).await;

    // Bad requests change nothing.
    let anonymous = app
        .create_evaluation_request(id, None, &json!({"reason": REASON}))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let short = app
        .create_evaluation_request(id, Some(&citizen), &json!({"reason": "ไม่ดี"}))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.body["errors"][0]["field"], "reason");
    assert_eq!(short.body["errors"][0]["code"], "too_short");
    let unknown = app
        .create_evaluation_request(
            id,
            Some(&citizen),
            &json!({"reason": REASON, "email": "x@y.example"}),
        )
        .await;
    assert_eq!(unknown.code(), "unknown_field");
    let missing = app
        .create_evaluation_request(999999, Some(&citizen), &json!({"reason": REASON}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_law(id, None).await.body["evaluation_requests"], 0);

    // One request per person.
    let first = app
        .create_evaluation_request(id, Some(&citizen), &json!({"reason": REASON}))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["reason"], REASON);
    let again = app
        .create_evaluation_request(id, Some(&citizen), &json!({"reason": REASON}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "conflict");
    let other = app.user("citizen", None).await;
    let second = app
        .create_evaluation_request(
            id,
            Some(&other),
            &json!({"reason": "ค่าธรรมเนียมตามกฎหมายนี้สูงเกินไปสำหรับผู้ประกอบการรายย่อย"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED);

    // Public: the reasons and the count, never who asked.
    let law = app.get_law(id, None).await;
    assert_eq!(law.body["evaluation_requests"], 2);
    let listed = app.list_laws(None, &[]).await;
    assert_eq!(listed.body["items"][0]["evaluation_requests"], 2);
    let requests = app.list_evaluation_requests(id, None, &[]).await;
    assert_eq!(requests.status, StatusCode::OK);
    let items = requests.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["reason"], REASON);
    assert!(!requests.text.contains("citizen-"), "{}", requests.text);
    assert!(!requests.text.contains("account"), "{}", requests.text);
    assert!(!requests.text.contains("ผู้ทดสอบ"), "{}", requests.text);
    let page = app
        .list_evaluation_requests(id, None, &[("limit", "1")])
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert!(page.body["next_cursor"].is_string());
}
