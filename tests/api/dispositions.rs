use domain::entity::consultation;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn officers_record_dispositions_that_the_public_can_read() {
    let app = spawn_app().await;
    let h = app.open_hearing("disp").await;
    let citizen = app.user("citizen", None).await;
    let public = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ขอให้ลดค่าธรรมเนียม", "stance": "oppose"}),
        )
        .await;
    let private = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ความเห็นส่วนตัว", "stance": "oppose", "publication": "private"}),
        )
        .await;
    let (public_id, private_id) = (
        public.body["id"].as_i64().unwrap(),
        private.body["id"].as_i64().unwrap(),
    );
    let id = h.consultation_id;

    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "comment", "target_id": public_id.to_string(), "decision": "not_accepted", "reason": "อยู่ระหว่างพิจารณา"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Recording again replaces the decision.
    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "comment", "target_id": public_id.to_string(), "decision": "partly_accepted", "reason": "ปรับลดค่าธรรมเนียมสำหรับผู้ประกอบการขนาดย่อมในมาตรา ๓/๑"})).await;
    assert_eq!(r.body["decision"], "partly_accepted");
    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "provision", "target_id": "s3", "decision": "accepted", "reason": "แก้ไขถ้อยคำตามความเห็น"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "comment", "target_id": private_id.to_string(), "decision": "accepted", "reason": "รับไว้พิจารณา"})).await;
    assert_eq!(r.status, StatusCode::OK);

    let list = app.list_dispositions(id, None).await;
    let items = list.body.as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "the private comment's disposition is not public: {}",
        list.text
    );
    assert_eq!(items[0]["decision"], "partly_accepted");
    assert_eq!(items[1]["target_id"], "s3");

    // Bad targets and callers.
    for (kind, target) in [
        ("provision", "s99"),
        ("comment", "999999"),
        ("cluster", "1"),
        ("comment", "abc"),
    ] {
        let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": kind, "target_id": target, "decision": "accepted", "reason": "x"})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind} {target}: {}",
            r.text
        );
    }
    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "provision", "target_id": "s3", "decision": "accepted", "reason": " "})).await;
    assert_eq!(r.body["errors"][0]["field"], "reason");
    assert_eq!(app.record_disposition(id, Some(&citizen), &json!({"target_kind": "provision", "target_id": "s3", "decision": "accepted", "reason": "x"})).await.status, StatusCode::FORBIDDEN);
    app.agency("elsewhere").await;
    let other = app.user("officer", Some("elsewhere")).await;
    assert_eq!(app.record_disposition(id, Some(&other), &json!({"target_kind": "provision", "target_id": "s3", "decision": "accepted", "reason": "x"})).await.status, StatusCode::NOT_FOUND);

    // Once the summary is published, dispositions are final.
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::SummaryPublishedAt,
            Expr::value(domain::time::now_ms()),
        )
        .filter(consultation::Column::Id.eq(h.consultation_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let r = app.record_disposition(id, Some(&h.officer), &json!({"target_kind": "provision", "target_id": "s3", "decision": "not_accepted", "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_state");
}
