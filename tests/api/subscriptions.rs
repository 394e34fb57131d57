use std::time::Duration;

use domain::entity::{consultation, subscription};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::{TestApp, smtp::TestSmtp, web::Visitor};

fn link(text: &str, path: &str) -> String {
    let start = text
        .find(path)
        .unwrap_or_else(|| panic!("no {path} in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == '"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn subscribers_confirm_get_notices_once_and_can_unsubscribe_in_one_click() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder()
        .with_smtp(&smtp)
        .with_agency("subs")
        .with_officer("officer", "subs")
        .spawn()
        .await;
    for bad in [
        json!({"email": "not-an-address", "target_kind": "agency", "target": "subs"}),
        json!({"email": "a@example.org", "target_kind": "agency", "target": "nobody"}),
    ] {
        let r = app.create_subscription(None, &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    }
    let r = app
        .create_subscription(
            None,
            &json!({"email": "Follower@Example.org", "target_kind": "agency", "target": "subs"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_pending_jobs().await;
    let confirm_mail = smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(confirm_mail.len(), 1);
    let text = confirm_mail[0].text_body().unwrap_or_default();
    // The mailed link opens a page with a button; only the button (a POST) confirms, so a
    // mail scanner that follows the link confirms nothing.
    let confirm = link(&text, "/subscriptions/confirm?token=");
    assert!(
        !confirm.contains("/api/v1/"),
        "the mail links to a page: {confirm}"
    );
    let mut v = Visitor::new(&app.address);
    let page = v.get(&confirm).await;
    assert_eq!(page.status, StatusCode::OK);
    let confirmed = || async {
        subscription::Entity::find()
            .all(&app.ctx.db.conn)
            .await
            .unwrap()
            .iter()
            .filter(|s| s.confirmed_at.is_some())
            .count()
    };
    assert_eq!(confirmed().await, 0, "opening the link confirms nothing");
    let token = page.input("token").expect("the token travels in the form");
    let done = v
        .post(
            "/subscriptions/confirm",
            &[("csrf", &page.csrf()), ("token", &token)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert_eq!(confirmed().await, 1);
    let wrong = v
        .post(
            "/subscriptions/confirm",
            &[("csrf", &page.csrf()), ("token", "wrong")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::GONE);
    assert_eq!(
        app.confirm_subscription("wrong").await.status,
        StatusCode::NOT_FOUND
    );

    // A consultation of the agency opens: one notice, with a one-click unsubscribe.
    let officer = app.token("officer");
    let draft = app.published_draft(&officer).await;
    let c = app.open_consultation(&officer, draft).await;
    worker::scheduler::tick(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let got = smtp.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 2, "confirmation + opened notice");
    let notice = &got[1];
    assert_eq!(notice.to, vec!["follower@example.org".to_string()]);
    assert!(
        notice
            .subject()
            .unwrap_or_default()
            .contains("ร่างพระราชบัญญัติทดสอบ"),
        "{:?}",
        notice.subject()
    );
    let unsubscribe = notice
        .header("List-Unsubscribe")
        .expect("a List-Unsubscribe header");
    assert_eq!(
        notice.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    worker::scheduler::tick(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(smtp.messages().len(), 2, "nothing twice");

    // Three days before it closes, the subscriber is reminded, once.
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() + 86_400_000),
        )
        .filter(consultation::Column::Id.eq(c))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(worker::scheduler::tick(&app.ctx).await.unwrap(), 1);
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let got = smtp.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(
        got.len(),
        3,
        "confirmation, opened notice, closing reminder"
    );
    assert_eq!(got[2].to, vec!["follower@example.org".to_string()]);
    assert_ne!(got[2].subject(), got[1].subject(), "a different notice");
    assert!(got[2].header("List-Unsubscribe").is_some());
    worker::scheduler::tick(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(smtp.messages().len(), 3, "the reminder goes once");

    // One click unsubscribes, as a mail provider sends it (RFC 8058: a form body); the next
    // consultation of the agency then reaches nobody.
    let url = unsubscribe.trim_matches(|c| c == '<' || c == '>');
    let path = &url[url.find("/api/v1/").unwrap()..];
    let r = reqwest::Client::new()
        .post(app.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let draft = app.published_draft(&officer).await;
    app.open_consultation(&officer, draft).await;
    worker::scheduler::tick(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 3);
}
