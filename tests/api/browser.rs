//! Pages in a real browser: headless Chromium (Debian's `chromium`, installed by `.ci/run`).
//! Without it the tests say so and pass locally; with `CI=true` a missing browser fails them.

use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

/// The DOM of `url` after Chromium loaded it, or `None` when no browser is installed. Runs
/// the browser as an async child so that the server, on this test's runtime, keeps serving.
async fn rendered_dom(url: &str) -> Option<String> {
    let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(browser) = browser else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but Chromium is not installed (.ci/run installs it)"
        );
        eprintln!("skipping: no Chromium at /usr/bin/chromium");
        return None;
    };
    let profile = tempfile::tempdir().expect("a profile folder");
    let child = tokio::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child)
        .await
        .expect("Chromium did not finish within 60 s")
        .expect("running Chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

#[tokio::test]
async fn the_home_page_shows_open_consultations_in_a_browser_and_escapes_titles() {
    let app = spawn_app().await;
    app.agency("web").await;
    let officer = app.user("officer", Some("web")).await;
    let hostile = "ร่างประกาศ <img src=x onerror=\"document.title='pwned'\"> ทดสอบ";
    let r = app.create_draft(Some(&officer), &json!({"title_th": hostile, "law_type": "notification", "body_markdown": "ข้อ ๑ ทดสอบ"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let draft = r.body["id"].as_i64().unwrap();
    app.open_consultation(&officer, draft).await;
    let Some(dom) = rendered_dom(&app.url("/")).await else {
        return;
    };
    assert!(dom.contains("เปิดรับฟังความคิดเห็นอยู่"), "{dom}");
    assert!(
        dom.contains("ร่างประกาศ") && dom.contains("<time datetime="),
        "{dom}"
    );
    assert!(
        !dom.contains("<img src=\"x\""),
        "the title's markup must stay text: {dom}"
    );
    assert!(
        dom.contains("<title>การรับฟังความคิดเห็นต่อร่างกฎหมาย · รับฟัง</title>"),
        "no script ran (it would have changed the title): {dom}"
    );
}

#[tokio::test]
async fn the_interactive_documentation_renders_under_its_content_security_policy() {
    let app = spawn_app().await;
    let Some(dom) = rendered_dom(&app.url("/docs")).await else {
        return;
    };
    // Swagger UI's script builds one block per operation; the id exists only once it ran.
    assert!(
        dom.contains("operations-Drafts-create_draft"),
        "Swagger UI did not render (blocked by the page's policy?)"
    );
}
