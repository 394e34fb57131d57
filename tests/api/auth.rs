use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn anonymous_callers_get_401_on_anything_that_needs_an_account() {
    let app = spawn_app().await;
    let h = app.open_hearing("anon").await;
    let cases = [
        (
            "/api/v1/agencies".to_string(),
            json!({"slug": "x", "name_th": "x"}),
        ),
        (
            "/api/v1/drafts".to_string(),
            json!({"title_th": "x", "law_type": "act"}),
        ),
        (
            format!("/api/v1/drafts/{}/versions", h.draft_id),
            json!({"body_markdown": "มาตรา ๑ x"}),
        ),
        (
            format!("/api/v1/consultations/{}/comments", h.consultation_id),
            json!({"body": "x", "stance": "support"}),
        ),
    ];
    for (path, body) in cases {
        let r = app.post(&path, None, &body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
        assert_eq!(r.code(), "unauthenticated");
    }
    let r = app
        .patch(
            &format!("/api/v1/drafts/{}", h.draft_id),
            None,
            &json!({"title_en": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_invalid_token_is_refused_even_on_public_routes() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/drafts", Some("rf_not-a-real-token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "unauthenticated");
}

#[tokio::test]
async fn citizens_and_researchers_get_403_on_staff_routes() {
    let app = spawn_app().await;
    let h = app.open_hearing("staff").await;
    for role in ["citizen", "researcher"] {
        let token = app.user(role, None).await;
        let r = app
            .post(
                "/api/v1/drafts",
                Some(&token),
                &json!({"agency": "staff", "title_th": "x", "law_type": "act"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.text);
        assert_eq!(r.code(), "forbidden");
        let r = app
            .post(
                "/api/v1/agencies",
                Some(&token),
                &json!({"slug": "x", "name_th": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .patch(
                &format!("/api/v1/drafts/{}", h.draft_id),
                Some(&token),
                &json!({"title_en": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &format!("/api/v1/drafts/{}/versions", h.draft_id),
                Some(&token),
                &json!({"body_markdown": "มาตรา ๑ x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // Officers may not create agencies either.
    let r = app
        .post(
            "/api/v1/agencies",
            Some(&h.officer),
            &json!({"slug": "x", "name_th": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn officers_act_only_inside_their_own_agency() {
    let app = spawn_app().await;
    let h = app.open_hearing("home-agency").await;
    app.agency("other-agency").await;
    let other = app.user("officer", Some("other-agency")).await;
    // A published draft of another agency: readable, but not changeable (answered as not found).
    let r = app
        .patch(
            &format!("/api/v1/drafts/{}", h.draft_id),
            Some(&other),
            &json!({"title_en": "taken over"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/drafts/{}/versions", h.draft_id),
            Some(&other),
            &json!({"body_markdown": "มาตรา ๑ x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let now = chrono::Utc::now();
    let r = app
        .post(
            &format!("/api/v1/drafts/{}/consultations", h.draft_id),
            Some(&other),
            &json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + chrono::Duration::days(20)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Officers cannot create drafts for another agency.
    let r = app
        .post(
            "/api/v1/drafts",
            Some(&other),
            &json!({"agency": "home-agency", "title_th": "x", "law_type": "act"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing changed.
    let d = app
        .get(&format!("/api/v1/drafts/{}", h.draft_id), None)
        .await;
    assert_eq!(d.body["title_en"], "Draft Test Act");
    assert_eq!(d.body["current_version"], 1);
}
