//! The agency workspace, as a browser without JavaScript would use it: who may open which
//! page, invitations, deactivation, API tokens on the account page, and a draft's life from
//! creation to the first published version.

use std::time::Duration;

use api::site::Access;
use domain::entity::{
    account, agency, api_token, audit_event, draft, draft_version, invitation, job,
};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::{TestApp, smtp::TestSmtp, web::Visitor};

/// Counts that change whenever anything is written through a page: every write is audited,
/// and these tables are what the workspace's forms write.
async fn fingerprint(app: &TestApp) -> Vec<u64> {
    let c = &app.ctx.db.conn;
    vec![
        audit_event::Entity::find().count(c).await.unwrap(),
        draft::Entity::find().count(c).await.unwrap(),
        draft_version::Entity::find().count(c).await.unwrap(),
        invitation::Entity::find().count(c).await.unwrap(),
        agency::Entity::find().count(c).await.unwrap(),
        job::Entity::find()
            .filter(job::Column::Kind.ne("search_index"))
            .count(c)
            .await
            .unwrap(),
        api_token::Entity::find()
            .filter(api_token::Column::RevokedAt.is_not_null())
            .count(c)
            .await
            .unwrap(),
        account::Entity::find()
            .filter(account::Column::DeactivatedAt.is_not_null())
            .count(c)
            .await
            .unwrap(),
        domain::entity::law_in_force::Entity::find()
            .count(c)
            .await
            .unwrap(),
        domain::entity::consultation::Entity::find()
            .all(c)
            .await
            .unwrap()
            .iter()
            .map(|k| (k.opens_at ^ k.closes_at) as u64)
            .fold(0, u64::wrapping_add),
    ]
}

/// What a form post carries when it wants to change something: enough for any workspace form.
const FIELDS: &[(&str, &str)] = &[
    ("title_th", "ร่างที่ไม่ควรถูกสร้าง"),
    ("law_type", "act"),
    ("body", "มาตรา ๑ ข้อความที่ไม่ควรถูกเผยแพร่"),
    ("changelog", "ไม่ควรเกิดขึ้น"),
    ("action", "publish"),
    ("based_on", "1"),
    ("email", "intruder@example.org"),
    ("role", "admin"),
    ("agency", "walk-a"),
    ("slug", "intruders"),
    ("name_th", "ผู้บุกรุก"),
    ("name", "stolen"),
    ("change", "deactivate"),
    ("opens_day", "1"),
    ("opens_month", "1"),
    ("opens_year", "2600"),
    ("closes_day", "1"),
    ("closes_month", "3"),
    ("closes_year", "2600"),
    ("in_force_day", "1"),
    ("in_force_month", "1"),
    ("in_force_year", "2560"),
];

