use reqwest::StatusCode;
use serde_json::json;
use tests::{SAMPLE_BODY, spawn_app};

#[tokio::test]
async fn a_draft_in_preparation_is_seen_only_by_its_own_agency() {
    let app = spawn_app().await;
    app.agency("prep").await;
    app.agency("elsewhere").await;
    let officer = app.user("officer", Some("prep")).await;
    let outsider = app.user("officer", Some("elsewhere")).await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างที่ยังไม่เผยแพร่", "law_type": "rule"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "preparing");
    assert!(r.body["published_at"].is_null());
    assert_eq!(r.body["agency"], "prep");
    let id = r.body["id"].as_i64().unwrap();

    assert_eq!(
        app.get_draft(id, Some(&officer)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get_draft(id, Some(&app.admin)).await.status,
        StatusCode::OK
    );
    for token in [None, Some(citizen.as_str()), Some(outsider.as_str())] {
        let r = app.get_draft(id, token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{token:?}");
        let list = app.list_drafts(token, &[]).await;
        assert!(
            list.body["items"].as_array().unwrap().is_empty(),
            "{token:?} sees {}",
            list.text
        );
        assert_eq!(
            app.list_versions(id, token).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let own = app.list_drafts(Some(&officer), &[]).await;
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1);

    // The first version publishes it.
    let v = app
        .create_version(
            id,
            Some(&officer),
            &json!({"body_markdown": SAMPLE_BODY, "changelog": "ฉบับแรก"}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.text);
    assert_eq!(v.body["number"], 1);
    let public = app.get_draft(id, None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["current_version"], 1);
    assert!(public.body["published_at"].is_string());
    assert_eq!(
        app.list_drafts(None, &[]).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn versions_are_parsed_into_provisions_with_stable_ids() {
    let app = spawn_app().await;
    app.agency("prov").await;
    let officer = app.user("officer", Some("prov")).await;
    let id = app.published_draft(&officer).await;
    let v = app.get_version(id, 1, None).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text);
    let ids: Vec<&str> = v.body["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["s1", "s2", "s3", "s3-1", "s4"]);
    let labels: Vec<&str> = v.body["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels[3], "มาตรา ๓/๑");
    assert_eq!(
        v.body["provisions"][2]["chapter"].as_str().unwrap(),
        "หมวด ๒ หน้าที่"
    );
    assert!(
        v.body["provisions"][4]["html"]
            .as_str()
            .unwrap()
            .contains("หนึ่งแสนบาท")
    );
    assert!(v.body["html"].as_str().unwrap().contains("<h2>"));
    assert_eq!(v.body["body_markdown"], SAMPLE_BODY);
}

#[tokio::test]
async fn new_versions_get_the_next_number_and_diffs_are_per_provision() {
    let app = spawn_app().await;
    app.agency("ver").await;
    let officer = app.user("officer", Some("ver")).await;
    let id = app.published_draft(&officer).await;
    let v2 = SAMPLE_BODY
        .replace("ไม่เกินหนึ่งแสนบาท", "ไม่เกินห้าแสนบาท")
        .replace("มาตรา ๓/๑ ผู้ประกอบการขนาดย่อมได้รับยกเว้น\n\n", "")
        + "\nมาตรา ๕ ให้รัฐมนตรีรักษาการตามพระราชบัญญัตินี้\n";
    let r = app
        .create_version(
            id,
            Some(&officer),
            &json!({"body_markdown": v2, "changelog": "เพิ่มโทษ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["number"], 2);
    // Version 1 is unchanged.
    let v1 = app.get_version(id, 1, None).await;
    assert_eq!(v1.body["body_markdown"], SAMPLE_BODY);
    let list = app.list_versions(id, None).await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    assert_eq!(list.body[1]["changelog"], "เพิ่มโทษ");
    assert_eq!(app.get_draft(id, None).await.body["current_version"], 2);

    let diff = app.diff_versions(id, 2, 1, None).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    let changes: Vec<(String, String)> = diff.body["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |id: &str| {
        changes
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, c)| c.as_str())
    };
    assert_eq!(find("s1"), Some("unchanged"));
    assert_eq!(find("s3-1"), Some("removed"));
    assert_eq!(find("s4"), Some("changed"));
    assert_eq!(find("s5"), Some("added"));
    let s4 = diff.body["provisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "s4")
        .unwrap();
    let deleted: String = s4["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["op"] == "delete")
        .map(|w| w["text"].as_str().unwrap())
        .collect();
    let inserted: String = s4["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["op"] == "insert")
        .map(|w| w["text"].as_str().unwrap())
        .collect();
    assert!(
        deleted.contains("หนึ่ง") && !deleted.contains("ระวางโทษ"),
        "deleted {deleted:?}"
    );
    assert!(
        inserted.contains("ห้า") && !inserted.contains("ระวางโทษ"),
        "inserted {inserted:?}"
    );

    let r = app.diff_versions(id, 2, 7, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get_version(id, 9, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn rendered_html_never_carries_scripts_handlers_or_javascript_urls() {
    let app = spawn_app().await;
    app.agency("xss").await;
    let officer = app.user("officer", Some("xss")).await;
    let hostile = "มาตรา ๑ <script>alert(1)</script> ข้อความ\n\nมาตรา ๒ <img src=x onerror=alert(2)> [click](javascript:alert(3)) <a href=\"JaVaScRiPt:alert(4)\">x</a>\n\nมาตรา ๓ <iframe src=\"https://evil.example\"></iframe><svg onload=alert(5)></svg><p style=\"x\" onclick=\"alert(6)\">y</p>\n";
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่าง", "law_type": "act", "body_markdown": hostile}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let v = app.get_version(id, 1, None).await;
    let mut html = v.body["html"].as_str().unwrap().to_lowercase();
    for p in v.body["provisions"].as_array().unwrap() {
        html.push_str(&p["html"].as_str().unwrap().to_lowercase());
    }
    for bad in [
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
    ] {
        assert!(!html.contains(bad), "{bad} survived in {html}");
    }
    assert!(html.contains("ข้อความ"));
}

#[tokio::test]
async fn hostile_markdown_cannot_stall_the_server() {
    let app = spawn_app().await;
    app.agency("dos").await;
    let officer = app.user("officer", Some("dos")).await;
    let bodies = [
        ">".repeat(100_000),
        "[".repeat(150_000),
        "*a".repeat(100_000),
        "- ".repeat(50_000) + "x",
        "`".repeat(400_000),
    ];
    for body in bodies {
        let r = app
            .create_draft(
                Some(&officer),
                &json!({"title_th": "ร่าง", "law_type": "act", "body_markdown": body}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            &r.text[..r.text.len().min(300)]
        );
    }
    assert_eq!(app.health().await.status, StatusCode::OK);
}

#[tokio::test]
async fn drafts_can_be_updated_filtered_and_paged() {
    let app = spawn_app().await;
    app.agency("flt-a").await;
    app.agency("flt-b").await;
    let a = app.user("officer", Some("flt-a")).await;
    let b = app.user("officer", Some("flt-b")).await;
    for (token, law_type, topic) in [
        (&a, "act", "privacy"),
        (&a, "rule", "labour"),
        (&b, "act", "health"),
        (&b, "notification", "privacy"),
        (&b, "plan", "transport"),
    ] {
        let r = app.create_draft(Some(token), &json!({"title_th": "ร่าง", "law_type": law_type, "topics": [topic], "body_markdown": "มาตรา ๑ ข้อความ"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let count = |q: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            app.list_drafts(None, q).await.body["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(&[("agency", "flt-a")]).await, 2);
    assert_eq!(count(&[("law_type", "act")]).await, 2);
    assert_eq!(count(&[("topic", "privacy")]).await, 2);
    assert_eq!(count(&[("agency", "flt-b"), ("topic", "privacy")]).await, 1);
    assert_eq!(count(&[("status", "preparing")]).await, 5);
    assert_eq!(count(&[("status", "in_consultation")]).await, 0);
    assert_eq!(count(&[("agency", "nobody")]).await, 0);

    // Paging: 2 per page, no item twice, none missing.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => {
                app.list_drafts(None, &[("limit", "2"), ("cursor", c.as_str())])
                    .await
            }
            None => app.list_drafts(None, &[("limit", "2")]).await,
        };
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(seen, sorted);

    let first = seen[0];
    let r = app
        .update_draft(
            first,
            Some(&a),
            &json!({"title_en": "Draft Privacy Act", "topics": ["privacy", "digital"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["title_en"], "Draft Privacy Act");
    assert_eq!(r.body["topics"], json!(["privacy", "digital"]));
    assert_eq!(r.body["title_th"], "ร่าง");
}
