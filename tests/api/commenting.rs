//! Commenting on the site: the form on the consultation page, its checks, the receipt and
//! tracking, as a browser without JavaScript would.

use domain::entity::comment;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{TestApp, smtp::TestSmtp, web::Visitor};

use crate::sign_in::{ask_link, press_sign_in};

async fn comments(app: &TestApp) -> u64 {
    comment::Entity::find()
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_citizen_comments_through_the_form_gets_a_receipt_and_tracks_the_comment() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    let h = app.open_hearing("forms").await;
    let page_path = format!("/consultations/{}", h.consultation_id);
    let mut v = Visitor::new(&app.address);

    // Anonymous visitors read the page and are offered to sign in, not a form.
    let page = v.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("/sign-in?next="), "a way to sign in");
    assert!(
        !page.html.contains("name=\"body\""),
        "no form before signing in"
    );
    // Posting anyway (with a valid token) leads to sign-in and stores nothing.
    let sign_in_form = v.get("/sign-in").await;
    let r = v
        .post(
            &format!("{page_path}/comments"),
            &[
                ("csrf", &sign_in_form.csrf()),
                ("body", "x"),
                ("stance", "support"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().starts_with("/sign-in?next="));

    let link = ask_link(
        &app,
        &smtp,
        &mut v,
        "reader@example.org",
        &format!("{page_path}#comment"),
        1,
    )
    .await;
    let done = press_sign_in(&mut v, &link).await;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("{page_path}#comment").as_str())
    );

    let page = v.get(&page_path).await;
    assert!(
        page.html.contains("name=\"body\""),
        "the form, once signed in"
    );
    assert!(page.html.contains("value=\"anonymous\" id=\"publication\" aria-describedby=\"publication-anonymous-hint\" checked"), "anonymous is preselected");
    let (csrf, key) = (page.csrf(), page.input("key").unwrap());

    // Missing stance and an empty body: both problems at once, what was typed kept, nothing stored.
    let r = v
        .post(
            &format!("{page_path}/comments"),
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("body", "   "),
                ("organisation_name", "สมาคม <ทดสอบ>"),
                ("q-q4", "ข้อเสนอของฉัน"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(
        r.html.contains("href=\"#stance\"") && r.html.contains("href=\"#body\""),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("สมาคม &#60;ทดสอบ&#62;") && !r.html.contains("<ทดสอบ>"),
        "typed values are kept, as text"
    );
    assert!(r.html.contains("ข้อเสนอของฉัน"));
    assert_eq!(comments(&app).await, 0);

    // A valid comment on a provision with answers: one comment, even when sent twice.
    let fields = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("provision", "s1"),
        ("stance", "oppose"),
        ("body", "มาตรา ๑ ควรแก้ไข"),
        ("q-q1", "ไม่เห็นด้วย"),
        ("q-q2", "ก"),
        ("q-q2", "ค"),
        ("q-q3", "4"),
        ("respondent_type", "individual"),
        ("publication", "anonymous"),
        ("notify", "yes"),
    ];
    let first = v.post(&format!("{page_path}/comments"), &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.html);
    let receipt_path = first.location.clone().unwrap();
    assert!(receipt_path.starts_with("/comments/RF-") && receipt_path.ends_with("/receipt"));
    let second = v.post(&format!("{page_path}/comments"), &fields).await;
    assert_eq!(
        second.location, first.location,
        "a double click shows the same receipt"
    );
    assert_eq!(comments(&app).await, 1);
    let stored = comment::Entity::find()
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.provision_id.as_deref(), Some("s1"));
    assert_eq!(stored.answers.0.len(), 3);
    assert!(stored.notify);

    // The receipt: tracking number and secret, for the author only.
    let receipt = v.get(&receipt_path).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.html.contains(&stored.tracking_number));
    let secret = {
        let at = receipt.html.find("receipt__secret\">").unwrap() + "receipt__secret\">".len();
        receipt.html[at..at + 14].to_string()
    };
    let mut stranger = Visitor::new(&app.address);
    assert_eq!(
        stranger.get(&receipt_path).await.status,
        StatusCode::NOT_FOUND
    );

    // Tracking with the number and the secret, without signing in; a wrong secret finds nothing.
    let track = stranger.get("/track").await;
    let wrong = stranger
        .post(
            "/track",
            &[
                ("csrf", &track.csrf()),
                ("tracking_number", &stored.tracking_number),
                ("secret", "AAAA-BBBB-CCCC"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.html.contains("error-summary"));
    let found = stranger
        .post(
            "/track",
            &[
                ("csrf", &track.csrf()),
                ("tracking_number", &stored.tracking_number.to_lowercase()),
                ("secret", &secret.to_lowercase()),
            ],
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.html);
    assert!(found.html.contains("timeline"));

    // The moderator hides it with a reason: the author reads the reason.
    let r = app
        .moderate_comment(
            h.consultation_id,
            stored.id,
            Some(&h.officer),
            &json!({"status": "hidden", "reason": "มีข้อมูลส่วนบุคคลของผู้อื่น"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let mine = v
        .get(&format!("/track?number={}", stored.tracking_number))
        .await;
    assert!(mine.html.contains("มีข้อมูลส่วนบุคคลของผู้อื่น"), "{}", mine.html);
    // The account page lists the comment; the download holds everything about the person and
    // no secret.
    let account = v.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.html.contains(&stored.tracking_number));
    let data = v.get("/account/data.json").await;
    assert_eq!(data.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&data.html).unwrap();
    assert_eq!(doc["account"]["email"], "reader@example.org");
    assert_eq!(
        doc["comments"][0]["tracking_number"],
        stored.tracking_number.as_str()
    );
    assert_eq!(
        doc["comments"][0]["moderation_reason"],
        "มีข้อมูลส่วนบุคคลของผู้อื่น"
    );
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    assert!(!data.html.contains("hash") && !data.html.contains(&v.cookies["rabfang_session"]));
    let anonymous = stranger.get("/account").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        stranger.get("/account/data.json").await.status,
        StatusCode::SEE_OTHER
    );

    // ...and the public API never shows it.
    let public = app.list_comments(h.consultation_id, None, &[]).await;
    assert!(!public.text.contains("มีข้อมูลส่วนบุคคลของผู้อื่น"));
    app.run_pending_jobs().await;
}

#[tokio::test]
async fn a_form_from_another_session_or_site_is_refused_and_changes_nothing() {
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    let h = app.open_hearing("csrf").await;
    let page_path = format!("/consultations/{}", h.consultation_id);
    let mut v = Visitor::new(&app.address);
    // A token taken before signing in is worth nothing after it.
    let before = v.get("/sign-in").await.csrf();
    let link = ask_link(&app, &smtp, &mut v, "csrf@example.org", "/", 1).await;
    press_sign_in(&mut v, &link).await;
    let fields = |csrf: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("stance".into(), "support".into()),
            ("body".into(), "ok".into()),
        ]
    };
    for token in [before.as_str(), "", "forged"] {
        let f = fields(token);
        let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = v.post(&format!("{page_path}/comments"), &f).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
    }
    assert_eq!(comments(&app).await, 0);
    app.run_pending_jobs().await;
}

