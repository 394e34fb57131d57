use domain::entity::audit_event;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn public_answers_carry_no_email_token_private_comment_or_anonymous_name() {
    let app = spawn_app().await;
    let h = app.open_hearing("priv").await;
    let named = app.user("citizen", None).await;
    let anon = app.user("citizen", None).await;
    let private = app.user("citizen", None).await;
    let post = |token: String, publication: &'static str, body: &'static str| {
        let app = &app;
        async move {
            let r = app
                .create_comment(h.consultation_id, Some(&token), &json!({"body": body, "stance": "support", "publication": publication, "organisation_name": "สมาคมทดสอบ", "respondent_type": "organisation"}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
    };
    post(named.clone(), "named", "ความเห็นแบบเปิดเผยชื่อ").await;
    post(anon.clone(), "anonymous", "ความเห็นแบบไม่ระบุชื่อ").await;
    post(private.clone(), "private", "ความเห็นลับเฉพาะหน่วยงาน").await;

    let list = app.list_comments(h.consultation_id, None, &[]).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the private comment is not listed");
    assert!(!list.text.contains("ความเห็นลับเฉพาะหน่วยงาน"));
    let named_item = items.iter().find(|c| c["publication"] == "named").unwrap();
    assert_eq!(named_item["author_name"], "citizen ผู้ทดสอบ");
    assert_eq!(named_item["organisation_name"], "สมาคมทดสอบ");
    let anon_item = items
        .iter()
        .find(|c| c["publication"] == "anonymous")
        .unwrap();
    assert!(anon_item["author_name"].is_null());
    assert!(anon_item["organisation_name"].is_null());

    // No public answer anywhere holds an e-mail address or a token.
    for token in [None, Some(named.as_str())] {
        let public = [
            ("list_agencies", app.list_agencies(token, &[]).await),
            ("list_drafts", app.list_drafts(token, &[]).await),
            ("get_draft", app.get_draft(h.draft_id, token).await),
            ("get_version", app.get_version(h.draft_id, 1, token).await),
            (
                "list_consultations",
                app.list_consultations(token, &[]).await,
            ),
            (
                "get_consultation",
                app.get_consultation(h.consultation_id, token).await,
            ),
            (
                "list_comments",
                app.list_comments(h.consultation_id, token, &[]).await,
            ),
            ("the home page", app.get("/", token).await),
        ];
        for (p, r) in public {
            assert_eq!(r.status, StatusCode::OK, "{p}");
            assert!(
                !r.text.contains("@test.rabfang.localhost"),
                "{p} leaks an e-mail: {}",
                r.text
            );
            for t in [&named, &anon, &private, &h.officer, &app.admin] {
                assert!(!r.text.contains(t.as_str()), "{p} leaks a token");
            }
        }
    }
}

#[tokio::test]
async fn every_state_change_writes_a_chained_audit_event() {
    let app = spawn_app().await;
    let before = audit_event::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(before, 1, "creating the admin account is audited");
    let h = app.open_hearing("audit").await; // agency, officer, draft + version 1, consultation
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "เห็นด้วย", "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.update_draft(h.draft_id, Some(&h.officer), &json!({"title_en": "x"}))
        .await;
    let events = audit_event::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account.create",
            "agency.create",
            "account.create",
            "draft.create",
            "draft_version.publish",
            "consultation.create",
            "account.create",
            "comment.create",
            "draft.update"
        ]
    );
    assert_eq!(
        domain::audit::verify(&app.ctx.db.conn).await.unwrap(),
        Ok(9)
    );
    // Audit records hold hashes, never an e-mail in clear.
    for e in &events {
        assert!(!format!("{e:?}").contains("@test.rabfang.localhost"));
    }
}
