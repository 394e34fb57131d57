//! Fair limits: writes per account and per client address (GCRA), a forged
//! `X-Forwarded-For` that changes nothing, and at most one confirmation mail per address.

use std::time::Duration;

use domain::entity::comment;
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{TestApp, smtp::TestSmtp};

async fn stored_comments(app: &tests::TestApp) -> u64 {
    comment::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_account_over_its_write_limit_gets_429_with_retry_after_and_nothing_is_stored() {
    let app = TestApp::builder()
        .with_settings(&[("RABFANG_RATE_LIMIT_ACCOUNT", "3")])
        .with_hearing("limited")
        .with_user("citizen", "citizen", None)
        .with_user("other", "citizen", None)
        .spawn()
        .await;
    let (h, citizen, other) = (app.hearing(), app.token("citizen"), app.token("other"));
    let body = json!({"body": "ความเห็นต่อร่าง", "stance": "support"});
    for _ in 0..3 {
        let r = app
            .create_comment(h.consultation_id, Some(&citizen), &body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // Read raw, for its headers.
    let path = format!("/api/v1/consultations/{}/comments", h.consultation_id);
    let r = app
        .client
        .post(app.url(&path))
        .bearer_auth(&citizen)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(stored_comments(&app).await, 3);
    // Reads are not limited, and another account is not held back by the first.
    assert_eq!(
        app.list_comments(h.consultation_id, Some(&citizen), &[])
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .create_comment(h.consultation_id, Some(&other), &body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(stored_comments(&app).await, 4);
}

#[tokio::test]
async fn a_forged_x_forwarded_for_does_not_escape_the_address_limit() {
    // Three writes a minute from one address; creating the agency is the first.
    let app = TestApp::builder()
        .with_settings(&[("RABFANG_RATE_LIMIT_ADDRESS", "3")])
        .with_agency("subs-limit")
        .spawn()
        .await;
    let subscribe = |n: usize| json!({"email": format!("person{n}@example.org"), "target_kind": "agency", "target": "subs-limit"});
    let mut statuses = Vec::new();
    for n in 0..4 {
        let forged = format!("203.0.113.{n}");
        let r = app
            .request(
                Method::POST,
                "/api/v1/subscriptions",
                None,
                Some(&subscribe(n)),
                &[("x-forwarded-for", forged.as_str())],
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [202, 202, 429, 429]);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = TestApp::builder()
        .with_settings(&[
            ("RABFANG_RATE_LIMIT_ADDRESS", "1"),
            ("RABFANG_TRUSTED_PROXIES", "127.0.0.0/8"),
        ])
        .with_agency("proxied")
        .spawn()
        .await;
    let send = |client: &'static str, n: usize| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/api/v1/subscriptions",
                None,
                Some(&json!({"email": format!("p{n}@example.org"), "target_kind": "agency", "target": "proxied"})),
                // The client's own (forged) entry comes first; the proxy appends the real one.
                &[("x-forwarded-for", &*format!("198.51.100.99, {client}"))],
            )
            .await
            .status
            .as_u16()
        }
    };
    assert_eq!(send("192.0.2.1", 0).await, 202);
    assert_eq!(send("192.0.2.1", 1).await, 429);
    assert_eq!(send("192.0.2.2", 2).await, 202);
}

#[tokio::test]
async fn twenty_identical_subscriptions_send_one_confirmation_mail() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder()
        .with_smtp(&smtp)
        .with_agency("mailbomb")
        .with_agency("mailbomb-2")
        .spawn()
        .await;
    for n in 0..20 {
        let target = if n % 2 == 0 { "mailbomb" } else { "mailbomb-2" };
        let r = app
            .create_subscription(
                None,
                &json!({"email": "victim@example.org", "target_kind": "agency", "target": target}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    }
    app.run_pending_jobs().await;
    smtp.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "one mail to one address");
}
