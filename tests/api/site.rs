//! The server-rendered site: every page in Thai at `/...` and in English at `/en/...`, with a
//! switch to the same page in the other language, links that lead to pages, text that stays
//! text, and error pages that are pages.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

/// The `href`s of `<a>` elements in `html` that stay on the site.
fn links(html: &str) -> Vec<String> {
    html.split("<a ")
        .skip(1)
        .filter_map(|a| a.split("href=\"").nth(1)?.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#x2f;", "/"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .collect()
}

#[tokio::test]
async fn every_page_reachable_from_home_answers_html_in_both_languages() {
    let app = spawn_app().await;
    let h = app.open_hearing("site").await;
    let client = reqwest::Client::new();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/", "/en"].map(String::from).into();
    while let Some(path) = queue.pop_front() {
        let page = path.split('#').next().unwrap_or_default().to_string();
        // The API's documentation and document are offered on purpose, and are not pages.
        if page == "/docs" || page == "/openapi.json" || !seen.insert(page.clone()) {
            continue;
        }
        let r = client.get(app.url(&page)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{page}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        let html = r.text().await.unwrap();
        assert!(
            content_type.starts_with("text/html"),
            "{page} is a page, not {content_type}"
        );
        let english = page == "/en" || page.starts_with("/en/");
        let lang = if english { "en" } else { "th" };
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{page} declares its language"
        );
        let other = if english {
            "hreflang=\"th\""
        } else {
            "hreflang=\"en\""
        };
        assert!(html.contains(other), "{page} links to the other language");
        // The open data pages offer the API and the bulk downloads on purpose; no other does.
        let offers_data = page.trim_start_matches("/en").starts_with("/open-data");
        assert!(
            offers_data || !html.contains("/api/v1/"),
            "{page} links to JSON: {html}"
        );
        for link in links(&html) {
            if !link.starts_with("/static/") && !link.starts_with("/api/") {
                queue.push_back(link);
            }
        }
    }
    for expected in [
        format!("/consultations/{}", h.consultation_id),
        format!("/en/drafts/{}", h.draft_id),
        "/consultations".into(),
        "/en/search".into(),
    ] {
        assert!(seen.contains(&expected), "{expected} is linked: {seen:?}");
    }
}

#[tokio::test]
async fn the_language_switch_leads_to_the_same_page_in_the_other_language() {
    let app = spawn_app().await;
    let h = app.open_hearing("switch").await;
    let client = reqwest::Client::new();
    let th = format!("/drafts/{}", h.draft_id);
    let html = client
        .get(app.url(&th))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/en{th}\"")), "{html}");
    let html = client
        .get(app.url(&format!("/en{th}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"{th}\"")), "{html}");
    assert!(html.contains("Draft Test Act"), "English title shown");
    assert!(html.contains("unofficial"), "marked unofficial: {html}");
    let filtered = client
        .get(app.url("/en/consultations?status=open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        filtered.contains("href=\"/consultations?status=open\""),
        "the query is kept: {filtered}"
    );
}

