use domain::entity::consultation;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn an_impact_assessment_is_validated_saved_published_and_required_for_submission() {
    let app = spawn_app().await;
    let h = app.open_hearing("ria").await;
    let draft = h.draft_id;
    let example = serde_json::to_value(domain::ria::example()).unwrap();
    let put = |body: serde_json::Value, token: String| {
        let app = &app;
        async move { app.save_impact_assessment(draft, Some(&token), &body).await }
    };

    // Nothing saved yet: the draft exists, so publishing is a conflict with its state (save
    // first), not a missing resource.
    let r = app.publish_impact_assessment(draft, Some(&h.officer)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.code(), "invalid_state");
    assert!(r.text.contains("save"), "{}", r.text);

    let mut no_do_nothing = example.clone();
    no_do_nothing["alternatives"] = json!(
        no_do_nothing["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] != "do_nothing")
            .cloned()
            .collect::<Vec<_>>()
    );
    let r = put(no_do_nothing, h.officer.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "alternatives" && e["code"] == "missing_alternative"),
        "{}",
        r.text
    );
    let mut unjustified = example.clone();
    unjustified["criminal_penalties"] =
        json!([{"provision_id": "s4", "description": "โทษจำคุก", "justification": " "}]);
    let r = put(unjustified, h.officer.clone()).await;
    assert!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "criminal_penalties[0].justification"
                && e["code"] == "justification_required"),
        "{}",
        r.text
    );
    let mut sneaky = example.clone();
    sneaky["published_at"] = json!("2026-01-01T00:00:00Z");
    assert_eq!(put(sneaky, h.officer.clone()).await.code(), "unknown_field");
    let citizen = app.user("citizen", None).await;
    assert_eq!(
        put(example.clone(), citizen).await.status,
        StatusCode::FORBIDDEN
    );

    let r = put(example.clone(), h.officer.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "draft");
    assert!(
        r.body["totals"]["annual_costs"]["total_thb"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(
        app.get_impact_assessment(draft, None).await.status,
        StatusCode::NOT_FOUND,
        "a saved draft is not public"
    );
    assert_eq!(
        app.get_impact_assessment(draft, Some(&h.officer))
            .await
            .status,
        StatusCode::OK
    );

    let submit = || app.submit_draft(draft, Some(&h.officer));
    let r = submit().await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_state");
    // A published hearing summary is not enough while the assessment is unpublished.
    let summary_published = |at: Option<i64>| {
        consultation::Entity::update_many()
            .col_expr(consultation::Column::SummaryPublishedAt, Expr::value(at))
            .filter(consultation::Column::Id.eq(h.consultation_id))
            .exec(&app.ctx.db.conn)
    };
    summary_published(Some(domain::time::now_ms()))
        .await
        .unwrap();
    let r = submit().await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_state");
    assert!(r.text.contains("impact assessment"), "{}", r.text);
    summary_published(None).await.unwrap();

    let r = app.publish_impact_assessment(draft, Some(&h.officer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "published");
    assert_eq!(r.body["content_hash"].as_str().unwrap().len(), 64);
    let html = r.body["html"].as_str().unwrap();
    assert!(
        html.contains("<table>") && !html.contains("<script"),
        "{html}"
    );
    assert_eq!(
        put(example.clone(), h.officer.clone()).await.code(),
        "invalid_state",
        "published assessments are final"
    );
    let public = app.get_impact_assessment(draft, None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["fields"], example);

    // The hearing summary is still missing.
    let r = submit().await;
    assert_eq!(r.code(), "invalid_state");
    assert!(r.text.contains("summary"), "{}", r.text);
    summary_published(Some(domain::time::now_ms()))
        .await
        .unwrap();
    let r = submit().await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "submitted");
}
