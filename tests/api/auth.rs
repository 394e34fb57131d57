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

#[tokio::test]
async fn anyone_signed_in_makes_lists_and_revokes_their_own_api_keys_and_read_only_keys_only_read()
{
    let app = tests::TestApp::builder().with_agency("keys").spawn().await;
    let researcher = app.user("researcher", None).await;
    let officer = app.user("officer", Some("keys")).await;

    // Anyone signed in, no administrator needed; the secret is in the answer once.
    assert_eq!(
        app.create_api_key(None, &json!({"name": "x"})).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad = app
        .create_api_key(Some(&researcher), &json!({"name": "  "}))
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );
    let made = app
        .create_api_key(
            Some(&researcher),
            &json!({"name": "research scripts", "read_only": true}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let key = made.body["token"].as_str().unwrap().to_string();
    let id = made.body["key"]["id"].as_i64().unwrap();
    assert_eq!(made.body["key"]["read_only"], true);
    let listed = app.list_api_keys(Some(&key)).await;
    assert_eq!(
        listed.status,
        StatusCode::OK,
        "a read-only key reads: {:?}",
        listed.body
    );
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"research scripts"));
    assert!(
        !listed.body.to_string().contains(&key),
        "the secret is never listed"
    );
    let used = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap()
        .clone();
    assert!(
        used["last_used_at"].is_string(),
        "its use is recorded: {used}"
    );

    // A read-only key cannot write, even where its owner may.
    let officer_ro = app
        .create_api_key(
            Some(&officer),
            &json!({"name": "dashboards", "read_only": true}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let draft = json!({"title_th": "ร่างจากกุญแจอ่านอย่างเดียว", "law_type": "act"});
    let refused = app.create_draft(Some(&officer_ro), &draft).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "forbidden");
    assert_eq!(
        app.list_drafts(Some(&officer_ro), &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.create_draft(Some(&officer), &draft).await.status,
        StatusCode::CREATED
    );
    let writer = app
        .create_api_key(Some(&officer_ro), &json!({"name": "escalate"}))
        .await;
    assert_eq!(
        writer.status,
        StatusCode::FORBIDDEN,
        "a read-only key makes no key that writes"
    );

    // Someone else's key is not found; revoking one's own stops it at the next request.
    assert_eq!(
        app.revoke_api_key(id, Some(&officer)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.list_api_keys(Some(&key)).await.status, StatusCode::OK);
    let revoked = app.revoke_api_key(id, Some(&researcher)).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
    assert!(revoked.body["revoked_at"].is_string());
    assert_eq!(
        app.list_api_keys(Some(&key)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Each `serve` process remembers who a token stands for. A revocation, a role change or a
/// deactivation made through one process is refused by the process that made it at the very
/// next request, and by another process on the same database once `TRUST` (500 ms) has passed
/// since it was made (domain/src/token_cache.rs); a reactivation works everywhere at once.
#[tokio::test]
async fn a_revocation_role_change_or_deactivation_in_one_process_reaches_another_within_the_bound()
{
    use domain::{
        entity::account,
        ids::AccountId,
        service::accounts::{self, AccountChange},
        token_cache::TRUST,
        types::{Actor, Role},
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = tests::TestApp::builder()
        .with_agency("twins")
        .with_officer("officer", "twins")
        .spawn()
        .await;
    let other = app.another_process().await;
    let officer = app.token("officer");
    let made = app
        .create_api_key(Some(&officer), &json!({"name": "scripts"}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let key = made.body["token"].as_str().unwrap().to_string();
    let id = made.body["key"]["id"].as_i64().unwrap();
    // Both processes have seen the key and the officer's token (and remember them).
    for process in [&app, &other] {
        assert_eq!(
            process.list_api_keys(Some(&key)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            process.list_api_keys(Some(&officer)).await.status,
            StatusCode::OK
        );
    }

    // Revoked through the first process.
    let revoked = app.revoke_api_key(id, Some(&officer)).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
    assert_eq!(
        app.list_api_keys(Some(&key)).await.status,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(TRUST).await;
    assert_eq!(
        other.list_api_keys(Some(&key)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Demoted to citizen, then deactivated, by an administrator working in the first process.
    let accounts_of = |role: Role| {
        account::Entity::find()
            .filter(account::Column::Role.eq(role))
            .one(&app.ctx.db.conn)
    };
    let admin = accounts_of(Role::Admin).await.unwrap().unwrap();
    let admin = Actor {
        account_id: AccountId(admin.id),
        role: Role::Admin,
        agency_id: None,
    };
    let officer_id = AccountId(accounts_of(Role::Officer).await.unwrap().unwrap().id);
    let draft = json!({"title_th": "ร่างจากอีกกระบวนการ", "law_type": "act"});
    assert_eq!(
        other.create_draft(Some(&officer), &draft).await.status,
        StatusCode::CREATED
    );
    let citizen = AccountChange::Role {
        role: Role::Citizen,
        agency: None,
    };
    accounts::change(&app.ctx.db, &admin, officer_id, citizen)
        .await
        .unwrap();
    assert_eq!(
        app.create_draft(Some(&officer), &draft).await.status,
        StatusCode::FORBIDDEN
    );
    tokio::time::sleep(TRUST).await;
    assert_eq!(
        other.create_draft(Some(&officer), &draft).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.list_api_keys(Some(&officer)).await.status,
        StatusCode::OK
    );
    accounts::change(&app.ctx.db, &admin, officer_id, AccountChange::Deactivate)
        .await
        .unwrap();
    assert_eq!(
        app.list_api_keys(Some(&officer)).await.status,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(TRUST).await;
    assert_eq!(
        other.list_api_keys(Some(&officer)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Refused tokens are not remembered: reactivated in the first, it works in both at once.
    accounts::change(&app.ctx.db, &admin, officer_id, AccountChange::Reactivate)
        .await
        .unwrap();
    for process in [&app, &other] {
        assert_eq!(
            process.list_api_keys(Some(&officer)).await.status,
            StatusCode::OK
        );
    }
}