#[tokio::test]
async fn every_workspace_page_refuses_whom_it_must_and_changes_nothing() {
    let app = TestApp::builder().expecting_failed_jobs().spawn().await;
    let h = app.open_hearing("walk-a").await;
    app.agency("walk-b").await;
    let (_, _, owner_token) = app.signed_in("officer", Some("walk-a")).await;
    let token_id = api_token::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|t| !t.name.is_empty() || t.id > 1)
        .map(|t| t.id)
        .unwrap();
    let _ = owner_token;
    let officer_id = account::Entity::find()
        .filter(account::Column::Role.eq("officer"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    let agency_id = agency::Entity::find()
        .filter(agency::Column::Slug.eq("walk-a"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    let commenter = app.user("citizen", None).await;
    let comment_id = app
        .create_comment(
            h.consultation_id,
            Some(&commenter),
            &json!({"body": "ความเห็นสำหรับการเดินตรวจ", "stance": "support"}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let job_id = job::Entity::find()
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .map(|j| j.id)
        .unwrap_or(1);
    // The id each kind of path parameter stands for: agency A's objects.
    let id_for = |path: &str, param: &str| -> String {
        let before = path
            .split('/')
            .take_while(|s| *s != param)
            .last()
            .unwrap_or("");
        match before {
            "drafts" => h.draft_id.to_string(),
            "consultations" => h.consultation_id.to_string(),
            "accounts" => officer_id.to_string(),
            "jobs" => job_id.to_string(),
            "tokens" => token_id.to_string(),
            "comments" => comment_id.to_string(),
            "agencies" => agency_id.to_string(),
            other => panic!("{path}: give the walk an id for a `{other}/{param}` parameter"),
        }
    };

    let rules = api::site::access_rules();
    let workspace: Vec<_> = rules
        .iter()
        .filter(|(path, _, _)| path.starts_with("/workspace"))
        .collect();
    assert!(workspace.len() >= 10, "the workspace has its pages");
    for (path, _, access) in &workspace {
        assert!(
            matches!(access, Access::Staff | Access::Admin),
            "{path} is in the workspace but open to {access:?}"
        );
    }

    let mut anonymous = Visitor::new(&app.address);
    let anonymous_csrf = anonymous.get("/sign-in").await.csrf();
    let (mut citizen, _, _) = app.signed_in("citizen", None).await;
    let (mut researcher, _, _) = app.signed_in("researcher", None).await;
    let (mut stranger, _, _) = app.signed_in("officer", Some("walk-b")).await;
    let before = fingerprint(&app).await;

    let mut walked = 0;
    for (pattern, methods, access) in rules.iter().filter(|(_, _, a)| *a != Access::Public) {
        let path = pattern
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(param) => id_for(pattern, &format!(":{param}")),
                None => seg.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let has_params = pattern.contains(':');
        for method in methods {
            for lang in ["", "/en"] {
                let url = format!("{lang}{path}");
                // Anonymous: sent to sign in, coming back to the page.
                let r = send(&mut anonymous, method, &url, &anonymous_csrf).await;
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "anonymous {method} {url}: {}",
                    r.html
                );
                assert!(
                    r.location
                        .as_deref()
                        .is_some_and(|l| l.starts_with(&format!("{lang}/sign-in?next="))),
                    "anonymous {method} {url} goes to sign in, not {:?}",
                    r.location
                );
                if *access == Access::SignedIn {
                    continue;
                }
                for (who, v) in [("citizen", &mut citizen), ("researcher", &mut researcher)] {
                    let csrf = v.get("/sign-in").await.csrf();
                    let r = send(v, method, &url, &csrf).await;
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{who} {method} {url}: {}",
                        r.html
                    );
                    assert!(r.html.contains("<html"), "{who} {method} {url}: a page");
                }
                let csrf = stranger.get("/sign-in").await.csrf();
                let expected = match access {
                    Access::Admin => Some(StatusCode::FORBIDDEN),
                    _ if has_params => Some(StatusCode::NOT_FOUND),
                    // The officer's own dashboard or new-draft form: theirs to use.
                    _ => None,
                };
                if let Some(expected) = expected {
                    let r = send(&mut stranger, method, &url, &csrf).await;
                    assert_eq!(
                        r.status, expected,
                        "officer of another agency {method} {url}: {}",
                        r.html
                    );
                }
                walked += 1;
            }
        }
    }
    assert!(walked >= 30, "walked {walked} page methods");
    assert_eq!(fingerprint(&app).await, before, "nothing changed");
}

async fn send(v: &mut Visitor, method: &Method, url: &str, csrf: &str) -> tests::web::Page {
    if *method == Method::GET {
        v.get(url).await
    } else {
        let mut fields = vec![("csrf", csrf)];
        fields.extend_from_slice(FIELDS);
        v.post(url, &fields).await
    }
}

/// The link in the latest of `n` mails.
async fn mailed_link(app: &TestApp, smtp: &TestSmtp, n: usize) -> String {
    app.run_pending_jobs().await;
    let mails = smtp.wait_for(n, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), n, "{n} mails");
    let text = mails[n - 1].text_body().unwrap_or_default();
    let start = text.find("http").expect("a link in the mail");
    let url = text[start..].split_whitespace().next().unwrap().to_string();
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap()
}

#[tokio::test]
async fn an_invited_officer_accepts_once_and_an_expired_invitation_fails() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder()
        .with_smtp(&smtp)
        .with_agency("invites")
        .spawn()
        .await;
    let (mut admin, _, _) = app.signed_in("admin", None).await;

    // Bad input: an error summary, the typed address kept, nothing stored.
    let form = admin.get("/workspace/admin/accounts").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let r = admin
        .post(
            "/workspace/admin/accounts",
            &[
                ("csrf", &form.csrf()),
                ("email", "not-an-address"),
                ("role", "officer"),
                ("agency", "invites"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("error-summary") && r.html.contains("value=\"not-an-address\""));
    let r = admin
        .post(
            "/workspace/admin/accounts",
            &[
                ("csrf", &form.csrf()),
                ("email", "no-agency@example.org"),
                ("role", "officer"),
                ("agency", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an officer needs an agency"
    );
    assert_eq!(
        invitation::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        0
    );

    let r = admin
        .post(
            "/workspace/admin/accounts",
            &[
                ("csrf", &form.csrf()),
                ("email", "New.Officer@Example.org"),
                ("role", "officer"),
                ("agency", "invites"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let link = mailed_link(&app, &smtp, 1).await;
    assert!(link.starts_with("/invitations/"), "{link}");
    let listed = admin.get("/workspace/admin/accounts").await;
    assert!(
        listed.html.contains("new.officer@example.org"),
        "pending invitation listed"
    );

    let mut invitee = Visitor::new(&app.address);
    let page = invitee.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        invitee.cookies.keys().all(|k| !k.contains("session")),
        "opening the link signs no one in"
    );
    let accepted = invitee.post(&link, &[("csrf", &page.csrf())]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.html);
    assert_eq!(accepted.location.as_deref(), Some("/workspace"));
    let dashboard = invitee.get("/workspace").await;
    assert_eq!(
        dashboard.status,
        StatusCode::OK,
        "the new officer works in the workspace"
    );
    let officer = account::Entity::find()
        .filter(account::Column::Email.eq("new.officer@example.org"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .expect("the account was made");
    assert_eq!(officer.role, domain::types::Role::Officer);
    assert!(officer.agency_id.is_some());

    // Used once only.
    let mut again = Visitor::new(&app.address);
    let csrf = again.get("/sign-in").await.csrf();
    let r = again.post(&link, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.html);

    // Accepted while signed in (as someone who signs in with ThaID would be): that account
    // gets the role, and no other account is made.
    let r = admin
        .post(
            "/workspace/admin/accounts",
            &[
                ("csrf", &form.csrf()),
                ("email", "thaid-user@example.org"),
                ("role", "officer"),
                ("agency", "invites"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let thaid_link = mailed_link(&app, &smtp, 2).await;
    let (mut signed, citizen_email, citizen_token) = app.signed_in("citizen", None).await;
    let draft = json!({"title_th": "ร่างของผู้รับคำเชิญ", "law_type": "act"});
    assert_eq!(
        app.create_draft(Some(&citizen_token), &draft).await.status,
        StatusCode::FORBIDDEN
    );
    let page = signed.get(&thaid_link).await;
    assert!(
        page.html.contains("citizen ผู้ทดสอบ"),
        "the page says who accepts"
    );
    let r = signed.post(&thaid_link, &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let upgraded = account::Entity::find()
        .filter(account::Column::Email.eq(&citizen_email))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(upgraded.role, domain::types::Role::Officer);
    assert!(
        account::Entity::find()
            .filter(account::Column::Email.eq("thaid-user@example.org"))
            .one(&app.ctx.db.conn)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(signed.get("/workspace").await.status, StatusCode::OK);
    // The account's API token is an officer's from the next request on.
    assert_eq!(
        app.create_draft(Some(&citizen_token), &draft).await.status,
        StatusCode::CREATED
    );

    // An invitation accepted after it expired fails and makes no account.
    let r = admin
        .post(
            "/workspace/admin/accounts",
            &[
                ("csrf", &form.csrf()),
                ("email", "late@example.org"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let late = mailed_link(&app, &smtp, 3).await;
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::ExpiresAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(invitation::Column::Email.eq("late@example.org"))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let mut latecomer = Visitor::new(&app.address);
    assert_eq!(latecomer.get(&late).await.status, StatusCode::GONE);
    let csrf = latecomer.get("/sign-in").await.csrf();
    assert_eq!(
        latecomer.post(&late, &[("csrf", &csrf)]).await.status,
        StatusCode::GONE
    );
    assert!(
        account::Entity::find()
            .filter(account::Column::Email.eq("late@example.org"))
            .one(&app.ctx.db.conn)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_role_change_or_deactivation_applies_to_sessions_and_tokens_at_the_next_request() {
    let app = TestApp::builder().with_agency("roles").spawn().await;
    let (mut admin, _, _) = app.signed_in("admin", None).await;
    let (mut officer, email, token) = app.signed_in("officer", Some("roles")).await;
    let id = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    let draft = json!({"title_th": "ร่างทดสอบบทบาท", "law_type": "act"});
    assert_eq!(
        app.create_draft(Some(&token), &draft).await.status,
        StatusCode::CREATED
    );
    assert_eq!(officer.get("/workspace").await.status, StatusCode::OK);

    // Demoted to citizen: the workspace and the officer's API writes are refused at once.
    let page = admin.get(&format!("/workspace/admin/accounts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let r = admin
        .post(
            &format!("/workspace/admin/accounts/{id}"),
            &[
                ("csrf", &page.csrf()),
                ("change", "role"),
                ("role", "citizen"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        officer.get("/workspace").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.create_draft(Some(&token), &draft).await.status,
        StatusCode::FORBIDDEN
    );

    // Deactivated: signed out, and the token no longer works.
    let r = admin
        .post(
            &format!("/workspace/admin/accounts/{id}"),
            &[("csrf", &page.csrf()), ("change", "deactivate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let r = officer.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "signed out");
    assert!(r.location.unwrap().contains("/sign-in"));
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Signing in again does not work either.
    let secret = domain::service::sign_in::issue_now(&app.ctx.db, &email, "/")
        .await
        .unwrap();
    let mut again = Visitor::new(&app.address);
    let link = format!("/sign-in/{secret}");
    let confirm = again.get(&link).await;
    let r = again.post(&link, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);

    // An administrator cannot lock themselves out.
    let me = account::Entity::find()
        .filter(account::Column::Role.eq("admin"))
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    let mine = me
        .iter()
        .find(|a| a.email.starts_with("admin-"))
        .unwrap()
        .id;
    let r = admin
        .post(
            &format!("/workspace/admin/accounts/{mine}"),
            &[("csrf", &page.csrf()), ("change", "deactivate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);

    // Reactivated: the same token works again.
    let r = admin
        .post(
            &format!("/workspace/admin/accounts/{id}"),
            &[("csrf", &page.csrf()), ("change", "reactivate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn tokens_are_made_named_used_and_revoked_from_the_account_page() {
    let app = TestApp::builder().spawn().await;
    let (mut v, _, _) = app.signed_in("researcher", None).await;
    let page = v.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    // A name is required; nothing is made without one.
    let r = v
        .post("/account/tokens", &[("csrf", &page.csrf()), ("name", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("error-summary"));
    let made = v
        .post(
            "/account/tokens",
            &[("csrf", &page.csrf()), ("name", "research scripts")],
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.html);
    let start = made
        .html
        .find("id=\"new-token\">")
        .expect("the token is shown")
        + "id=\"new-token\">".len();
    let token = made.html[start..].split('<').next().unwrap().to_string();
    assert!(token.starts_with("rf_"), "{token}");
    assert!(made.html.contains("research scripts"));
    assert!(
        v.get("/account").await.html.contains("research scripts"),
        "listed"
    );
    assert!(
        !v.get("/account").await.html.contains(&token),
        "shown only once"
    );

    // The API works with it, and its use is recorded.
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token)).await.status,
        StatusCode::OK
    );
    let row = api_token::Entity::find()
        .filter(api_token::Column::Name.eq("research scripts"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.last_used_at.is_some(), "last use recorded");

    // Someone else cannot revoke it.
    let (mut other, _, _) = app.signed_in("citizen", None).await;
    let csrf = other.get("/account").await.csrf();
    let r = other
        .post(
            &format!("/account/tokens/{}/revoke", row.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token)).await.status,
        StatusCode::OK
    );

    // Revoked: refused at the very next request.
    let csrf = v.get("/account").await.csrf();
    let r = v
        .post(
            &format!("/account/tokens/{}/revoke", row.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        app.get("/api/v1/drafts", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        v.get("/account").await.html.contains("revoked")
            || v.get("/en/account").await.html.contains("revoked")
    );
}

#[tokio::test]
async fn an_officer_creates_a_draft_previews_and_publishes_a_version_and_a_second_editor_is_refused()
 {
    let app = TestApp::builder().with_agency("drafting").spawn().await;
    let (mut officer, _, _) = app.signed_in("officer", Some("drafting")).await;
    let drafts = || async { draft::Entity::find().count(&app.ctx.db.conn).await.unwrap() };

    // Bad input: the error summary, typed values kept, nothing stored.
    let form = officer.get("/workspace/drafts/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let r = officer
        .post(
            "/workspace/drafts/new",
            &[
                ("csrf", &form.csrf()),
                ("title_th", "ร่าง <b>ตัวหนา</b>"),
                ("law_type", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("error-summary"), "{}", r.html);
    assert!(
        r.html.contains("ตัวหนา") && !r.html.contains("<b>ตัวหนา"),
        "kept, as text"
    );
    let r = officer
        .post(
            "/workspace/drafts/new",
            &[
                ("csrf", &form.csrf()),
                ("title_th", ""),
                ("law_type", "act"),
                ("topics", "Not A Slug"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert_eq!(drafts().await, 0);

    let r = officer
        .post(
            "/workspace/drafts/new",
            &[
                ("csrf", &form.csrf()),
                ("title_th", "ร่างพระราชบัญญัติทดลอง พ.ศ. ...."),
                ("law_type", "act"),
                ("topics", "privacy, digital-economy"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let draft_path = r.location.unwrap();
    let id: i64 = draft_path.rsplit('/').next().unwrap().parse().unwrap();
    let page = officer.get(&draft_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("disabled"), "submit is not offered yet");

    // A version: preview first, then publish with a changelog.
    let body = "# ร่างพระราชบัญญัติทดลอง\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า\n\nมาตรา ๒ ให้ใช้บังคับ\n";
    let vform = officer
        .get(&format!("/workspace/drafts/{id}/versions/new"))
        .await;
    assert_eq!(vform.status, StatusCode::OK);
    let based_on = vform.input("based_on").unwrap();
    assert_eq!(based_on, "none");
    let preview = officer
        .post(
            &format!("/workspace/drafts/{id}/versions/new"),
            &[
                ("csrf", &vform.csrf()),
                ("body", body),
                ("based_on", &based_on),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(
        preview.html.contains("#s1") && preview.html.contains("#s2"),
        "the parsed provisions"
    );
    let r = officer
        .post(
            &format!("/workspace/drafts/{id}/versions/new"),
            &[
                ("csrf", &vform.csrf()),
                ("body", body),
                ("based_on", &based_on),
                ("action", "publish"),
                ("changelog", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a changelog is asked for"
    );
    assert_eq!(
        draft_version::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        0
    );
    let publish = |changelog: &'static str| {
        let csrf = vform.csrf();
        let based_on = based_on.clone();
        let mut fields = vec![
            ("csrf".to_string(), csrf),
            ("body".into(), body.to_string()),
            ("based_on".into(), based_on),
            ("action".into(), "publish".into()),
        ];
        fields.push(("changelog".into(), changelog.into()));
        fields
    };
    let fields = publish("ฉบับแรก");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = officer
        .post(&format!("/workspace/drafts/{id}/versions/new"), &refs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        draft_version::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        1
    );
    // A second author who began from the same (empty) state is refused, not appended blindly.
    let mut second = publish("ฉบับที่สองที่ซ้อน");
    second[1].1 = format!("{body}\nมาตรา ๓ เพิ่มเติม\n");
    let refs: Vec<(&str, &str)> = second
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = officer
        .post(&format!("/workspace/drafts/{id}/versions/new"), &refs)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert_eq!(
        draft_version::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/drafts/{id}"), None).await.status,
        StatusCode::OK,
        "public now"
    );

    // Two editors of the draft's facts: the second save is refused with a clear message.
    let first = officer.get(&format!("/workspace/drafts/{id}/edit")).await;
    let (mut colleague, _, _) = app.signed_in("officer", Some("drafting")).await;
    let other = colleague.get(&format!("/workspace/drafts/{id}/edit")).await;
    let save = |page: &tests::web::Page, title: &str| {
        vec![
            ("csrf".to_string(), page.csrf()),
            ("seen".into(), page.input("seen").unwrap()),
            ("title_th".into(), title.to_string()),
            ("law_type".into(), "act".into()),
            ("topics".into(), "privacy".into()),
        ]
    };
    let fields = save(&first, "ชื่อที่หนึ่ง");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = officer
        .post(&format!("/workspace/drafts/{id}/edit"), &refs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let fields = save(&other, "ชื่อที่สอง");
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = colleague
        .post(&format!("/workspace/drafts/{id}/edit"), &refs)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert!(
        r.html.contains("error-summary") && r.html.contains("ชื่อที่สอง"),
        "the typed title is kept"
    );
    let stored = draft::Entity::find_by_id(id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title_th, "ชื่อที่หนึ่ง", "never a silent overwrite");

    // Submitting before the checklist holds is refused by the server too.
    let page = officer.get(&draft_path).await;
    let r = officer
        .post(
            &format!("/workspace/drafts/{id}/submit"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    let stored = draft::Entity::find_by_id(id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, domain::types::DraftStatus::Preparing);
}

#[tokio::test]
async fn the_dashboard_shows_what_the_agency_has_to_do() {
    let app = TestApp::builder().spawn().await;
    let h = app.open_hearing("dash").await;
    let (mut officer, _, _) = app.signed_in("officer", Some("dash")).await;
    let page = officer.get("/workspace").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains(&format!("/workspace/drafts/{}", h.draft_id)),
        "the open consultation's draft"
    );
    let en = officer.get("/en/workspace").await;
    assert!(en.html.contains("Consultations open now"));
    // Another agency's officer sees none of it.
    let (mut stranger, _, _) = app
        .signed_in(
            "officer",
            Some({
                app.agency("dash-other").await;
                "dash-other"
            }),
        )
        .await;
    let theirs = stranger.get("/workspace").await;
    assert!(
        !theirs
            .html
            .contains(&format!("/workspace/drafts/{}", h.draft_id))
    );
}

/// The fields of a page's form as `(name, value)` pairs owned, for posting them back.
fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn post_owned(v: &mut Visitor, path: &str, fields: &[(String, String)]) -> tests::web::Page {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    v.post(path, &refs).await
}

#[tokio::test]
async fn an_officer_opens_a_consultation_with_a_questionnaire_built_without_javascript() {
    let app = TestApp::builder().with_agency("setup").spawn().await;
    let (mut officer, _, token) = app.signed_in("officer", Some("setup")).await;
    let draft_id = app.published_draft(&token).await;
    let path = format!("/workspace/drafts/{draft_id}/consultations/new");
    let form = officer.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(form.input("question_count").as_deref(), Some("2"));
    let consultations = || async {
        domain::entity::consultation::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap()
    };
    let today = domain::calendar::bangkok_date(domain::time::now_ms());
    let be = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        [
            d.day().to_string(),
            d.month().to_string(),
            domain::calendar::buddhist_year(d).to_string(),
        ]
    };
    let (open, short, long) = (
        be(today),
        be(today + chrono::Days::new(10)),
        be(today + chrono::Days::new(30)),
    );
    let base = |closes: &[String; 3], count: &str| {
        owned(&[
            ("csrf", &form.csrf()),
            ("question_count", count),
            ("kind", "draft"),
            ("opens_day", &open[0]),
            ("opens_month", &open[1]),
            ("opens_year", &open[2]),
            ("closes_day", &closes[0]),
            ("closes_month", &closes[1]),
            ("closes_year", &closes[2]),
            ("q0_kind", "single_choice"),
            ("q0_prompt_th", "เห็นด้วยกับร่างหรือไม่"),
            ("q0_options", "เห็นด้วย\nไม่เห็นด้วย"),
            ("q0_required", "1"),
        ])
    };

    // "Add another question" keeps what was typed, adds a block, and saves nothing.
    let mut fields = base(&long, "2");
    fields.push(("action".into(), "add_question".into()));
    let more = post_owned(&mut officer, &path, &fields).await;
    assert_eq!(more.status, StatusCode::OK, "{}", more.html);
    assert_eq!(more.input("question_count").as_deref(), Some("3"));
    assert!(more.html.contains("เห็นด้วยกับร่างหรือไม่") && more.html.contains("id=\"q2_prompt_th\""));
    assert_eq!(consultations().await, 0);

    // A date that does not exist, and a hearing of 10 days without a reason: refused, kept.
    let mut fields = base(&long, "3");
    fields[3].1 = "31".into();
    fields[4].1 = "2".into();
    fields.push(("action".into(), "open".into()));
    let r = post_owned(&mut officer, &path, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(
        r.html.contains("href=\"#opens_day\""),
        "the error links to the field"
    );
    let mut fields = base(&short, "3");
    fields.push(("action".into(), "open".into()));
    let r = post_owned(&mut officer, &path, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#short_period_reason\""));
    // A choice question with one option: the error is at that block.
    let mut fields = base(&long, "3");
    fields.push(("q1_kind".into(), "multiple_choice".into()));
    fields.push(("q1_prompt_th".into(), "ประเด็นใด".into()));
    fields.push(("q1_options".into(), "ก".into()));
    fields.push(("action".into(), "open".into()));
    let r = post_owned(&mut officer, &path, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#q1_options\""), "{}", r.html);
    assert_eq!(consultations().await, 0);

    // Two questions (the third block left blank), 30 days, Buddhist Era years.
    let mut fields = base(&long, "3");
    fields.push(("q1_kind".into(), "text".into()));
    fields.push(("q1_prompt_th".into(), "ข้อเสนอแนะอื่น".into()));
    fields.push(("stakeholders".into(), "สภาอุตสาหกรรม\nสมาคมธนาคารไทย".into()));
    fields.push(("action".into(), "open".into()));
    let r = post_owned(&mut officer, &path, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let id: i64 = r
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let c = app.get_consultation(id, None).await;
    assert_eq!(c.status, StatusCode::OK);
    assert_eq!(c.body["questions"].as_array().unwrap().len(), 2);
    assert_eq!(c.body["invited_stakeholders"].as_array().unwrap().len(), 2);
    let closes =
        chrono::DateTime::parse_from_rfc3339(c.body["closes_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        domain::calendar::bangkok_date(closes.timestamp_millis()),
        today + chrono::Days::new(30),
        "closes at the end of the day typed, in Bangkok"
    );
}

#[tokio::test]
async fn moderation_tells_the_author_why_and_responses_and_the_summary_are_made_in_the_workspace() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    let h = app.open_hearing("moderate").await;
    let (mut officer, _, _) = app.signed_in("officer", Some("moderate")).await;
    let citizen = app.user("citizen", None).await;
    let posted = app
        .create_comment(h.consultation_id, Some(&citizen), &json!({"body": "ความเห็นที่มีเบอร์โทร 081-234-5678", "stance": "oppose", "provision_id": "s1", "notify": true}))
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{:?}", posted.body);
    let comment_id = posted.body["id"].as_i64().unwrap();
    let tracking = posted.body["tracking_number"].as_str().unwrap().to_string();
    app.run_pending_jobs().await;
    let receipts = smtp.wait_for(1, Duration::from_secs(10)).await.len();

    let page_path = format!("/workspace/consultations/{}", h.consultation_id);
    let page = officer.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(&tracking), "the comment is in the queue");
    // Awaiting moderation until the queue is marked as reviewed.
    let dashboard = officer.get("/en/workspace").await;
    assert!(
        dashboard.html.contains("1 awaiting moderation"),
        "{}",
        dashboard.html
    );
    let up_to = page
        .input("up_to")
        .expect("a way to mark the queue as reviewed");
    assert_eq!(up_to, comment_id.to_string());
    let r = officer
        .post(
            &format!("{page_path}/reviewed"),
            &[("csrf", &page.csrf()), ("up_to", &up_to)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert!(
        !officer
            .get("/en/workspace")
            .await
            .html
            .contains("awaiting moderation")
    );
    assert!(
        officer.get(&page_path).await.input("up_to").is_none(),
        "nothing new to mark"
    );
    let action = format!("{page_path}/comments/{comment_id}/moderation");
    // Hiding needs a reason from the list.
    let r = officer
        .post(
            &action,
            &[("csrf", &page.csrf()), ("action", "hide"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    let r = officer
        .post(
            &action,
            &[
                ("csrf", &page.csrf()),
                ("action", "hide"),
                ("reason", "personal_data"),
                ("note", "โปรดส่งใหม่โดยไม่ใส่เบอร์โทร"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let listed = app.list_comments(h.consultation_id, None, &[]).await;
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"].as_i64() != Some(comment_id)),
        "hidden from the public"
    );
    // The author is told by mail, with the reason.
    app.run_pending_jobs().await;
    let mails = smtp.wait_for(receipts + 1, Duration::from_secs(10)).await;
    let told = mails.last().unwrap().text_body().unwrap_or_default();
    assert!(
        told.contains(&tracking) && told.contains("โปรดส่งใหม่โดยไม่ใส่เบอร์โทร"),
        "{told}"
    );
    assert!(
        told.contains("personal data"),
        "the listed reason in English too: {told}"
    );

    // The queue filters by moderation status.
    let hidden = officer.get(&format!("{page_path}?status=hidden")).await;
    assert!(hidden.html.contains(&tracking));
    let published = officer.get(&format!("{page_path}?status=published")).await;
    assert!(!published.html.contains(&tracking));

    // A campaign cluster shows its representative text, its size and a sample of its members.
    let cluster = domain::entity::comment_cluster::Entity::insert(
        domain::entity::comment_cluster::ActiveModel {
            consultation_id: sea_orm::Set(h.consultation_id),
            size: sea_orm::Set(1),
            representative_text: sea_orm::Set("ข้อความรณรงค์ตัวแทนกลุ่ม".into()),
            computed_at: sea_orm::Set(domain::time::now_ms()),
            ..Default::default()
        },
    )
    .exec(&app.ctx.db.conn)
    .await
    .unwrap()
    .last_insert_id;
    domain::entity::comment::Entity::update_many()
        .col_expr(
            domain::entity::comment::Column::ClusterId,
            Expr::value(cluster),
        )
        .filter(domain::entity::comment::Column::Id.eq(comment_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let page = officer.get(&page_path).await;
    assert!(
        page.html.contains("ข้อความรณรงค์ตัวแทนกลุ่ม"),
        "the representative text"
    );
    assert!(
        page.html
            .contains(&format!("href=\"#comment-{comment_id}\">{tracking}")),
        "a member in the sample"
    );

    // Responses: a disposition on the provision and one on the comment, from the provision's view.
    let responses = format!("{page_path}/responses");
    let view = officer.get(&format!("{responses}?provision=s1")).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.html);
    assert!(
        view.html.contains(&tracking),
        "the provision's comments beside it"
    );
    let r = officer
        .post(
            &responses,
            &[
                ("csrf", &view.csrf()),
                ("target_kind", "provision"),
                ("target_id", "s1"),
                ("provision", "s1"),
                ("reason", "ปรับถ้อยคำแล้ว"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a decision is required");
    let r = officer
        .post(
            &responses,
            &[
                ("csrf", &view.csrf()),
                ("target_kind", "provision"),
                ("target_id", "s1"),
                ("provision", "s1"),
                ("decision", "partly_accepted"),
                ("reason", "ปรับถ้อยคำแล้ว"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let r = officer
        .post(
            &responses,
            &[
                ("csrf", &view.csrf()),
                ("target_kind", "comment"),
                ("target_id", &comment_id.to_string()),
                ("provision", "s1"),
                ("decision", "accepted"),
                ("reason", "รับไว้พิจารณา"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let recorded = domain::entity::disposition::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(recorded, 2);

    // The summary: not before the hearing closes; then compiled by the worker, previewed, published.
    let page = officer.get(&page_path).await;
    let r = officer
        .post(
            &format!("{page_path}/summary/compile"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    domain::entity::consultation::Entity::update_many()
        .col_expr(
            domain::entity::consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(domain::entity::consultation::Column::Id.eq(h.consultation_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let r = officer
        .post(
            &format!("{page_path}/summary/compile"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    app.run_pending_jobs().await;
    let preview = officer.get(&format!("{page_path}/summary")).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    assert!(
        preview.html.contains("ปรับถ้อยคำแล้ว"),
        "the responses are in the summary"
    );
    let r = officer
        .post(
            &format!("{page_path}/summary/publish"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        app.get_report(h.consultation_id, None).await.status,
        StatusCode::OK,
        "published"
    );
    // Published: responses no longer change.
    let r = officer
        .post(
            &responses,
            &[
                ("csrf", &view.csrf()),
                ("target_kind", "provision"),
                ("target_id", "s1"),
                ("provision", "s1"),
                ("decision", "accepted"),
                ("reason", "เปลี่ยนใจ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
}

#[tokio::test]
async fn a_word_document_becomes_a_previewed_version_and_bad_files_are_refused() {
    let app = TestApp::builder().with_agency("word").spawn().await;
    let (officer, _, _) = app.signed_in("officer", Some("word")).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookies = officer
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut officer = officer;
    let csrf = officer.get("/workspace/drafts/new").await.csrf();
    let r = officer
        .post(
            "/workspace/drafts/new",
            &[
                ("csrf", &csrf),
                ("title_th", "ร่างจากไฟล์ Word"),
                ("law_type", "act"),
            ],
        )
        .await;
    let draft_path = r.location.unwrap();
    let form = officer.get(&format!("{draft_path}/versions/new")).await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let client = client.clone();
        let url = officer.url(&format!("{draft_path}/versions/upload"));
        let cookies = cookies.clone();
        let csrf = form.csrf();
        async move {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            let body = reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("based_on", "none")
                .part("document", part);
            let resp = client
                .post(url)
                .header("cookie", cookies)
                .multipart(body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    let fixture =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/draft.docx")).unwrap();
    let (status, html) = upload(fixture, "draft.docx").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("#s1") && html.contains("มาตรา"),
        "the parsed provisions are previewed"
    );
    assert!(
        html.contains("name=\"action\" value=\"publish\""),
        "and can be published"
    );

    let (status, html) = upload(b"not a zip at all".to_vec(), "draft.docx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("error-summary") && html.contains(".docx"),
        "{html}"
    );
    let (status, _) = upload(vec![0u8; 11 * 1024 * 1024], "big.docx").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // The fixture with a VBA project added: a macro-enabled document.
    let fixture =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/draft.docx")).unwrap();
    let mut with_macros = zip::ZipWriter::new_append(std::io::Cursor::new(fixture)).unwrap();
    with_macros
        .start_file(
            "word/vbaProject.bin",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    std::io::Write::write_all(&mut with_macros, b"\xD0\xCF\x11\xE0 macros").unwrap();
    let with_macros = with_macros.finish().unwrap().into_inner();
    let (status, html) = upload(with_macros, "draft.docx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains(".docm"), "the message names macros: {html}");
    // A zip bomb: a small file whose document unpacks into 200 MB.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    bomb.start_file("word/document.xml", deflated).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..200 {
        std::io::Write::write_all(&mut bomb, &zeros).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb is small: {}",
        bomb.len()
    );
    let (status, html) = upload(bomb, "draft.docx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("ขยายตัวเป็นข้อมูลจำนวนมากผิดปกติ"),
        "named a zip bomb: {html}"
    );
    assert_eq!(
        draft_version::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        0,
        "nothing stored"
    );
}

/// An assessment as the workspace form's fields (`alternatives[0].kind` = ...).
fn assessment_fields(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                assessment_fields(&path, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assessment_fields(&format!("{prefix}[{i}]"), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.into(), s.clone())),
        serde_json::Value::Number(n) => out.push((prefix.into(), n.to_string())),
        serde_json::Value::Bool(true) => out.push((prefix.into(), "on".into())),
        _ => {}
    }
}

#[tokio::test]
async fn the_impact_assessment_is_filled_checked_at_each_field_previewed_and_published() {
    let app = TestApp::builder().with_agency("ria").spawn().await;
    let (mut officer, _, token) = app.signed_in("officer", Some("ria")).await;
    let draft_id = app.published_draft(&token).await;
    let path = format!("/workspace/drafts/{draft_id}/assessment");
    let form = officer.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(form.input("seen").as_deref(), Some("none"));
    let mut fields = vec![
        ("csrf".to_string(), form.csrf()),
        ("seen".to_string(), "none".to_string()),
    ];
    assessment_fields(
        "",
        &serde_json::to_value(domain::ria::example()).unwrap(),
        &mut fields,
    );
    let saved = || async {
        domain::entity::impact_assessment::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap()
    };

    // A number typed as words, and no "do nothing" alternative: refused at those fields, kept.
    let mut bad = fields.clone();
    for (k, v) in bad.iter_mut() {
        if k == "readiness.budget_thb" {
            *v = "ห้าล้าน".into();
        }
        if k == "alternatives[0].kind" {
            *v = "legal".into();
        }
    }
    bad.push(("action".into(), "save".into()));
    let r = post_owned(&mut officer, &path, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(
        r.html.contains("href=\"#readiness.budget_thb\""),
        "{}",
        r.html
    );
    assert!(r.html.contains("value=\"ห้าล้าน\""), "typed values kept");
    assert_eq!(saved().await, 0, "nothing stored");

    // "More rows" keeps everything and stores nothing.
    let mut more = fields.clone();
    more.push(("action".into(), "more".into()));
    let r = post_owned(&mut officer, &path, &more).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(saved().await, 0);

    // Preview renders the report without storing it; save stores it; publish freezes it.
    let mut preview = fields.clone();
    preview.push(("action".into(), "preview".into()));
    let r = post_owned(&mut officer, &path, &preview).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert!(
        r.html.contains("class=\"prose inset\""),
        "the report is previewed"
    );
    assert_eq!(saved().await, 0);
    let mut save = fields.clone();
    save.push(("action".into(), "save".into()));
    let r = post_owned(&mut officer, &path, &save).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let stored = app.get_impact_assessment(draft_id, Some(&token)).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(
        serde_json::to_value(domain::ria::example()).unwrap()["objectives"],
        stored.body["fields"]["objectives"],
        "stored as typed"
    );
    // A second author who opened the form before that save is refused, not saved over it.
    let r = post_owned(&mut officer, &path, &save).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert!(r.html.contains("error-summary"));
    let again = officer.get(&path).await;
    assert_ne!(
        again.input("seen").as_deref(),
        Some("none"),
        "the form starts from the saved one"
    );
    assert!(
        again.html.contains("ria-example")
            || again.html.contains(domain::ria::example().problem.as_str()),
        "the saved values are shown"
    );
    assert_eq!(
        app.get_impact_assessment(draft_id, None).await.status,
        StatusCode::NOT_FOUND,
        "not public yet"
    );
    let r = officer
        .post(&format!("{path}/publish"), &[("csrf", &again.csrf())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(
        app.get_impact_assessment(draft_id, None).await.status,
        StatusCode::OK,
        "published"
    );
    let r = post_owned(&mut officer, &path, &save).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "published is final");
}

#[tokio::test]
async fn an_administrator_retries_a_failed_job_and_reads_the_verified_audit_trail() {
    let app = TestApp::builder().spawn().await;
    let (mut admin, _, _) = app.signed_in("admin", None).await;
    // A verification that failed (as if its worker had died on it), queued the normal way.
    let id = domain::jobs::enqueue(
        &app.ctx.db.conn,
        &domain::jobs::VerifyIntegrityJob::default(),
    )
    .await
    .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value("failed"))
        .col_expr(job::Column::LastError, Expr::value("the worker stopped"))
        .filter(job::Column::Id.eq(id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let jobs = admin.get("/workspace/admin/jobs?state=failed").await;
    assert_eq!(jobs.status, StatusCode::OK, "{}", jobs.html);
    assert!(
        jobs.html.contains("the worker stopped")
            && jobs
                .html
                .contains(&format!("/workspace/admin/jobs/{id}/retry"))
    );
    let audit = admin.get("/workspace/admin/audit").await;
    assert!(
        audit.html.contains("account.create"),
        "the trail's events are listed"
    );
    let r = admin
        .post(
            &format!("/workspace/admin/jobs/{id}/retry"),
            &[("csrf", &jobs.csrf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let row = job::Entity::find_by_id(id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, domain::types::JobState::Pending);

    // The worker verifies; the page shows the result.
    app.run_pending_jobs().await;
    let audit = admin.get("/en/workspace/admin/audit").await;
    assert!(audit.html.contains("intact"), "{}", audit.html);
    // Asking for a verification now queues one.
    let r = admin
        .post("/workspace/admin/audit", &[("csrf", &audit.csrf())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq("verify_integrity"))
        .filter(job::Column::State.eq("pending"))
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(waiting, 1);
    app.run_pending_jobs().await;
}

#[tokio::test]
async fn the_administrators_forms_refuse_bad_input_with_the_typed_values_kept() {
    let app = TestApp::builder().with_agency("forms-a").spawn().await;
    let (mut admin, _, _) = app.signed_in("admin", None).await;
    let agencies = || async {
        agency::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap()
    };
    let before = agencies().await;
    let page = admin.get("/workspace/admin/agencies").await;
    assert_eq!(page.status, StatusCode::OK);
    let r = admin
        .post(
            "/workspace/admin/agencies",
            &[
                ("csrf", &page.csrf()),
                ("slug", "Not A Slug"),
                ("name_th", "สำนักงานทดสอบ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(
        r.html.contains("href=\"#slug\"")
            && r.html.contains("value=\"Not A Slug\"")
            && r.html.contains("สำนักงานทดสอบ")
    );
    let r = admin
        .post(
            "/workspace/admin/agencies",
            &[
                ("csrf", &page.csrf()),
                ("slug", "forms-a"),
                ("name_th", "ซ้ำ"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert_eq!(agencies().await, before, "nothing stored");
    let r = admin
        .post(
            "/workspace/admin/agencies",
            &[
                ("csrf", &page.csrf()),
                ("slug", "forms-b"),
                ("name_th", "สำนักงานใหม่"),
                ("name_en", "New Office"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(agencies().await, before + 1);
    // Renamed: a name is required, and the new one is kept.
    let renamed = agency::Entity::find()
        .filter(agency::Column::Slug.eq("forms-b"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/workspace/admin/agencies/{}", renamed.id);
    let page = admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = admin
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("name_th", " "),
                ("name_en", "Kept"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("value=\"Kept\""));
    let r = admin
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("name_th", "สำนักงานที่เปลี่ยนชื่อ"),
                ("name_en", "Renamed Office"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let stored = agency::Entity::find_by_id(renamed.id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name_th, "สำนักงานที่เปลี่ยนชื่อ");
    assert_eq!(stored.slug, "forms-b", "the slug stays");

    // An officer needs an agency: refused, the account unchanged.
    let (_, email, _) = app.signed_in("citizen", None).await;
    let citizen = account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/workspace/admin/accounts/{}", citizen.id);
    let page = admin.get(&path).await;
    let r = admin
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("change", "role"),
                ("role", "officer"),
                ("agency", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("error-summary"));
    let unchanged = account::Entity::find_by_id(citizen.id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.role, domain::types::Role::Citizen);
    let r = admin
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("change", "role"),
                ("role", "officer"),
                ("agency", "forms-b"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let changed = account::Entity::find_by_id(citizen.id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.role, domain::types::Role::Officer);
}

#[tokio::test]
async fn an_officer_moves_a_scheduled_hearing_but_not_one_that_has_opened() {
    let app = TestApp::builder().with_agency("move").spawn().await;
    let (mut officer, _, token) = app.signed_in("officer", Some("move")).await;
    let draft_id = app.published_draft(&token).await;
    let day = 24 * 3600 * 1000;
    let now = domain::time::now_ms();
    let iso = |ms: i64| domain::calendar::machine_time(ms);
    let created = app
        .create_consultation(
            draft_id,
            Some(&token),
            &json!({"kind": "draft", "opens_at": iso(now + 5 * day), "closes_at": iso(now + 40 * day)}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/workspace/consultations/{id}/dates");
    let overview = officer.get(&format!("/workspace/consultations/{id}")).await;
    assert!(
        overview.html.contains(&format!("href=\"{path}\"")),
        "a scheduled hearing links to its dates"
    );

    // The form shows the stored dates, in Buddhist Era years on the Thai page.
    let form = officer.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let be = |ms: i64| {
        use chrono::Datelike;
        let d = domain::calendar::bangkok_date(ms);
        [
            d.day().to_string(),
            d.month().to_string(),
            domain::calendar::buddhist_year(d).to_string(),
        ]
    };
    let opens = be(now + 5 * day);
    assert_eq!(form.input("opens_year").as_deref(), Some(opens[2].as_str()));
    assert_eq!(form.input("opens_day").as_deref(), Some(opens[0].as_str()));
    let english = officer.get(&format!("/en{path}")).await;
    assert_eq!(
        english.input("opens_year").as_deref(),
        Some(
            (opens[2].parse::<i32>().unwrap() - 543)
                .to_string()
                .as_str()
        )
    );

    let post = |opens: [String; 3], closes: [String; 3], reason: &str| {
        owned(&[
            ("csrf", &form.csrf()),
            ("opens_day", &opens[0]),
            ("opens_month", &opens[1]),
            ("opens_year", &opens[2]),
            ("closes_day", &closes[0]),
            ("closes_month", &closes[1]),
            ("closes_year", &closes[2]),
            ("short_period_reason", reason),
        ])
    };
    let stored = || async { app.get_consultation(id, None).await.body };
    let before = stored().await;
    // A date that does not exist, and then a hearing of 6 days without a reason: refused, the
    // typed values kept, nothing changed.
    let r = post_owned(
        &mut officer,
        &path,
        &post(
            ["30".into(), "2".into(), opens[2].clone()],
            be(now + 50 * day),
            "",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#opens_day\""));
    assert_eq!(r.input("opens_day").as_deref(), Some("30"));
    let r = post_owned(
        &mut officer,
        &path,
        &post(be(now + 10 * day), be(now + 15 * day), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#short_period_reason\""));
    assert_eq!(stored().await, before, "nothing changed");

    // Ten days later, for 30 days: moved.
    let r = post_owned(
        &mut officer,
        &path,
        &post(be(now + 15 * day), be(now + 45 * day), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let after = stored().await;
    let date_of = |v: &serde_json::Value, field: &str| {
        let t = chrono::DateTime::parse_from_rfc3339(v[field].as_str().unwrap()).unwrap();
        domain::calendar::bangkok_date(t.timestamp_millis())
    };
    assert_eq!(
        date_of(&after, "opens_at"),
        domain::calendar::bangkok_date(now + 15 * day)
    );
    assert_eq!(
        date_of(&after, "closes_at"),
        domain::calendar::bangkok_date(now + 45 * day)
    );

    // A hearing that has opened: the page says its dates are fixed, and a post is refused.
    let second = app.published_draft(&token).await;
    let open_id = app.open_consultation(&token, second).await;
    let open_path = format!("/workspace/consultations/{open_id}/dates");
    let page = officer.get(&open_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.input("opens_day").is_none(),
        "no form for an open hearing"
    );
    let before = app.get_consultation(open_id, None).await.body;
    let r = post_owned(
        &mut officer,
        &open_path,
        &post(be(now + 15 * day), be(now + 45 * day), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.html);
    assert_eq!(app.get_consultation(open_id, None).await.body, before);
}

#[tokio::test]
async fn an_officer_registers_a_law_in_force_with_buddhist_era_dates() {
    let app = TestApp::builder().with_agency("laws-reg").spawn().await;
    let (mut officer, _, token) = app.signed_in("officer", Some("laws-reg")).await;
    let form = officer.get("/workspace/laws").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let laws = || async {
        app.list_laws(Some(&token), &[]).await.body["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    let fields = |title: &str, law_type: &str, in_force: [&str; 3], evaluated: [&str; 3]| {
        owned(&[
            ("csrf", &form.csrf()),
            ("title_th", title),
            ("title_en", ""),
            ("law_type", law_type),
            ("in_force_day", in_force[0]),
            ("in_force_month", in_force[1]),
            ("in_force_year", in_force[2]),
            ("evaluated_day", evaluated[0]),
            ("evaluated_month", evaluated[1]),
            ("evaluated_year", evaluated[2]),
        ])
    };
    // No title, no type, a date that does not exist, an evaluation before entry into force.
    let r = post_owned(
        &mut officer,
        "/workspace/laws",
        &fields("", "", ["31", "4", "2562"], ["", "", ""]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#law_type\"") && r.html.contains("href=\"#in_force_day\""));
    assert_eq!(r.input("in_force_day").as_deref(), Some("31"));
    let r = post_owned(
        &mut officer,
        "/workspace/laws",
        &fields(
            "พระราชบัญญัติทดสอบ",
            "act",
            ["28", "5", "2562"],
            ["1", "1", "2560"],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(r.html.contains("href=\"#evaluated_day\""), "{}", r.html);
    assert!(laws().await.is_empty(), "nothing registered");

    // In force since 28 May 2562 (2019), never evaluated: due five years on, 28 May 2024.
    let r = post_owned(
        &mut officer,
        "/workspace/laws",
        &fields("พระราชบัญญัติทดสอบ", "act", ["28", "5", "2562"], ["", "", ""]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let listed = laws().await;
    assert_eq!(listed.len(), 1);
    let law = &listed[0];
    assert_eq!(law["title_th"], "พระราชบัญญัติทดสอบ");
    let due =
        chrono::DateTime::parse_from_rfc3339(law["evaluation_due_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        domain::calendar::bangkok_date(due.timestamp_millis()),
        chrono::NaiveDate::from_ymd_opt(2024, 5, 28).unwrap()
    );
    let page = officer.get("/workspace/laws").await;
    assert!(
        page.html.contains("พระราชบัญญัติทดสอบ")
            && page.html.contains(&format!("id=\"law-{}\"", law["id"]))
    );
    assert!(
        page.html.contains("28 พฤษภาคม 2567"),
        "due date in BE on the Thai page"
    );
}
