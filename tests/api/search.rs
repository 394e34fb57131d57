use domain::{entity::job, service::indexing};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;
use tests::{TestApp, spawn_app};

const PDPA_TITLE: &str = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (ฉบับที่ ..) พ.ศ. ....";
const PDPA_BODY: &str = "# ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล\n\nมาตรา 5 ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้งเหตุการละเมิดภายในเจ็ดสิบสองชั่วโมง\n\nมาตรา ๖ Data controllers shall keep a record of processing activities under this Regulation.\n\nมาตรา ๗ เจ้าของข้อมูลมีสิทธิขอให้บุคคลทบทวนการตัดสินใจโดยอัตโนมัติ\n";

async fn pdpa_draft(app: &TestApp, officer: &str) -> i64 {
    let r = app
        .create_draft(
            Some(officer),
            &json!({"title_th": PDPA_TITLE, "title_en": "Draft Personal Data Protection Act", "law_type": "act", "topics": ["privacy"], "summary_en": "Automated decisions and data breaches.", "body_markdown": PDPA_BODY}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

fn ids(r: &tests::Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn thai_and_english_queries_find_drafts_and_provisions() {
    let app = spawn_app().await;
    app.agency("pdpc").await;
    let officer = app.user("officer", Some("pdpc")).await;
    let id = pdpa_draft(&app, &officer).await;
    app.published_draft(&officer).await; // an unrelated draft
    assert!(app.run_pending_jobs().await > 0);
    let draft_doc = format!("draft-{id}");
    for q in [
        "ข้อมูลส่วนบุคคล",
        "พระราชบัญญัติ",
        "บุคคล",
        "personal data",
        "regulaton",
    ] {
        let r = app.search(None, &[("q", q)]).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
        assert!(
            ids(&r).iter().any(|i| i.contains(&id.to_string())),
            "{q} finds nothing of draft {id}: {}",
            r.text
        );
    }
    let r = app
        .search(None, &[("q", "ข้อมูลส่วนบุคคล"), ("kind", "draft")])
        .await;
    assert_eq!(ids(&r)[0], draft_doc);
    assert!(
        r.body["items"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>"),
        "{}",
        r.text
    );
    // Thai digits find Arabic ones and the other way round; provision hits carry their id.
    let r = app
        .search(None, &[("q", "มาตรา ๕"), ("kind", "provision")])
        .await;
    assert_eq!(r.body["items"][0]["provision_id"], "s5", "{}", r.text);
    let r = app
        .search(None, &[("q", "มาตรา 6"), ("kind", "provision")])
        .await;
    assert_eq!(r.body["items"][0]["provision_id"], "s6", "{}", r.text);
    // Facets count every match.
    let r = app.search(None, &[("kind", "draft")]).await;
    assert_eq!(r.body["total"], 2);
    assert_eq!(
        r.body["facets"]["agency"][0],
        json!({"value": "pdpc", "count": 2})
    );
    assert!(
        r.body["facets"]["topic"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "privacy")
    );
}

#[tokio::test]
async fn search_honours_visibility_and_never_indexes_private_things() {
    let app = spawn_app().await;
    let h = app.open_hearing("vis").await;
    let r = app
        .create_draft(
            Some(&h.officer),
            &json!({"title_th": "ร่างลับเฉพาะหน่วยงาน", "law_type": "rule"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let citizen = app.user("citizen", None).await;
    for (publication, body) in [
        ("private", "ความเห็นลับสุดยอดเรื่องภาษี"),
        ("anonymous", "ความเห็นเปิดเผยเรื่องภาษี"),
        ("named", "ความเห็นมีชื่อเรื่องภาษี"),
    ] {
        let r = app
            .create_comment(
                h.consultation_id,
                Some(&citizen),
                &json!({"body": body, "stance": "oppose", "publication": publication}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    app.run_pending_jobs().await;
    for token in [None, Some(h.officer.as_str())] {
        let r = app.search(token, &[("q", "ร่างลับเฉพาะหน่วยงาน")]).await;
        assert_eq!(r.body["total"], 0, "{}", r.text);
    }
    let r = app.search(None, &[("q", "ภาษี"), ("kind", "comment")]).await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    assert!(!r.text.contains("ลับสุดยอด"));
    assert!(!r.text.contains("ผู้ทดสอบ"), "no author names in the index");
    let r = app.search(None, &[("q", "test.rabfang.localhost")]).await;
    assert_eq!(r.body["total"], 0);
    let consultation = h.consultation_id.to_string();
    let r = app
        .search(
            None,
            &[
                ("consultation_id", consultation.as_str()),
                ("kind", "comment"),
                ("stance", "oppose"),
            ],
        )
        .await;
    assert_eq!(r.body["total"], 2);
}

#[tokio::test]
async fn unknown_or_bad_search_parameters_are_refused() {
    let app = spawn_app().await;
    let queries: [(&[(&str, &str)], &str); 6] = [
        (&[("q", "x"), ("sort", "date")], "sort"),
        (&[("q", "x"), ("agencyy", "a")], "agencyy"),
        (&[("kind", "law")], "kind"),
        (&[("limit", "500")], "limit"),
        (&[("status", "sleeping")], "status"),
        (&[("cursor", "zz")], "cursor"),
    ];
    for (q, field) in queries {
        let r = app.search(None, q).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q:?}: {}",
            r.text
        );
        assert_eq!(r.body["errors"][0]["field"], field, "{q:?}");
    }
    let r = app.search(None, &[("q", "\"(มาตรา:*-")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn search_pages_are_disjoint_and_complete() {
    let app = spawn_app().await;
    let h = app.open_hearing("pages").await;
    let citizen = app.user("citizen", None).await;
    for i in 0..23 {
        let r = app
            .create_comment(
                h.consultation_id,
                Some(&citizen),
                &json!({"body": format!("ความเห็นเรื่องค่าธรรมเนียม {i}"), "stance": "neutral"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    app.run_pending_jobs().await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app
            .search(
                None,
                &[
                    ("q", "ค่าธรรมเนียม"),
                    ("kind", "comment"),
                    ("limit", "10"),
                    ("cursor", cursor.as_str()),
                ],
            )
            .await;
        assert_eq!(r.body["total"], 23);
        seen.extend(ids(&r));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (23, 23));
}

#[tokio::test]
async fn new_versions_replace_provisions_in_the_index_and_related_drafts_are_found() {
    let app = spawn_app().await;
    app.agency("rel").await;
    let officer = app.user("officer", Some("rel")).await;
    let a = pdpa_draft(&app, &officer).await;
    let r = app
        .create_draft(Some(&officer), &json!({"title_th": "ร่างพระราชกฤษฎีกาว่าด้วยการแจ้งเหตุละเมิดข้อมูลส่วนบุคคล", "law_type": "royal_decree", "body_markdown": "มาตรา ๑ ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้งเหตุการละเมิดข้อมูลส่วนบุคคล\n\nมาตรา ๒ การแจ้งเหตุละเมิดข้อมูลส่วนบุคคลให้ทำภายในเจ็ดสิบสองชั่วโมง\n"}))
        .await;
    let b = r.body["id"].as_i64().unwrap();
    let c = app.published_draft(&officer).await;
    app.run_pending_jobs().await;
    let r = app.related_drafts(a, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let related: Vec<i64> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["draft"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(related.first(), Some(&b), "{}", r.text);
    assert!(!related.contains(&a));
    let _ = c;
    // Version 2 drops มาตรา ๗: its provision leaves the index.
    let v2 = PDPA_BODY.replace(
        "มาตรา ๗ เจ้าของข้อมูลมีสิทธิขอให้บุคคลทบทวนการตัดสินใจโดยอัตโนมัติ\n",
        "",
    );
    let r = app
        .create_version(a, Some(&officer), &json!({"body_markdown": v2}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.run_pending_jobs().await;
    let draft_id = a.to_string();
    let r = app
        .search(
            None,
            &[
                ("q", "ทบทวน"),
                ("kind", "provision"),
                ("draft_id", draft_id.as_str()),
            ],
        )
        .await;
    assert_eq!(r.body["total"], 0, "{}", r.text);
}

#[tokio::test]
async fn when_the_search_backend_is_down_everything_else_works_and_jobs_retry() {
    // Nothing listens on port 9: Meilisearch is "down".
    let app = TestApp::builder()
        .with_settings(&[("RABFANG_MEILISEARCH_URL", "http://127.0.0.1:9")])
        .expecting_failed_jobs()
        .spawn()
        .await;
    let r = app.search(None, &[("q", "ข้อมูล")]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.code(), "search_unavailable");
    let raw = app
        .client
        .get(app.url("/api/v1/search?q=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        raw.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1"),
        "a 503 says when to come back"
    );
    let h = app.open_hearing("down").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ยังส่งความเห็นได้", "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.run_pending_jobs().await;
    let jobs: Vec<job::Model> = job::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "search_index")
        .collect();
    assert!(!jobs.is_empty());
    let now = domain::time::now_ms();
    for j in &jobs {
        assert_eq!(j.state, domain::types::JobState::Pending, "{j:?}");
        assert_eq!(j.attempts, 1);
        assert!(
            j.last_error
                .as_deref()
                .unwrap_or("")
                .contains("unavailable"),
            "{j:?}"
        );
        assert!(j.run_at > now, "retried later, with backoff");
    }
}

#[tokio::test]
async fn reindex_rebuilds_the_index_with_counts_equal_to_the_database() {
    let app = spawn_app().await;
    api::demo::load(&app.ctx).await.unwrap();
    // Nothing indexed yet (no worker ran): reindex from scratch.
    let mut last = None;
    indexing::reindex(&app.ctx.db.conn, app.ctx.search.as_ref(), |p| {
        last = Some(p)
    })
    .await
    .unwrap();
    let last = last.unwrap();
    assert_eq!(last.done, last.total);
    for (kind, db, index) in indexing::compare_counts(&app.ctx.db.conn, app.ctx.search.as_ref())
        .await
        .unwrap()
    {
        assert_eq!(db, index, "{kind:?}");
        assert!(db > 0, "{kind:?}");
    }
}

#[tokio::test]
async fn hiding_a_comment_removes_it_from_the_listing_the_index_and_the_term_list() {
    let app = spawn_app().await;
    let h = app.open_hearing("hide").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ข้อความหยาบคายที่ต้องซ่อน", "stance": "oppose"}),
        )
        .await;
    let id = r.body["id"].as_i64().unwrap();
    app.run_pending_jobs().await;
    assert_eq!(
        app.search(None, &[("q", "หยาบคาย"), ("kind", "comment")])
            .await
            .body["total"],
        1
    );
    assert_eq!(
        app.moderate_comment(
            h.consultation_id,
            id,
            Some(&citizen),
            &json!({"status": "hidden", "reason": "x"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .moderate_comment(
            h.consultation_id,
            id,
            Some(&h.officer),
            &json!({"status": "hidden", "reason": "ถ้อยคำไม่สุภาพ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_pending_jobs().await;
    assert_eq!(
        app.search(None, &[("q", "หยาบคาย"), ("kind", "comment")])
            .await
            .body["total"],
        0
    );
    let list = app.list_comments(h.consultation_id, None, &[]).await;
    assert!(list.body["items"].as_array().unwrap().is_empty());
    // Still counted, but its words left the public term list (the statistics were recounted).
    let summary = app.consultation_summary(h.consultation_id, None).await;
    assert_eq!(summary.body["total"], 1, "{}", summary.text);
    assert_eq!(summary.body["top_terms"], json!([]), "{}", summary.text);
    // Published again: back in both.
    app.moderate_comment(
        h.consultation_id,
        id,
        Some(&h.officer),
        &json!({"status": "published", "reason": "ทบทวนแล้ว"}),
    )
    .await;
    app.run_pending_jobs().await;
    let summary = app.consultation_summary(h.consultation_id, None).await;
    assert!(
        summary.body["top_terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["value"] == "หยาบคาย"),
        "{}",
        summary.text
    );
    assert_eq!(
        app.search(None, &[("q", "หยาบคาย"), ("kind", "comment")])
            .await
            .body["total"],
        1
    );
}

#[tokio::test]
async fn paging_stops_at_ten_thousand_results_and_the_answer_says_so() {
    use domain::search::{DocKind, SearchDoc, SearchIndex};
    let app = spawn_app().await;
    let docs: Vec<SearchDoc> = (0..10_050)
        .map(|n| SearchDoc {
            id: format!("comment-{n}"),
            kind: DocKind::Comment,
            draft_id: 1,
            consultation_id: Some(1),
            provision_id: None,
            title: String::new(),
            body: format!("quota {n}"),
            agency: "deep".into(),
            status: Some("open".into()),
            law_type: None,
            topics: Vec::new(),
            stance: None,
            respondent_type: None,
            province: None,
            date: n,
        })
        .collect();
    for chunk in docs.chunks(2_000) {
        app.ctx.search.upsert(chunk.to_vec()).await.unwrap();
    }
    let page = |cursor: &'static str| {
        let app = &app;
        async move {
            app.search(None, &[("q", "quota"), ("limit", "10"), ("cursor", cursor)])
                .await
        }
    };
    let first = page("").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["total"], 10_050);
    assert_eq!(first.body["truncated"], true);
    assert_eq!(first.body["next_cursor"], "o10");
    // The last page paging reaches: no cursor past it, rather than one that is then refused.
    let last = page("o9990").await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.text);
    assert_eq!(last.body["items"].as_array().unwrap().len(), 10);
    assert_eq!(last.body["next_cursor"], serde_json::Value::Null);
    assert_eq!(last.body["truncated"], true);
    let past = page("o10000").await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.text
    );
    // Narrowed below the depth, everything pages and nothing is truncated.
    let narrow = app.search(None, &[("q", "quota 5"), ("limit", "10")]).await;
    assert_eq!(narrow.body["truncated"], false);
}
