//! The citizen's journey in a real browser: Debian's Chromium driven over WebDriver
//! (`chromium-driver`, installed by `.ci/run`). Home → a draft → a provision → sign in with the
//! link from the real SMTP test server → comment on the provision with the questionnaire →
//! receipt → track it → see it published; with JavaScript on and off, in Thai and in English,
//! on a 360 × 800 screen where no page may scroll sideways. Screenshots of each step are kept
//! in `target/screenshots`. Without a driver the test says so and passes locally; with
//! `CI=true` a missing driver fails it.

use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::json;
use tests::{TestApp, smtp::TestSmtp};

const DRIVER: &str = "/usr/bin/chromedriver";
const BROWSER: &str = "/usr/bin/chromium";

/// A running chromedriver, stopped on drop.
struct Driver {
    _child: tokio::process::Child,
    url: String,
}

async fn driver() -> Option<Driver> {
    if !std::path::Path::new(DRIVER).exists() || !std::path::Path::new(BROWSER).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but chromium-driver is not installed (.ci/run installs it)"
        );
        eprintln!("skipping: no {DRIVER}");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(DRIVER)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(Driver { _child: child, url });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver, javascript: bool, profile: &std::path::Path) -> Client {
    let mut prefs = json!({});
    if !javascript {
        prefs = json!({"profile.managed_default_content_settings.javascript": 2});
    }
    let caps = json!({
        "goog:chromeOptions": {
            "binary": BROWSER,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=360,800", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": prefs,
        }
    });
    let caps = caps.as_object().unwrap().clone().into_iter().collect();
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

/// axe-core's script (`npm ci --prefix tests` installs it; `.ci/run` does).
fn axe_source() -> Option<String> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI=true but {} is missing (.ci/run installs it)",
                path.display()
            );
            eprintln!("skipping the accessibility check: no {}", path.display());
            None
        }
    }
}

/// Runs axe-core on the page: no violation of impact serious or critical (WCAG 2.x A and AA
/// rules and best practices).
async fn axe(c: &Client, name: &str) {
    let Some(source) = axe_source() else {
        return;
    };
    c.execute(&format!("{source}\nreturn true;"), vec![])
        .await
        .expect("axe-core loads");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
                .then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    let violations: Vec<String> = serde_json::from_value(result).unwrap_or_default();
    assert!(violations.is_empty(), "{name}: {violations:#?}");
}

