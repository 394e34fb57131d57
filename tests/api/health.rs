use reqwest::StatusCode;
use tests::spawn_app;

#[tokio::test]
async fn health_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let r = app.health().await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
    let r = app.ready().await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.ctx
        .db
        .conn
        .clone()
        .close()
        .await
        .expect("closing the pool");
    let r = app.ready().await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["status"], "unavailable");
    // Any other request answers 503 db_busy rather than failing with a 500 or a panic.
    let r = app.list_drafts(None, &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.code(), "db_busy");
}

#[tokio::test]
async fn the_home_page_lists_open_consultations_with_closing_dates() {
    let app = spawn_app().await;
    let h = app.open_hearing("home").await;
    let r = app.get("/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.text.contains("ร่างพระราชบัญญัติทดสอบ"), "{}", r.text);
    assert!(
        r.text
            .contains(&format!("data-consultation-id=\"{}\"", h.consultation_id))
    );
    assert!(r.text.contains("<time datetime=\""), "{}", r.text);
    let css = app.get("/static/site.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
}

#[tokio::test]
async fn the_documentation_is_served() {
    let app = spawn_app().await;
    let r = app.get("/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["info"]["title"], "Rabfang API");
    let r = app.get("/docs", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.to_lowercase().contains("swagger"));
}