#[tokio::test]
async fn published_comments_filter_by_provision_and_stance_and_show_a_campaign_once() {
    let app = TestApp::builder().spawn().await;
    let h = app.open_hearing("published").await;
    let citizen = app.user("citizen", None).await;
    let post = |body: &'static str,
                stance: &'static str,
                publication: &'static str,
                provision: Option<&'static str>| {
        let app = &app;
        let citizen = citizen.clone();
        async move {
            let mut b = json!({"body": body, "stance": stance, "publication": publication});
            if let Some(p) = provision {
                b["provision_id"] = json!(p);
            }
            let r = app
                .create_comment(h.consultation_id, Some(&citizen), &b)
                .await;
            assert!(r.status.is_success(), "{}", r.text);
            r.body["id"].as_i64().unwrap()
        }
    };
    for _ in 0..3 {
        post(
            "หยุดร่างนี้ทันที ขอให้ถอนร่างกลับไปทบทวนใหม่ทั้งหมด",
            "oppose",
            "anonymous",
            None,
        )
        .await;
    }
    post(
        "มาตรา ๑ ควรเขียนให้ชัดเจน <b>ไม่ใช่ตัวหนา</b>",
        "support",
        "anonymous",
        Some("s1"),
    )
    .await;
    post("ความลับ ไม่ขอเผยแพร่", "neutral", "private", None).await;
    let hidden = post("ข้อความที่ผู้ดูแลซ่อน", "neutral", "anonymous", None).await;
    let r = app
        .moderate_comment(
            h.consultation_id,
            hidden,
            Some(&h.officer),
            &json!({"status": "hidden", "reason": "spam"}),
        )
        .await;
    assert!(r.status.is_success());
    app.run_pending_jobs().await;

    let mut v = Visitor::new(&app.address);
    let path = format!("/consultations/{}/comments", h.consultation_id);
    let all = v.get(&path).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.html.matches("หยุดร่างนี้ทันที").count(),
        1,
        "a campaign is one entry"
    );
    assert!(all.html.contains("3 "), "with its size");
    assert!(all.html.contains("&#60;b&#62;ไม่ใช่ตัวหนา"), "bodies are text");
    assert!(!all.html.contains("ความลับ ไม่ขอเผยแพร่") && !all.html.contains("ข้อความที่ผู้ดูแลซ่อน"));
    let oppose = v.get(&format!("{path}?stance=oppose")).await;
    assert!(oppose.html.contains("หยุดร่างนี้ทันที") && !oppose.html.contains("มาตรา ๑ ควรเขียน"));
    let s1 = v.get(&format!("{path}?provision=s1")).await;
    assert!(s1.html.contains("มาตรา ๑ ควรเขียน") && !s1.html.contains("หยุดร่างนี้ทันที"));
    let en = v.get(&format!("/en{path}")).await;
    assert!(en.html.contains("lang=\"en\"") && en.html.contains("a campaign"));
    // The API filters the same way.
    let api = app
        .list_comments(h.consultation_id, None, &[("stance", "support")])
        .await;
    assert_eq!(
        api.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        api.text
    );
}

