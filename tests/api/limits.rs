//! Fair limits: writes per account and per client address, reads of the API per account (any
//! of its keys) or per anonymous address (GCRA), the `RateLimit-Policy` and `RateLimit` fields,
//! a forged `X-Forwarded-For` that changes nothing, and at most one confirmation mail per
//! address.

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
    // Reads count against their own quota, and another account is not held back by the first.
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

/// A raw GET, for its headers: (status, `RateLimit-Policy`, `RateLimit`, `Retry-After`).
async fn read_fields(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (u16, Option<String>, Option<String>, Option<String>) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let field = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    (
        r.status().as_u16(),
        field("ratelimit-policy"),
        field("ratelimit"),
        field("retry-after"),
    )
}

#[tokio::test]
async fn api_reads_are_counted_per_account_or_per_anonymous_address_and_say_where_the_caller_stands()
 {
    let app = TestApp::builder()
        .with_settings(&[
            ("RABFANG_READ_LIMIT_ACCOUNT", "4"),
            ("RABFANG_READ_LIMIT_ADDRESS", "3"),
        ])
        .with_user("researcher", "researcher", None)
        .with_user("other", "researcher", None)
        .spawn()
        .await;
    let (researcher, other) = (app.token("researcher"), app.token("other"));

    // Anonymous: three reads a minute from this address, each saying what is left.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (status, policy, state, _) = read_fields(&app, "/api/v1/agencies", None).await;
        assert_eq!(status, 200);
        assert_eq!(policy.as_deref(), Some("\"reads\";q=3;w=60"));
        seen.push(state.unwrap());
    }
    assert!(seen[0].starts_with("\"reads\";r=2;t="), "{seen:?}");
    assert!(seen[2].starts_with("\"reads\";r=0;t="), "{seen:?}");
    let (status, policy, state, retry_after) = read_fields(&app, "/api/v1/agencies", None).await;
    assert_eq!(status, 429);
    assert_eq!(policy.as_deref(), Some("\"reads\";q=3;w=60"));
    let retry_after: u64 = retry_after.unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_eq!(
        state.as_deref(),
        Some(format!("\"reads\";r=0;t={retry_after}").as_str())
    );
    let problem = app.list_agencies(None, &[]).await;
    assert_eq!(problem.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem.code(), "rate_limited");
    // The site's pages and the health check are not counted.
    for path in ["/", "/en/consultations", "/healthz"] {
        let (status, policy, _, _) = read_fields(&app, path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(policy, None, "{path} is not counted");
    }

    // With a key, the account's own quota (four), whatever the address has used; all of the
    // account's keys share it.
    let second_key = app
        .create_api_key(Some(&researcher), &json!({"name": "second"}))
        .await;
    assert_eq!(
        second_key.status,
        StatusCode::CREATED,
        "{}",
        second_key.text
    );
    let second_key = second_key.body["token"].as_str().unwrap().to_string();
    let mut statuses = Vec::new();
    for key in [
        &researcher,
        &second_key,
        &researcher,
        &second_key,
        &researcher,
    ] {
        let (status, policy, _, _) = read_fields(&app, "/api/v1/drafts", Some(key)).await;
        if status == 200 {
            assert_eq!(policy.as_deref(), Some("\"reads\";q=4;w=60"));
        }
        statuses.push(status);
    }
    // Making the second key was a write (its own quota); the five reads: four, then 429.
    assert_eq!(statuses, [200, 200, 200, 200, 429]);
    // Another account is not held back.
    assert_eq!(
        read_fields(&app, "/api/v1/drafts", Some(&other)).await.0,
        200
    );
}

#[tokio::test]
async fn writes_say_where_the_caller_stands_in_the_writes_quota() {
    let app = TestApp::builder()
        .with_settings(&[("RABFANG_RATE_LIMIT_ACCOUNT", "5")])
        .with_user("citizen", "citizen", None)
        .spawn()
        .await;
    let r = app
        .client
        .post(app.url("/api/v1/account/tokens"))
        .bearer_auth(app.token("citizen"))
        .json(&json!({"name": "a key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        r.headers()["ratelimit-policy"].to_str().unwrap(),
        "\"writes\";q=5;w=60"
    );
    assert!(
        r.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"writes\";r=4;t="),
        "{:?}",
        r.headers()["ratelimit"]
    );
}