#[tokio::test]
async fn a_draft_page_has_every_provision_with_a_stable_anchor_and_buddhist_era_dates() {
    let app = spawn_app().await;
    let h = app.open_hearing("anchors").await;
    let version = app.get_version(h.draft_id, 1, None).await;
    let ids: Vec<String> = version.body["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!ids.is_empty());
    let client = reqwest::Client::new();
    let html = client
        .get(app.url(&format!("/drafts/{}", h.draft_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for id in &ids {
        assert!(html.contains(&format!("id=\"{id}\"")), "anchor #{id}");
        assert!(html.contains(&format!("href=\"#{id}\"")), "link to #{id}");
    }
    let be_year = (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 543;
    assert!(html.contains(&be_year.to_string()), "a Buddhist Era date");
    assert!(
        html.contains("<time datetime=\""),
        "dates are machine-readable"
    );
}

#[tokio::test]
async fn hostile_titles_and_queries_render_as_text() {
    let app = spawn_app().await;
    app.agency("hostile").await;
    let officer = app.user("officer", Some("hostile")).await;
    let hostile = "ร่าง <script>alert(1)</script> \"><img src=x onerror=alert(2)>";
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": hostile, "title_en": hostile, "law_type": "rule", "body_markdown": "ข้อ ๑ <script>alert(3)</script> ทดสอบ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    app.open_consultation(&officer, id).await;
    let client = reqwest::Client::new();
    for path in [
        "/".to_string(),
        "/en".to_string(),
        format!("/drafts/{id}"),
        format!("/en/drafts/{id}"),
        "/drafts".to_string(),
        "/consultations".to_string(),
        "/search?q=%3Cscript%3Ealert(4)%3C%2Fscript%3E".to_string(),
        "/en/search?q=%22%3E%3Cimg%20src%3Dx%3E".to_string(),
    ] {
        let html = client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<script"), "{path}: {html}");
        assert!(!html.contains("<img src=x"), "{path}: {html}");
    }
}

#[tokio::test]
async fn missing_pages_are_pages_in_the_visitors_language() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for (path, lang, text) in [
        ("/drafts/999999", "th", "ไม่พบหน้าที่ต้องการ"),
        ("/en/drafts/999999", "en", "Page not found"),
        ("/consultations/abc", "th", "ไม่พบหน้าที่ต้องการ"),
        ("/en/consultations/999999", "en", "Page not found"),
        ("/no-such-page", "th", "ไม่พบหน้าที่ต้องการ"),
        ("/en/no/such/page", "en", "Page not found"),
    ] {
        let r = client
            .get(app.url(path))
            .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{path}");
        assert!(html.contains(text), "{path}: {html}");
    }
}

#[tokio::test]
async fn unpublished_drafts_have_no_page() {
    let app = spawn_app().await;
    app.agency("unpub").await;
    let officer = app.user("officer", Some("unpub")).await;
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างลับยังไม่เผยแพร่", "law_type": "rule"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["id"].as_i64().unwrap();
    let client = reqwest::Client::new();
    let r = client
        .get(app.url(&format!("/drafts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list = client
        .get(app.url("/drafts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("ร่างลับยังไม่เผยแพร่"));
    let sitemap = client
        .get(app.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!sitemap.contains(&format!("/drafts/{id}<")), "{sitemap}");
}

#[tokio::test]
async fn the_sitemap_lists_public_pages_in_both_languages_and_robots_names_it() {
    let app = spawn_app().await;
    let h = app.open_hearing("map").await;
    let client = reqwest::Client::new();
    let robots = client
        .get(app.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        robots.contains(&format!("Sitemap: {}/sitemap.xml", app.address)),
        "{robots}"
    );
    assert!(robots.contains("Disallow: /account") && robots.contains("Disallow: /en/sign-in"));
    let r = client.get(app.url("/sitemap.xml")).send().await.unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = r.text().await.unwrap();
    let locs: Vec<&str> = xml
        .split("<loc>")
        .skip(1)
        .filter_map(|l| l.split("</loc>").next())
        .collect();
    for expected in [
        format!("{}/drafts/{}", app.address, h.draft_id),
        format!("{}/en/consultations/{}", app.address, h.consultation_id),
        format!("{}/en/privacy", app.address),
    ] {
        assert!(locs.contains(&expected.as_str()), "{expected} in {locs:?}");
    }
    assert!(xml.contains("hreflang=\"en\""));
    for loc in locs {
        let page = client.get(loc).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{loc}");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{loc}"
        );
    }
}

#[tokio::test]
async fn assets_have_content_hashed_names_and_are_cached_for_a_year() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let css = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/static/site.") && h.ends_with(".css"))
        .expect("the stylesheet is linked")
        .to_string();
    assert_ne!(css, "/static/site.css", "a hashed name");
    let r = client.get(app.url(&css)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no request leaves for another origin: {html}"
    );
}

#[tokio::test]
async fn agencies_have_pages_and_filter_the_lists() {
    let app = spawn_app().await;
    let a = app.open_hearing("agency-a").await;
    app.open_hearing("agency-b").await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, list) = get("/agencies".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("/agencies/agency-a") && list.contains("/agencies/agency-b"));
    let (status, page) = get("/en/agencies/agency-a".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("/en/consultations/{}", a.consultation_id)),
        "its open consultation"
    );
    assert!(
        page.contains("kind=agency&amp;target=agency-a"),
        "a way to follow it"
    );
    assert_eq!(
        get("/agencies/nobody".into()).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, drafts) = get("/drafts?agency=agency-b".into()).await;
    assert!(
        !drafts.contains(&format!("data-draft-id=\"{}\"", a.draft_id)),
        "filtered by agency"
    );
    let (_, drafts) = get("/drafts?agency=agency-a&topic=privacy".into()).await;
    assert!(drafts.contains(&format!("data-draft-id=\"{}\"", a.draft_id)));
    let (_, consultations) = get("/consultations?agency=agency-b".into()).await;
    assert!(!consultations.contains(&format!("/consultations/{}\"", a.consultation_id)));
    let (_, by_type) = get("/consultations?law_type=act&topic=privacy".into()).await;
    assert!(by_type.contains(&format!("/consultations/{}\"", a.consultation_id)));
    let (_, other_type) = get("/consultations?law_type=royal_decree".into()).await;
    assert!(!other_type.contains(&format!("/consultations/{}\"", a.consultation_id)));
    let (_, other_topic) = get("/consultations?topic=transport".into()).await;
    assert!(!other_topic.contains(&format!("/consultations/{}\"", a.consultation_id)));
}

#[tokio::test]
async fn a_draft_shows_any_version_and_the_changes_between_two_as_a_redline() {
    let app = spawn_app().await;
    app.agency("versions").await;
    let officer = app.user("officer", Some("versions")).await;
    let id = app.published_draft(&officer).await;
    let v2 = tests::SAMPLE_BODY
        .replace("หนึ่งร้อยแปดสิบวัน", "เก้าสิบวัน")
        .replace("มาตรา ๓/๑ ผู้ประกอบการขนาดย่อมได้รับยกเว้น\n\n", "")
        + "\nมาตรา ๕ ให้รัฐมนตรีรักษาการตามพระราชบัญญัตินี้\n";
    let r = app
        .create_version(
            id,
            Some(&officer),
            &json!({"body_markdown": v2, "changelog": "ลดระยะเวลา"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (_, current) = get(format!("/drafts/{id}")).await;
    assert!(current.contains("เก้าสิบวัน") && current.contains("name=\"version\""));
    let (_, first) = get(format!("/drafts/{id}?version=1")).await;
    assert!(first.contains("หนึ่งร้อยแปดสิบวัน") && !first.contains("เก้าสิบวัน"));
    assert_eq!(
        get(format!("/drafts/{id}?version=9")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(format!("/drafts/{id}?version=x")).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, changes) = get(format!("/en/drafts/{id}/changes")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        changes.contains("<ins>") && changes.contains("<del>"),
        "{changes}"
    );
    assert!(changes.contains("change--added") && changes.contains("change--removed"));
    assert!(changes.contains("เก้าสิบ") && changes.contains("ให้รัฐมนตรีรักษาการ"));
    assert!(
        !changes.contains("id=\"s4\""),
        "unchanged provisions are not listed"
    );
    let (_, same) = get(format!("/drafts/{id}/changes?from=2&to=2")).await;
    assert!(!same.contains("<ins>") && !same.contains("<del>"));
    assert_eq!(
        get(format!("/drafts/{id}/changes?from=7")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_draft_shows_its_timeline_and_its_published_impact_assessment() {
    let app = spawn_app().await;
    let h = app.open_hearing("ria").await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (_, page) = get(format!("/en/drafts/{}", h.draft_id)).await;
    assert!(
        page.contains("step--done") && page.contains("aria-current=\"step\""),
        "{page}"
    );
    assert!(
        !page.contains("/impact-assessment\""),
        "no link before it is published"
    );
    let path = format!("/drafts/{}/impact-assessment", h.draft_id);
    let example = serde_json::to_value(domain::ria::example()).unwrap();
    let r = app
        .save_impact_assessment(h.draft_id, Some(&h.officer), &example)
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    assert_eq!(
        get(path.clone()).await.0,
        StatusCode::NOT_FOUND,
        "a saved draft is not public"
    );
    let r = app
        .publish_impact_assessment(h.draft_id, Some(&h.officer))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let (status, ria) = get(path.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ria.contains("SHA-256") && ria.contains("<table>"), "{ria}");
    let (_, page) = get(format!("/drafts/{}", h.draft_id)).await;
    assert!(page.contains(&path));
}

#[tokio::test]
async fn the_search_page_narrows_by_kind_and_facets_and_helps_when_nothing_is_found() {
    let app = spawn_app().await;
    let h = app.open_hearing("searchers").await;
    app.run_pending_jobs().await;
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let client = client.clone();
        let url = app.url(path);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let q = "q=%E0%B8%9C%E0%B8%B9%E0%B9%89%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%81%E0%B8%AD%E0%B8%9A%E0%B8%81%E0%B8%B2%E0%B8%A3"; // ผู้ประกอบการ
    let all = get(&format!("/search?{q}")).await;
    assert!(all.contains("<mark>"), "highlighted snippets: {all}");
    assert!(
        all.contains(&format!("/drafts/{}#s3", h.draft_id)),
        "a provision hit"
    );
    assert!(
        all.contains("name=\"agency\" value=\"searchers\""),
        "the agency facet"
    );
    assert!(all.contains("id=\"kind-provision\""));
    let provisions = get(&format!("/search?{q}&kind=draft")).await;
    assert!(!provisions.contains("#s3\""), "only drafts when asked");
    assert!(provisions.contains("id=\"kind-draft\" checked"));
    let other = get(&format!("/search?{q}&agency=nobody")).await;
    assert!(
        other.contains("class=\"inset\""),
        "help when nothing is found"
    );
    assert!(
        other
            .contains("type=\"checkbox\" name=\"agency\" value=\"nobody\" id=\"agency-1\" checked"),
        "a ticked box that matches nothing stays, to be unticked: {other}"
    );
    // Facets are checkboxes: the boxes of one facet widen the search (any of them), and each
    // box counts what ticking it would add, whatever else of the same facet is ticked.
    let second = app.open_hearing("searchers-two").await;
    app.run_pending_jobs().await;
    let one = get(&format!("/search?{q}&kind=draft&agency=searchers")).await;
    assert!(one.contains(&format!("/drafts/{}\"", h.draft_id)), "{one}");
    assert!(!one.contains(&format!("/drafts/{}\"", second.draft_id)));
    assert!(
        one.contains(
            "type=\"checkbox\" name=\"agency\" value=\"searchers\" id=\"agency-1\" checked"
        ) && one
            .contains("type=\"checkbox\" name=\"agency\" value=\"searchers-two\" id=\"agency-2\">"),
        "the other agency is still offered, unticked: {one}"
    );
    let both = get(&format!(
        "/search?{q}&kind=draft&agency=searchers&agency=searchers-two"
    ))
    .await;
    for id in [h.draft_id, second.draft_id] {
        assert!(both.contains(&format!("/drafts/{id}\"")), "{both}");
    }
    let api = app
        .search(
            None,
            &[
                ("q", "ผู้ประกอบการ"),
                ("kind", "draft"),
                ("agency", "searchers"),
                ("agency", "searchers-two"),
            ],
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(api.body["total"], 2, "{}", api.text);
    let en = get(&format!("/en/search?{q}&law_type=act")).await;
    assert!(en.contains("lang=\"en\"") && en.contains(&format!("/en/drafts/{}", h.draft_id)));
}

#[tokio::test]
async fn a_draft_page_with_25_provisions_weighs_under_100_kb_with_its_stylesheet() {
    let app = spawn_app().await;
    app.agency("weight").await;
    let officer = app.user("officer", Some("weight")).await;
    let mut body = String::from("# ร่างพระราชบัญญัติน้ำหนักหน้า พ.ศ. ....\n\n## หมวด ๑ บททั่วไป\n\n");
    for n in 1..=25 {
        body.push_str(&format!(
            "มาตรา {n} {}\n\n",
            "ผู้ประกอบการต้องจัดให้มีมาตรการรักษาความมั่นคงปลอดภัยของข้อมูลส่วนบุคคลที่เหมาะสม และต้องแจ้งพนักงานเจ้าหน้าที่ภายในเจ็ดสิบสองชั่วโมงนับแต่ทราบเหตุ ".repeat(3)
        ));
    }
    let r = app
        .create_draft(Some(&officer), &json!({"title_th": "ร่างพระราชบัญญัติน้ำหนักหน้า พ.ศ. ....", "law_type": "act", "body_markdown": body}))
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    app.open_consultation(&officer, id).await;
    let client = reqwest::Client::new();
    let html = client
        .get(app.url(&format!("/drafts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"s25\""),
        "all 25 provisions are on the page"
    );
    let css_path = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let css = client
        .get(app.url(css_path))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let scripts = html.matches("<script").count();
    assert_eq!(scripts, 0, "no script at all");
    let weight = html.len() + css.len();
    assert!(
        weight <= 100 * 1024,
        "draft page weighs {weight} bytes (HTML {} + CSS {})",
        html.len(),
        css.len()
    );
    eprintln!(
        "25-provision draft page: HTML {} bytes + CSS {} bytes",
        html.len(),
        css.len()
    );
}

#[tokio::test]
async fn public_pages_answer_304_to_if_none_match_and_personal_ones_are_private() {
    let app = spawn_app().await;
    let h = app.open_hearing("etag").await;
    let client = reqwest::Client::new();
    for path in [
        "/".to_string(),
        format!("/drafts/{}", h.draft_id),
        format!("/en/consultations/{}", h.consultation_id),
    ] {
        let first = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        assert!(
            first.headers()["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("public"),
            "{path}"
        );
        let etag = first.headers()["etag"].clone();
        let again = client
            .get(app.url(&path))
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    // A page with a form token is for one browser only.
    let sign_in = client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(sign_in.headers()["cache-control"], "private, no-store");
}

#[tokio::test]
async fn a_draft_page_is_revalidated_without_rendering_and_changes_its_etag_with_the_draft() {
    let app = spawn_app().await;
    let h = app.open_hearing("draft-etag").await;
    let client = reqwest::Client::new();
    let path = format!("/drafts/{}", h.draft_id);
    let first = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].clone();
    let page = first.text().await.unwrap();
    assert!(
        page.contains("provision__comment"),
        "the open consultation is linked"
    );
    // The same page again (its text kept, not rendered): the same bytes, the same tag.
    let again = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.text().await.unwrap(), page);
    let english = client
        .get(app.url(&format!("/en{path}")))
        .send()
        .await
        .unwrap();
    assert_ne!(
        english.headers()["etag"],
        etag,
        "each language has its own tag"
    );
    let revalidated = client
        .get(app.url(&path))
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()["etag"], etag);
    assert!(
        revalidated.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    assert!(revalidated.text().await.unwrap().is_empty());

    // A new version is a new page: the old tag no longer matches, the new text is shown.
    let v = app
        .create_version(
            h.draft_id,
            Some(&h.officer),
            &json!({"body_markdown": "มาตรา ๑ ข้อความฉบับที่สองของร่างนี้", "changelog": "ฉบับที่สอง"}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.text);
    let changed = client
        .get(app.url(&path))
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"], etag);
    assert!(changed.text().await.unwrap().contains("ข้อความฉบับที่สอง"));
    // The first version, asked for by number, is still its own text.
    let old = client
        .get(app.url(&format!("{path}?version=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!old.contains("ข้อความฉบับที่สอง"));
}