#[tokio::test]
async fn the_results_page_shows_statistics_as_charts_and_tables_then_the_published_summary() {
    let app = TestApp::builder().spawn().await;
    let h = app.open_hearing("results").await;
    let citizen = app.user("citizen", None).await;
    for (stance, provision) in [("support", "s1"), ("oppose", "s1"), ("oppose", "s2")] {
        let r = app
            .create_comment(h.consultation_id, Some(&citizen), &json!({"body": format!("ความเห็น {stance} {provision}"), "stance": stance, "provision_id": provision, "province": "เชียงใหม่"}))
            .await;
        assert!(r.status.is_success(), "{}", r.text);
    }
    let mut v = Visitor::new(&app.address);
    let path = format!("/consultations/{}/results", h.consultation_id);
    let before = v.get(&path).await;
    assert_eq!(before.status, StatusCode::OK);
    app.run_pending_jobs().await;
    let page = v.get(&path).await;
    assert!(
        page.html.contains("<svg") && page.html.contains("<table>"),
        "charts and tables"
    );
    // The stance table: 2 opposed of 3.
    let oppose = page.html.find("ไม่เห็นด้วยกับร่าง</th><td>2</td><td>66.7</td>");
    assert!(oppose.is_some(), "{}", page.html);
    assert!(page.html.contains("เชียงใหม่</th><td>3</td>"));
    assert!(
        !page.html.contains("class=\"banner\""),
        "no summary before it is published"
    );

    // The agency closes, compiles and publishes its summary: the page shows it with its hash.
    app.record_disposition(h.consultation_id, Some(&h.officer), &json!({"target_kind": "provision", "target_id": "s1", "decision": "accepted", "reason": "แก้ไขมาตรา ๑ ตามความเห็น"}))
        .await;
    domain::entity::consultation::Entity::update_many()
        .col_expr(
            domain::entity::consultation::Column::ClosesAt,
            sea_orm::sea_query::Expr::value(domain::time::now_ms() - 1),
        )
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(
        app.compile_report(h.consultation_id, Some(&h.officer))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    app.run_pending_jobs().await;
    assert!(
        !v.get(&path).await.html.contains("แก้ไขมาตรา ๑ ตามความเห็น"),
        "compiled is not published"
    );
    assert!(
        app.publish_report(h.consultation_id, Some(&h.officer))
            .await
            .status
            .is_success()
    );
    let published = v.get(&path).await;
    assert!(
        published.html.contains("แก้ไขมาตรา ๑ ตามความเห็น"),
        "you said, we did"
    );
    assert!(published.html.contains("SHA-256"));
    let home = v.get("/").await;
    assert!(
        home.html.contains(&path),
        "home lists the summary, linking to the results"
    );
    app.run_pending_jobs().await;
}
