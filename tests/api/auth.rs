use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn anonymous_callers_get_401_on_anything_that_needs_an_account() {
    let app = spawn_app().await;
    let h = app.open_hearing("anon").await;
    let cases = [
        (
            "create_agency",
            app.create_agency(None, &json!({"slug": "x", "name_th": "x"}))
                .await,
        ),
        (
            "create_draft",
            app.create_draft(None, &json!({"title_th": "x", "law_type": "act"}))
                .await,
        ),
        (
            "create_version",
            app.create_version(h.draft_id, None, &json!({"body_markdown": "มาตรา ๑ x"}))
                .await,
        ),
        (
            "create_comment",
            app.create_comment(
                h.consultation_id,
                None,
                &json!({"body": "x", "stance": "support"}),
            )
            .await,
        ),
    ];
    for (operation, r) in cases {
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{operation}: {}",
            r.text
        );
        assert_eq!(r.code(), "unauthenticated");
    }
    let r = app
        .update_draft(h.draft_id, None, &json!({"title_en": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_invalid_token_is_refused_even_on_public_routes() {
    let app = spawn_app().await;
    let r = app.list_drafts(Some("rf_not-a-real-token"), &[]).await;
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
            .create_draft(
                Some(&token),
                &json!({"agency": "staff", "title_th": "x", "law_type": "act"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.text);
        assert_eq!(r.code(), "forbidden");
        let r = app
            .create_agency(Some(&token), &json!({"slug": "x", "name_th": "x"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .update_draft(h.draft_id, Some(&token), &json!({"title_en": "x"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .create_version(
                h.draft_id,
                Some(&token),
                &json!({"body_markdown": "มาตรา ๑ x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // Officers may not create agencies either.
    let r = app
        .create_agency(Some(&h.officer), &json!({"slug": "x", "name_th": "x"}))
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
        .update_draft(h.draft_id, Some(&other), &json!({"title_en": "taken over"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app
        .create_version(
            h.draft_id,
            Some(&other),
            &json!({"body_markdown": "มาตรา ๑ x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let now = chrono::Utc::now();
    let r = app
        .create_consultation(
            h.draft_id,
            Some(&other),
            &json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + chrono::Duration::days(20)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Officers cannot create drafts for another agency.
    let r = app
        .create_draft(
            Some(&other),
            &json!({"agency": "home-agency", "title_th": "x", "law_type": "act"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing changed.
    let d = app.get_draft(h.draft_id, None).await;
    assert_eq!(d.body["title_en"], "Draft Test Act");
    assert_eq!(d.body["current_version"], 1);
}
