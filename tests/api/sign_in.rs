//! Signing in to the site by e-mail link, sessions and CSRF, as a browser without JavaScript
//! would: forms posted with their hidden fields, cookies kept, redirects looked at one by one.

use std::time::Duration;

use domain::entity::{session, sign_in_link};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait, sea_query::Expr};
use tests::{TestApp, smtp::TestSmtp, web::Visitor};

/// The sign-in link in the latest of `n` mails.
async fn mailed_link(app: &TestApp, smtp: &TestSmtp, n: usize) -> String {
    app.run_pending_jobs().await;
    let mails = smtp.wait_for(n, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), n, "{n} sign-in mails");
    let text = mails[n - 1].text_body().unwrap_or_default();
    let start = text.find("http").expect("a link in the mail");
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// Asks for a link for `email` from the sign-in page, returning where the mail's link points.
pub async fn ask_link(
    app: &TestApp,
    smtp: &TestSmtp,
    v: &mut Visitor,
    email: &str,
    next: &str,
    n: usize,
) -> String {
    let form = v.get(&format!("/sign-in?next={}", urlencode(next))).await;
    assert_eq!(form.status, StatusCode::OK);
    let sent = v
        .post(
            "/sign-in",
            &[
                ("csrf", &form.csrf()),
                ("email", email),
                ("next", &form.input("next").unwrap()),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    mailed_link(app, smtp, n).await
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Completes sign-in from a mailed link: the page with the button, then the button.
pub async fn press_sign_in(v: &mut Visitor, link: &str) -> tests::web::Page {
    let confirm = v.get(link).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    v.post(link, &[("csrf", &confirm.csrf())]).await
}

async fn sessions(app: &TestApp) -> u64 {
    session::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mailed_link_signs_in_once_with_a_button_and_sign_out_ends_the_session() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    let mut v = Visitor::new(&app.address);

    // A post without the form's token is refused and stores nothing.
    let r = v
        .post("/sign-in", &[("email", "citizen@example.org")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.html.contains("<html"), "a page, not a bare status");
    let r = v
        .post(
            "/sign-in",
            &[("csrf", "forged"), ("email", "citizen@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let links = sign_in_link::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(links, 0, "nothing stored for a refused form");

    // A bad address is shown again with the problem at the field.
    let form = v.get("/sign-in").await;
    let r = v
        .post(
            "/sign-in",
            &[
                ("csrf", &form.csrf()),
                ("email", "not-an-address"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.html.contains("error-summary") && r.html.contains("href=\"#email\""),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("value=\"not-an-address\""),
        "what was typed is kept"
    );

    let link = ask_link(&app, &smtp, &mut v, "Citizen@Example.org", "/drafts", 1).await;
    assert!(
        link.starts_with(&app.address) && link.contains("/sign-in/"),
        "{link}"
    );
    // Opening the link (as a mail scanner would) signs nobody in.
    let confirm = v.get(&link).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(sessions(&app).await, 0, "a GET signs nobody in");
    let done = v.post(&link, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/drafts"));
    let cookie = done
        .set_cookies
        .iter()
        .find(|c| c.starts_with("rabfang_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let home = v.get("/").await;
    assert!(
        home.html.contains("citizen"),
        "the header names the signed-in person"
    );
    assert!(home.html.contains("/sign-out"));

    // The link works once.
    let mut other = Visitor::new(&app.address);
    let again = other.get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);

    // Signing out ends the session at once: the old cookie is worth nothing.
    let old = v.cookies.clone();
    let out = v.post("/sign-out", &[("csrf", &home.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let mut replay = Visitor::new(&app.address);
    replay.cookies = old;
    let page = replay.get("/").await;
    assert!(
        !page.html.contains("/sign-out"),
        "the ended session signs nobody in"
    );
    assert!(page.html.contains("/sign-in"));
}

#[tokio::test]
async fn links_expire_sessions_expire_and_next_stays_on_the_site() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;

    // An expired link cannot be used.
    let mut v = Visitor::new(&app.address);
    let link = ask_link(&app, &smtp, &mut v, "late@example.org", "/", 1).await;
    let confirm = v.get(&link).await;
    sign_in_link::Entity::update_many()
        .col_expr(
            sign_in_link::Column::ExpiresAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let r = v.post(&link, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(sessions(&app).await, 0);

    // `next` cannot lead to another site, and a session id planted before sign-in is replaced.
    let mut v = Visitor::new(&app.address);
    v.cookies.insert(
        "rabfang_session".into(),
        "planted-by-an-attacker-0123456789".into(),
    );
    let link = ask_link(
        &app,
        &smtp,
        &mut v,
        "next@example.org",
        "//evil.example/x",
        2,
    )
    .await;
    let done = press_sign_in(&mut v, &link).await;
    assert_eq!(done.location.as_deref(), Some("/"));
    let session = v.cookies.get("rabfang_session").cloned().unwrap();
    assert_ne!(session, "planted-by-an-attacker-0123456789");

    // Idle for longer than the idle limit: signed out.
    assert!(v.get("/").await.html.contains("/sign-out"));
    session::Entity::update_many()
        .col_expr(
            session::Column::LastSeenAt,
            Expr::value(domain::time::now_ms() - domain::service::sessions::IDLE_MS - 1),
        )
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let page = v.get("/").await;
    assert!(
        !page.html.contains("/sign-out"),
        "an idle session has ended"
    );
    assert!(
        !v.cookies.contains_key("rabfang_session"),
        "and its cookie is cleared"
    );
}

#[tokio::test]
async fn links_asked_from_english_pages_lead_to_english_pages_and_mailboxes_are_not_flooded() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    let mut v = Visitor::new(&app.address);
    let form = v.get("/en/sign-in").await;
    assert!(form.html.contains("lang=\"en\""));
    for _ in 0..5 {
        let r = v
            .post(
                "/en/sign-in",
                &[
                    ("csrf", &form.csrf()),
                    ("email", "flood@example.org"),
                    ("next", "/en"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "every request gets the same answer"
        );
    }
    app.run_pending_jobs().await;
    let mails = smtp.wait_for(3, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtp.messages().len(),
        domain::service::sign_in::LINKS_PER_ADDRESS as usize,
        "at most three links per address"
    );
    let text = mails[0].text_body().unwrap_or_default();
    assert!(text.contains("/en/sign-in/"), "{text}");
}

#[tokio::test]
async fn laws_in_force_have_pages_and_a_signed_in_person_asks_once_for_an_early_evaluation() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder()
        .with_smtp(&smtp)
        .with_agency("lawful")
        .with_officer("officer", "lawful")
        .spawn()
        .await;
    let r = app
        .create_law(
            Some(&app.token("officer")),
            &serde_json::json!({"title_th": "พระราชบัญญัติทดสอบการประเมิน", "law_type": "act", "in_force_since": "2024-01-01T00:00:00Z"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let mut v = Visitor::new(&app.address);
    let list = v.get("/laws").await;
    assert!(
        list.html.contains(&format!("/laws/{id}")) && list.html.contains("2572"),
        "the due date in BE: {}",
        list.html
    );
    let page = v.get(&format!("/laws/{id}")).await;
    assert!(
        page.html.contains("/sign-in?next="),
        "signing in comes first"
    );
    let link = ask_link(
        &app,
        &smtp,
        &mut v,
        "asker@example.org",
        &format!("/laws/{id}#evaluate"),
        1,
    )
    .await;
    press_sign_in(&mut v, &link).await;
    let page = v.get(&format!("/laws/{id}")).await;
    let path = format!("/laws/{id}/evaluation-requests");
    let short = v
        .post(&path, &[("csrf", &page.csrf()), ("reason", "สั้นไป")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.html.contains("href=\"#reason\"") && short.html.contains("สั้นไป"));
    let reason = "ค่าธรรมเนียมตามกฎหมายนี้สูงเกินไปสำหรับผู้ประกอบการรายย่อยในชนบท";
    let done = v
        .post(&path, &[("csrf", &page.csrf()), ("reason", reason)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let shown = v.get(done.location.as_deref().unwrap()).await;
    assert!(shown.html.contains(reason), "the reason is published");
    assert!(
        !shown.html.contains("asker@example.org"),
        "who asked is not"
    );
    let again = v
        .post(&path, &[("csrf", &page.csrf()), ("reason", reason)])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn on_https_cookies_are_host_only_and_secure_and_browsers_are_told_to_stay_on_https() {
    let app = TestApp::builder()
        .with_settings(&[("RABFANG_PUBLIC_URL", "https://rabfang.example.go.th")])
        .spawn()
        .await;
    let mut v = Visitor::new(&app.address);
    let page = v.get("/sign-in").await;
    let cookie = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-rabfang_csrf="))
        .unwrap_or_else(|| panic!("{:?}", page.set_cookies));
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"));
    let r = reqwest::get(app.url("/")).await.unwrap();
    let hsts = r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    // Over plain http (the default here), no HSTS.
    let plain = TestApp::builder().spawn().await;
    let r = reqwest::get(plain.url("/")).await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}
