use domain::entity::{comment, consultation};
use futures_util::future::join_all;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::spawn_app;

fn comment_body() -> serde_json::Value {
    json!({
        "body": "ควรขยายระยะเวลาบังคับใช้ให้ผู้ประกอบการขนาดย่อมปรับตัว",
        "stance": "oppose",
        "provision_id": "s3",
        "respondent_type": "business",
        "province": "เชียงใหม่",
        "answers": [
            {"question_id": "q1", "choice": "ไม่เห็นด้วย"},
            {"question_id": "q2", "choices": ["ก", "ค"]},
            {"question_id": "q3", "scale": 4},
            {"question_id": "q4", "text": "ขอให้จัดรับฟังในต่างจังหวัด"}
        ]
    })
}

async fn comment_count(app: &tests::TestApp) -> u64 {
    comment::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_comment_in_the_window_gets_a_receipt_and_is_listed() {
    let app = spawn_app().await;
    let h = app.open_hearing("cmt").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(h.consultation_id, Some(&citizen), &comment_body())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.body["id"].as_i64().unwrap() > 0);
    let tracking = r.body["tracking_number"].as_str().unwrap();
    assert!(
        tracking.starts_with("RF-") && tracking.len() == 20,
        "{tracking}"
    );
    assert!(r.body["received_at"].is_string());
    let list = app.list_comments(h.consultation_id, None, &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    let item = &list.body["items"][0];
    assert_eq!(item["provision_id"], "s3");
    assert_eq!(item["stance"], "oppose");
    assert_eq!(item["publication"], "anonymous");
    assert!(item["author_name"].is_null());
    assert_eq!(item["answers"][2]["scale"], 4);
}

#[tokio::test]
async fn comments_outside_the_window_are_refused_by_receipt_time() {
    let app = spawn_app().await;
    let h = app.open_hearing("window").await;
    let citizen = app.user("citizen", None).await;
    let body = comment_body();
    let send = || app.create_comment(h.consultation_id, Some(&citizen), &body);
    let now = domain::time::now_ms();
    let set_window = |opens: i64, closes: i64| {
        let conn = app.ctx.db.conn.clone();
        let id = h.consultation_id;
        async move {
            consultation::Entity::update_many()
                .col_expr(consultation::Column::OpensAt, Expr::value(opens))
                .col_expr(consultation::Column::ClosesAt, Expr::value(closes))
                .filter(consultation::Column::Id.eq(id))
                .exec(&conn)
                .await
                .unwrap();
        }
    };
    // Not open yet.
    set_window(now + 60_000, now + 30 * 86_400_000).await;
    let r = send().await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.code(), "consultation_not_open");
    // Closed a moment ago: closes_at is exclusive.
    set_window(now - 30 * 86_400_000, domain::time::now_ms()).await;
    let r = send().await;
    assert_eq!(r.code(), "consultation_not_open");
    assert_eq!(comment_count(&app).await, 0);
    // Open again: accepted.
    set_window(now - 86_400_000, now + 86_400_000).await;
    assert_eq!(send().await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn bad_comments_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let h = app.open_hearing("badc").await;
    let citizen = app.user("citizen", None).await;
    let send = |body: serde_json::Value| {
        let (app, citizen) = (&app, &citizen);
        async move {
            app.create_comment(h.consultation_id, Some(citizen), &body)
                .await
        }
    };
    let mut unknown_provision = comment_body();
    unknown_provision["provision_id"] = json!("s99");
    let r = send(unknown_provision).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "provision_id");
    let mut bad_answers = comment_body();
    bad_answers["answers"] = json!([{"question_id": "q1", "choice": "maybe"}, {"question_id": "q3", "scale": 9}, {"question_id": "q9", "text": "x"}]);
    let r = send(bad_answers).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "answers[0].choice",
            "answers[1].scale",
            "answers[2].question_id"
        ]
    );
    let mut empty = comment_body();
    empty["body"] = json!("  ");
    assert_eq!(send(empty).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Control characters (other than tabs and line breaks) are refused, in any text field.
    let mut control = comment_body();
    control["body"] = json!("ความเห็น\u{0}ที่มี\u{1f}อักขระควบคุม");
    control["province"] = json!("เชียง\u{1b}ใหม่");
    let r = send(control).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let codes: Vec<(&str, &str)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("body", "control_character"),
            ("province", "control_character")
        ]
    );
    let mut sneaky = comment_body();
    sneaky["moderation_status"] = json!("published");
    assert_eq!(send(sneaky).await.code(), "unknown_field");
    let r = app
        .create_comment(424242, Some(&citizen), &comment_body())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(comment_count(&app).await, 0);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let h = app.open_hearing("idem").await;
    let citizen = app.user("citizen", None).await;
    let send = |body: serde_json::Value, key: &'static str| {
        let (app, citizen) = (&app, &citizen);
        async move {
            app.create_comment_with_key(h.consultation_id, Some(citizen), key, &body)
                .await
        }
    };
    let first = send(comment_body(), "key-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = send(comment_body(), "key-1").await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    let mut other = comment_body();
    other["body"] = json!("ข้อความอื่น");
    let reused = send(other, "key-1").await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.code(), "idempotency_key_reused");
    assert_eq!(comment_count(&app).await, 1);
    // Another account may use the same key for its own comment.
    let someone = app.user("citizen", None).await;
    let r = app
        .create_comment_with_key(h.consultation_id, Some(&someone), "key-1", &comment_body())
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_ne!(r.body["id"], first.body["id"]);
    assert_eq!(comment_count(&app).await, 2);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_store_one_comment() {
    let app = spawn_app().await;
    let h = app.open_hearing("race").await;
    let citizen = app.user("citizen", None).await;
    let body = comment_body();
    let answers =
        join_all((0..24).map(|_| {
            app.create_comment_with_key(h.consultation_id, Some(&citizen), "same", &body)
        }))
        .await;
    let mut ids = Vec::new();
    for r in answers {
        assert_eq!(r.status, StatusCode::CREATED);
        ids.push(r.body["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(comment_count(&app).await, 1);
}

#[tokio::test]
async fn many_concurrent_comments_are_all_stored() {
    let app = spawn_app().await;
    let h = app.open_hearing("burst").await;
    let citizen = app.user("citizen", None).await;
    let bodies: Vec<_> = (0..200)
        .map(|i| json!({"body": format!("ความเห็นที่ {i}"), "stance": "neutral"}))
        .collect();
    let answers = join_all(
        bodies
            .iter()
            .map(|body| app.create_comment(h.consultation_id, Some(&citizen), body)),
    )
    .await;
    for r in answers {
        assert_eq!(r.status, StatusCode::CREATED);
    }
    assert_eq!(comment_count(&app).await, 200);
    let stored = comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(h.consultation_id))
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(stored, 200);
}
