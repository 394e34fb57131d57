//! HTTP caching of reads: `ETag`, `304 Not Modified` and `Cache-Control`.

use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn public_reads_carry_an_etag_and_answer_304_until_they_change() {
    let app = spawn_app().await;
    app.agency("cache").await;
    let officer = app.user("officer", Some("cache")).await;
    let draft = app.published_draft(&officer).await;
    let now = chrono::Utc::now();
    let r = app
        .create_consultation(
            draft,
            Some(&officer),
            &json!({"kind": "draft", "opens_at": (now + chrono::Duration::days(1)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(30)).to_rfc3339()}),
        )
        .await;
    let id = r.body["id"].as_i64().unwrap();
    // Read raw, for the caching headers.
    let url = app.url(&format!("/api/v1/consultations/{id}"));
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let cache_control = first.headers()["cache-control"].to_str().unwrap();
    assert!(
        cache_control.starts_with("public, max-age="),
        "{cache_control}"
    );
    let body = first.text().await.unwrap();

    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());

    // The same body gives the same tag; a change gives another one.
    let same = app.client.get(&url).send().await.unwrap();
    assert_eq!(same.headers()["etag"].to_str().unwrap(), etag);
    let r = app
        .reschedule_consultation(
            id,
            Some(&officer),
            &json!({"opens_at": (now + chrono::Duration::days(2)).to_rfc3339(), "closes_at": (now + chrono::Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let changed = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert_ne!(changed.text().await.unwrap(), body);

    // A signed-in read is private to its reader; health checks are never cached; errors get
    // no tag.
    let mine = app
        .client
        .get(&url)
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(
        mine.headers()["cache-control"].to_str().unwrap(),
        "private, no-cache"
    );
    assert!(
        mine.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        health.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    assert!(health.headers().get("etag").is_none());
    let missing = app
        .client
        .get(app.url("/api/v1/consultations/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("etag").is_none());
}

/// A crowd of anonymous readers is served one kept answer; what this process writes shows on
/// the next read, what another process writes (here a raw statement, as a `rabfang` command
/// beside the server would make) within `RABFANG_PUBLIC_CACHE_MS`; signed-in readers and a
/// hard reload always get a fresh answer; pages with a form are never kept.
#[tokio::test]
async fn anonymous_readers_share_kept_answers_that_writes_end() {
    use sea_orm::ConnectionTrait;
    let app = tests::TestApp::builder()
        .with_settings(&[("RABFANG_PUBLIC_CACHE_MS", "600")])
        .spawn()
        .await;
    app.agency("kept").await;
    let officer = app.user("officer", Some("kept")).await;
    let draft = app.published_draft(&officer).await;
    let url = app.url(&format!("/api/v1/drafts/{draft}"));
    let title = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["title_th"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let read = |headers: &[(&str, &str)]| {
        let mut request = app.client.get(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    let before = title(&read(&[]).await);
    let changed_elsewhere = |to: &'static str| {
        let conn = app.ctx.db.conn.clone();
        async move {
            conn.execute_unprepared(&format!(
                "UPDATE drafts SET title_th = '{to}' WHERE id = {draft}"
            ))
            .await
            .unwrap();
        }
    };
    changed_elsewhere("Changed by another process").await;
    assert_eq!(
        title(&read(&[]).await),
        before,
        "the kept answer is served while it is young and nothing was written here"
    );
    let fresh = read(&[("cache-control", "no-cache")]).await;
    assert_eq!(title(&fresh), "Changed by another process", "a hard reload");
    let mine = app
        .client
        .get(&url)
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(
        title(&mine.text().await.unwrap()),
        "Changed by another process",
        "a signed-in reader is never served a kept answer"
    );
    changed_elsewhere("Changed again elsewhere").await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(
        title(&read(&[]).await),
        "Changed again elsewhere",
        "seen once the kept answer is older than RABFANG_PUBLIC_CACHE_MS"
    );
    // A write through this process ends every kept answer at once.
    changed_elsewhere("Written here").await;
    app.ctx.db.wrote();
    assert_eq!(title(&read(&[]).await), "Written here");
    // A page with a form gives each new visitor a cookie of their own: never kept.
    for _ in 0..2 {
        let page = app.client.get(app.url("/sign-in")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers().contains_key("set-cookie"));
    }
}