/// Checks the page fits a 360-pixel screen (when scripts run, which the check needs) and keeps
/// a screenshot.
async fn look(c: &Client, name: &str, javascript: bool) {
    if javascript {
        let fits = c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(fits, json!(true), "{name} scrolls sideways at 360 px");
        axe(c, name).await;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Clicks what `css` finds and waits until the browser is at another address (every click in
/// the walk follows a link or sends a form).
async fn click(c: &Client, css: &str) {
    let before = c.current_url().await.unwrap();
    choose(c, css).await;
    for _ in 0..200 {
        if c.current_url().await.unwrap() != before {
            c.wait().for_element(Locator::Css("footer")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("clicking {css} on {before} led nowhere");
}

/// Clicks what `css` finds: a radio button or a checkbox, or what `click` waits after.
async fn choose(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Fills the comment form with the keyboard alone, from the top of the page: Tab to each
/// control (each must show where the focus is), Space to choose, typing to write. Leaves the
/// focus on the form's send button.
async fn fill_with_the_keyboard(c: &Client) {
    c.execute(
        "document.activeElement.blur(); window.scrollTo(0, 0);",
        vec![],
    )
    .await
    .unwrap();
    let tab = char::from(Key::Tab).to_string();
    let mut visited = Vec::new();
    for _ in 0..300 {
        c.active_element()
            .await
            .unwrap()
            .send_keys(&tab)
            .await
            .unwrap();
        let focused = c
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e);
                 const visible = (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
                 const send = e.type === 'submit' && !!e.closest('form.comment-form');
                 return [e.id || e.tagName, visible, send];",
                vec![],
            )
            .await
            .unwrap();
        let (id, visible, send): (String, bool, bool) = serde_json::from_value(focused).unwrap();
        assert!(visible, "the focus on {id} cannot be seen");
        let element = c.active_element().await.unwrap();
        match id.as_str() {
            "stance" | "q-q1" | "q-q2" | "q-q3" => element.send_keys(" ").await.unwrap(),
            "q-q4" => element.send_keys("Time to adapt").await.unwrap(),
            "body" => element
                .send_keys("Section 1 should be clearer")
                .await
                .unwrap(),
            _ => {}
        }
        visited.push(id);
        if send {
            for needed in [
                "provision",
                "stance",
                "q-q1",
                "q-q2",
                "q-q3",
                "q-q4",
                "body",
                "respondent_type",
                "publication",
                "notify",
            ] {
                assert!(
                    visited.iter().any(|v| v == needed),
                    "{needed} cannot be reached with Tab: {visited:?}"
                );
            }
            return;
        }
    }
    panic!("the send button cannot be reached with Tab: {visited:?}");
}

/// How one walk goes.
struct Walk {
    /// `` (Thai) or `/en`.
    prefix: &'static str,
    javascript: bool,
    /// Fill the comment form with the keyboard alone.
    keyboard: bool,
    email: &'static str,
    /// Mails the SMTP server received before this walk.
    mails_before: usize,
}

/// One walk through the journey.
async fn walk(app: &TestApp, smtp: &TestSmtp, driver: &Driver, how: Walk) {
    let Walk {
        prefix,
        javascript,
        keyboard,
        email,
        mails_before,
    } = how;
    let name = format!(
        "{}{}",
        if prefix.is_empty() { "th" } else { "en" },
        if javascript { "" } else { "-nojs" }
    );
    let profile = tempfile::tempdir().unwrap();
    let c = browser(driver, javascript, profile.path()).await;

    // Home → the open consultation's draft → a provision.
    c.goto(&app.url(if prefix.is_empty() { "/" } else { prefix }))
        .await
        .unwrap();
    look(&c, &format!("{name}-1-home"), javascript).await;
    click(&c, "li[data-consultation-id] a").await;
    click(&c, "a[href*='/drafts/']").await;
    look(&c, &format!("{name}-2-draft"), javascript).await;
    assert!(
        c.find(Locator::Css("section.provision#s1")).await.is_ok(),
        "provision s1 has its anchor"
    );
    // The provision's own link leads to the form for it, through signing in.
    click(&c, "#s1 a.provision__comment").await;
    click(&c, "a.button[href*='/sign-in']").await;
    look(&c, &format!("{name}-3-sign-in"), javascript).await;
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    click(&c, "form[action$='/sign-in'] button[type=submit]").await;
    assert!(
        c.source().await.unwrap().contains(email),
        "the page says where the link went"
    );

    // The link arrives by mail; opening it shows a button that signs in.
    app.run_pending_jobs().await;
    let mails = smtp
        .wait_for(mails_before + 1, Duration::from_secs(10))
        .await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == email))
        .expect("the sign-in mail");
    let body = mail.text_body().unwrap_or_default();
    let link = body[body.find("http").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    c.goto(&link).await.unwrap();
    click(&c, "main form button[type=submit]").await;

    // Back at the form, on the provision chosen from the draft.
    let url = c.current_url().await.unwrap();
    assert!(url.as_str().contains("provision=s1"), "{url}");
    let chosen = c
        .find(Locator::Css("#provision option[selected]"))
        .await
        .unwrap();
    assert_eq!(chosen.attr("value").await.unwrap().as_deref(), Some("s1"));
    if keyboard {
        fill_with_the_keyboard(&c).await;
        look(&c, &format!("{name}-4-form"), javascript).await;
        let enter = char::from(Key::Enter).to_string();
        c.active_element()
            .await
            .unwrap()
            .send_keys(&enter)
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css(".receipt__number"))
            .await
            .unwrap();
    } else {
        choose(&c, "#stance-oppose").await;
        choose(&c, "#q-q1").await;
        choose(&c, "#q-q2").await;
        choose(&c, "#q-q3-4").await;
        c.find(Locator::Id("q-q4"))
            .await
            .unwrap()
            .send_keys("ควรมีระยะเวลาปรับตัว")
            .await
            .unwrap();
        c.find(Locator::Id("body"))
            .await
            .unwrap()
            .send_keys("มาตรา ๑ ควรกำหนดให้ชัดเจนกว่านี้")
            .await
            .unwrap();
        if javascript {
            // The character count, a small script, says what is left.
            let left = text(&c, "#body-count").await;
            let body_len = "มาตรา ๑ ควรกำหนดให้ชัดเจนกว่านี้".encode_utf16().count();
            let expected = (domain::service::comments::MAX_COMMENT_CHARS - body_len).to_string();
            assert!(left.contains(&expected), "{left}");
        }
        look(&c, &format!("{name}-4-form"), javascript).await;
        click(&c, "form.comment-form button[type=submit]").await;
    }

    // The receipt, then tracking: received and published.
    let number = text(&c, ".receipt__number").await;
    assert!(number.starts_with("RF-"), "{number}");
    assert_eq!(text(&c, ".receipt__secret").await.len(), 14);
    look(&c, &format!("{name}-5-receipt"), javascript).await;
    click(&c, "main a[href*='/track?number=']").await;
    let timeline = text(&c, "ol.timeline").await;
    let published = if prefix.is_empty() {
        "เผยแพร่แล้ว"
    } else {
        "Published"
    };
    assert!(timeline.contains(published), "{timeline}");
    look(&c, &format!("{name}-6-track"), javascript).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_citizen_walks_from_home_to_a_tracked_comment_in_a_real_browser() {
    let Some(driver) = driver().await else {
        return;
    };
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder().with_smtp(&smtp).spawn().await;
    app.open_hearing("walk").await;
    let walks = [
        ("", true, false, "walker@example.org"),
        ("", false, false, "nojs@example.org"),
        // The English walk fills the form with the keyboard alone.
        ("/en", true, true, "english@example.org"),
    ];
    for (n, (prefix, javascript, keyboard, email)) in walks.into_iter().enumerate() {
        let how = Walk {
            prefix,
            javascript,
            keyboard,
            email,
            mails_before: n,
        };
        walk(&app, &smtp, &driver, how).await;
    }
    app.run_pending_jobs().await;
}

#[tokio::test]
async fn every_page_template_passes_axe_in_both_languages() {
    let Some(driver) = driver().await else {
        return;
    };
    let app = TestApp::builder().spawn().await;
    let h = app.open_hearing("axe").await;
    // Some content for the lists and charts.
    let citizen = app.user("citizen", None).await;
    for stance in ["support", "oppose", "oppose"] {
        let body =
            json!({"body": "ความเห็นเพื่อตรวจการเข้าถึงได้", "stance": stance, "provision_id": "s1"});
        app.create_comment(h.consultation_id, Some(&citizen), &body)
            .await;
    }
    let example = serde_json::to_value(domain::ria::example()).unwrap();
    app.save_impact_assessment(h.draft_id, Some(&h.officer), &example)
        .await;
    app.publish_impact_assessment(h.draft_id, Some(&h.officer))
        .await;
    // The datasets page with files to list.
    app.request_export("site", Some(&app.admin)).await;
    app.run_pending_jobs().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, true, profile.path()).await;
    let pages = [
        "/".to_string(),
        "/consultations".into(),
        format!("/consultations/{}", h.consultation_id),
        format!("/consultations/{}/comments", h.consultation_id),
        format!("/consultations/{}/results", h.consultation_id),
        "/drafts".into(),
        format!("/drafts/{}", h.draft_id),
        format!("/drafts/{}/changes", h.draft_id),
        format!("/drafts/{}/impact-assessment", h.draft_id),
        "/agencies".into(),
        "/agencies/axe".into(),
        "/laws".into(),
        "/search?q=%E0%B8%82%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%B9%E0%B8%A5".into(),
        "/search?q=zzzznothing".into(),
        "/sign-in".into(),
        "/sign-in/not-a-valid-link".into(),
        "/track".into(),
        "/subscribe".into(),
        "/subscriptions/confirm?token=x".into(),
        "/about".into(),
        "/privacy".into(),
        "/accessibility".into(),
        "/open-data".into(),
        "/open-data/datasets".into(),
        "/no-such-page".into(),
    ];
    for prefix in ["", "/en"] {
        for page in &pages {
            let path = if prefix == "/en" && page == "/" {
                "/en".to_string()
            } else {
                format!("{prefix}{page}")
            };
            c.goto(&app.url(&path)).await.unwrap();
            let name = format!("axe{}", path.replace(['/', '?', '=', '%'], "_"));
            look(&c, &name, true).await;
        }
    }
    c.close().await.unwrap();
    app.run_pending_jobs().await;
}

#[tokio::test]
async fn every_workspace_page_passes_axe_in_both_languages() {
    let Some(driver) = driver().await else {
        return;
    };
    let app = TestApp::builder().spawn().await;
    let h = app.open_hearing("axe-ws").await;
    let citizen = app.user("citizen", None).await;
    let body =
        json!({"body": "ความเห็นเพื่อตรวจการเข้าถึงได้", "stance": "oppose", "provision_id": "s1"});
    app.create_comment(h.consultation_id, Some(&citizen), &body)
        .await;
    app.run_pending_jobs().await;
    // A hearing that has not opened yet, whose dates can still move.
    let later = app.published_draft(&h.officer).await;
    let now = domain::time::now_ms();
    let day = 24 * 3600 * 1000;
    let scheduled = app
        .create_consultation(
            later,
            Some(&h.officer),
            &json!({
                "kind": "draft",
                "opens_at": domain::calendar::machine_time(now + 3 * day),
                "closes_at": domain::calendar::machine_time(now + 40 * day),
            }),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    // An administrator sees every workspace page, the administrators' ones too.
    let (_, email, _) = app.signed_in("admin", None).await;
    let secret = domain::service::sign_in::issue_now(&app.ctx.db, &email, "/workspace")
        .await
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, true, profile.path()).await;
    c.goto(&app.url(&format!("/sign-in/{secret}")))
        .await
        .unwrap();
    click(&c, "main form button[type=submit]").await;
    let admin_id = domain::entity::account::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == email)
        .unwrap()
        .id;
    use sea_orm::EntityTrait;
    let agency_id = domain::entity::agency::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()[0]
        .id;
    let pages = [
        "/workspace".to_string(),
        "/workspace/drafts/new".into(),
        format!("/workspace/drafts/{}", h.draft_id),
        format!("/workspace/drafts/{}/edit", h.draft_id),
        format!("/workspace/drafts/{}/versions/new", h.draft_id),
        format!("/workspace/drafts/{}/consultations/new", h.draft_id),
        format!("/workspace/drafts/{}/assessment", h.draft_id),
        format!("/workspace/consultations/{}", h.consultation_id),
        format!("/workspace/consultations/{}/responses", h.consultation_id),
        format!("/workspace/consultations/{scheduled}/dates"),
        format!("/workspace/consultations/{}/dates", h.consultation_id),
        "/workspace/laws".into(),
        "/workspace/admin/accounts".into(),
        format!("/workspace/admin/accounts/{admin_id}"),
        "/workspace/admin/agencies".into(),
        format!("/workspace/admin/agencies/{agency_id}"),
        "/workspace/admin/jobs".into(),
        "/workspace/admin/audit".into(),
        "/account".into(),
        "/invitations/not-a-valid-invitation".into(),
    ];
    for prefix in ["", "/en"] {
        for page in &pages {
            let path = format!("{prefix}{page}");
            c.goto(&app.url(&path)).await.unwrap();
            let name = format!("axe{}", path.replace(['/', '?', '=', '%'], "_"));
            look(&c, &name, true).await;
        }
        // The preview of a version, with its warnings, and a form sent back with its errors.
        c.goto(&app.url(&format!(
            "{prefix}/workspace/drafts/{}/versions/new",
            h.draft_id
        )))
        .await
        .unwrap();
        c.find(Locator::Css("#body"))
            .await
            .unwrap()
            .send_keys("\n\nมาตรา ๙ ข้อความที่ข้ามเลข\n\nมาตรา ๙ ซ้ำ\n")
            .await
            .unwrap();
        // The form posts back to its own address: wait for what the answer shows.
        choose(&c, "button[value=preview]").await;
        c.wait()
            .for_element(Locator::Css(".warnings"))
            .await
            .unwrap();
        look(
            &c,
            &format!("axe{}-preview", prefix.replace('/', "_")),
            true,
        )
        .await;
        c.goto(&app.url(&format!("{prefix}/workspace/drafts/new")))
            .await
            .unwrap();
        choose(&c, "main form button[type=submit]").await;
        c.wait()
            .for_element(Locator::Css(".error-summary"))
            .await
            .unwrap();
        look(
            &c,
            &format!("axe{}-draft-errors", prefix.replace('/', "_")),
            true,
        )
        .await;
    }
    c.close().await.unwrap();
    app.run_pending_jobs().await;
}

/// Sends the form of the button `css` when the answer comes back at the same address (a form
/// shown again with its errors, a preview): waits until the page was replaced. Works without
/// JavaScript, as it only asks the browser whether the old page is gone.
async fn submit_here(c: &Client, css: &str) {
    let old = c.find(Locator::Css("main")).await.unwrap();
    choose(c, css).await;
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            c.wait().for_element(Locator::Css("footer")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sending {css} did not answer");
}

/// Types `value` into the control whose id is `id` (a select is chosen, a checkbox ticked).
async fn fill(c: &Client, id: &str, value: &str) -> bool {
    let Ok(el) = c.find(Locator::Css(&format!("[id=\"{id}\"]"))).await else {
        return false;
    };
    match el.tag_name().await.unwrap().as_str() {
        "select" => el.select_by_value(value).await.unwrap(),
        _ if el.attr("type").await.unwrap().as_deref() == Some("checkbox") => {
            if value == "on" && !el.is_selected().await.unwrap() {
                el.click().await.unwrap();
            }
        }
        _ => {
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
    }
    true
}

/// The fields of a value as the workspace's assessment form names them.
fn form_fields(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                form_fields(&path, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                form_fields(&format!("{prefix}[{i}]"), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.into(), s.clone())),
        serde_json::Value::Number(n) => out.push((prefix.into(), n.to_string())),
        serde_json::Value::Bool(true) => out.push((prefix.into(), "on".into())),
        _ => {}
    }
}

/// An officer runs a consultation from a Word document to the draft's submission.
async fn officer_walk(
    app: &TestApp,
    smtp: &TestSmtp,
    driver: &Driver,
    email: &str,
    javascript: bool,
) {
    use domain::entity::{consultation, draft};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let name = if javascript {
        "officer"
    } else {
        "officer-nojs"
    };
    let profile = tempfile::tempdir().unwrap();
    let c = browser(driver, javascript, profile.path()).await;

    // Sign in with a link from the real SMTP server, to the workspace.
    let before = smtp.wait_for(0, Duration::from_millis(10)).await.len();
    c.goto(&app.url("/sign-in?next=%2Fworkspace"))
        .await
        .unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    click(&c, "form[action$='/sign-in'] button[type=submit]").await;
    app.run_pending_jobs().await;
    let mails = smtp.wait_for(before + 1, Duration::from_secs(10)).await;
    let body = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == email))
        .unwrap()
        .text_body()
        .unwrap();
    let link = body[body.find("http").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    c.goto(&link).await.unwrap();
    click(&c, "main form button[type=submit]").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/workspace")
    );
    look(&c, &format!("{name}-1-dashboard"), javascript).await;

    // A new draft, its first version from a Word document: preview, then publish.
    click(&c, ".workspace-nav a[href$='/workspace/drafts/new']").await;
    let title = format!("ร่างพระราชบัญญัติจากเอกสาร Word ({name})");
    c.find(Locator::Id("title_th"))
        .await
        .unwrap()
        .send_keys(&title)
        .await
        .unwrap();
    c.find(Locator::Id("law_type"))
        .await
        .unwrap()
        .select_by_value("act")
        .await
        .unwrap();
    click(&c, "main form button[type=submit]").await;
    let draft_url = c.current_url().await.unwrap();
    let draft_id: i64 = draft_url
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    click(&c, "a[href$='/versions/new']").await;
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/draft.docx");
    c.find(Locator::Id("document"))
        .await
        .unwrap()
        .send_keys(fixture)
        .await
        .unwrap();
    click(&c, "form[action$='/versions/upload'] button[type=submit]").await;
    look(&c, &format!("{name}-2-preview"), javascript).await;
    assert!(
        c.source().await.unwrap().contains("#s1"),
        "the provisions are previewed"
    );
    c.find(Locator::Id("changelog"))
        .await
        .unwrap()
        .send_keys("ฉบับแรกจากเอกสาร Word")
        .await
        .unwrap();
    click(&c, "button[value=publish]").await;
    assert_eq!(c.current_url().await.unwrap().path(), draft_url.path());

    // A consultation of 30 days with two questions, dates in the Buddhist Era.
    click(&c, "a[href$='/consultations/new']").await;
    let today = domain::calendar::bangkok_date(domain::time::now_ms());
    for (prefix, day) in [("opens", today), ("closes", today + chrono::Days::new(30))] {
        use chrono::Datelike;
        fill(&c, &format!("{prefix}_day"), &day.day().to_string()).await;
        fill(&c, &format!("{prefix}_month"), &day.month().to_string()).await;
        fill(
            &c,
            &format!("{prefix}_year"),
            &domain::calendar::buddhist_year(day).to_string(),
        )
        .await;
    }
    fill(&c, "q0_kind", "single_choice").await;
    fill(&c, "q0_prompt_th", "ท่านเห็นด้วยกับร่างนี้หรือไม่").await;
    fill(&c, "q0_options", "เห็นด้วย\nไม่เห็นด้วย").await;
    fill(&c, "q1_kind", "text").await;
    fill(&c, "q1_prompt_th", "ข้อเสนอแนะเพิ่มเติม").await;
    click(&c, "button[value=open]").await;
    let consultation_url = c.current_url().await.unwrap();
    let consultation_id: i64 = consultation_url
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // A citizen comments on the first provision.
    let citizen = app.user("citizen", None).await;
    for text in ["โปรดกำหนดระยะเวลาให้ชัดเจน", "ลดราคาพิเศษ คลิกเลย"]
    {
        let r = app
            .create_comment(
                consultation_id,
                Some(&citizen),
                &json!({"body": text, "stance": "oppose", "provision_id": "s1"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    }
    app.run_pending_jobs().await;

    // Moderate the advertisement with a reason.
    c.goto(consultation_url.as_str()).await.unwrap();
    look(&c, &format!("{name}-3-consultation"), javascript).await;
    let spam = c
        .find(Locator::XPath("//li[contains(., 'ลดราคาพิเศษ')]"))
        .await
        .unwrap();
    spam.find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    spam.find(Locator::Css("select[name=reason]"))
        .await
        .unwrap()
        .select_by_value("spam")
        .await
        .unwrap();
    spam.find(Locator::Css("textarea[name=note]"))
        .await
        .unwrap()
        .send_keys("ข้อความโฆษณา")
        .await
        .unwrap();
    let before = c.current_url().await.unwrap();
    spam.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..200 {
        if c.current_url().await.unwrap() != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait().for_element(Locator::Css("footer")).await.unwrap();
    assert!(
        c.source().await.unwrap().contains("ข้อความโฆษณา"),
        "the reason is shown"
    );

    // Responses to the provision and to the other comment.
    click(&c, "a[href$='/responses']").await;
    c.find(Locator::Css(
        "[id='provision-s1'] input[value=partly_accepted]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("[id='provision-s1'] textarea[name=reason]"))
        .await
        .unwrap()
        .send_keys("ปรับถ้อยคำตามความเห็น")
        .await
        .unwrap();
    click(&c, "[id='provision-s1'] button[type=submit]").await;
    look(&c, &format!("{name}-4-responses"), javascript).await;

    // The hearing closes; the summary is compiled by the worker, previewed and published.
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(consultation::Column::Id.eq(consultation_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    c.goto(consultation_url.as_str()).await.unwrap();
    click(&c, "form[action$='/summary/compile'] button").await;
    app.run_pending_jobs().await;
    c.goto(consultation_url.as_str()).await.unwrap();
    click(&c, "a[href$='/summary']").await;
    assert!(
        c.source().await.unwrap().contains("ปรับถ้อยคำตามความเห็น"),
        "the responses are in the summary"
    );
    c.goto(consultation_url.as_str()).await.unwrap();
    click(&c, "form[action$='/summary/publish'] button").await;

    // The impact assessment, row by row, then published.
    c.goto(&app.url(&format!("/workspace/drafts/{draft_id}/assessment")))
        .await
        .unwrap();
    let mut fields = Vec::new();
    form_fields(
        "",
        &serde_json::to_value(domain::ria::example()).unwrap(),
        &mut fields,
    );
    let mut left = fields;
    for _ in 0..20 {
        let mut still = Vec::new();
        for (id, value) in left {
            if !fill(&c, &id, &value).await {
                still.push((id, value));
            }
        }
        left = still;
        if left.is_empty() {
            break;
        }
        submit_here(&c, "button[value=more]").await;
    }
    assert!(left.is_empty(), "every field found: {left:?}");
    click(&c, "button[value=save]").await;
    look(&c, &format!("{name}-5-assessment"), javascript).await;
    click(&c, "form[action$='/assessment/publish'] button").await;

    // Every point of the checklist holds: submit.
    let submit = c
        .find(Locator::Css("form[action$='/submit'] button"))
        .await
        .unwrap();
    assert_eq!(
        submit.attr("disabled").await.unwrap(),
        None,
        "submit is enabled"
    );
    submit.click().await.unwrap();
    for _ in 0..200 {
        let stored = draft::Entity::find_by_id(draft_id)
            .one(&app.ctx.db.conn)
            .await
            .unwrap()
            .unwrap();
        if stored.status == domain::types::DraftStatus::Submitted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = draft::Entity::find_by_id(draft_id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, domain::types::DraftStatus::Submitted);
    c.wait().for_element(Locator::Css("footer")).await.unwrap();
    look(&c, &format!("{name}-6-submitted"), javascript).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn an_officer_runs_a_consultation_from_a_word_document_to_submission_in_a_real_browser() {
    let Some(driver) = driver().await else {
        return;
    };
    let smtp = TestSmtp::start().await;
    let app = TestApp::builder()
        .with_smtp(&smtp)
        .with_agency("journey")
        .spawn()
        .await;
    let (_, email, _) = app.signed_in("officer", Some("journey")).await;
    for javascript in [true, false] {
        officer_walk(&app, &smtp, &driver, &email, javascript).await;
    }
    app.run_pending_jobs().await;
}
