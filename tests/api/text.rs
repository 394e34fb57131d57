//! Texts are kept in one spelling (NFC, Thai sara am composed) and searched in it; texts of
//! nothing visible, and bidirectional controls in titles, are refused.

use chrono::{Duration, Utc};
use domain::entity::{comment, consultation, draft};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{Reply, spawn_app};

/// `กำหนด` with sara am written as nikhahit + sara aa, as some Thai keyboards send it.
const KAMNOT_TWO_PART: &str = "ก\u{0E4D}\u{0E32}หนด";
const KAMNOT: &str = "กำหนด";

fn search_ids(r: &Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn assert_field_error(r: &Reply, field: &str, code: &str) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "validation_failed", "{}", r.text);
    assert!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "no {code} error for {field}: {}",
        r.text
    );
}

/// Rows in the table of `entity`.
macro_rules! count {
    ($app:expr, $entity:path) => {
        <$entity>::find().count(&$app.ctx.db.conn).await.unwrap()
    };
}

#[tokio::test]
async fn decomposed_and_two_part_spellings_are_stored_composed_and_found_both_ways() {
    let app = spawn_app().await;
    app.agency("nfc").await;
    let officer = app.user("officer", Some("nfc")).await;
    let body = format!("# ร่างประกาศ\n\nข้อ 1 ให้{KAMNOT_TWO_PART}อัตราค่าธรรมเนียมร้าน Cafe\u{301}\n");
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": format!("ร่างประกาศ{KAMNOT_TWO_PART}ค่าธรรมเนียม"), "title_en": "Cafe\u{301} Fees Notification", "law_type": "notification", "body_markdown": body}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let r = app.get_draft(id, None).await;
    assert_eq!(r.body["title_en"], "Café Fees Notification", "{}", r.text);
    assert_eq!(r.body["title_th"], format!("ร่างประกาศ{KAMNOT}ค่าธรรมเนียม"));
    let r = app.get_version(id, 1, None).await;
    let stored = r.body["body_markdown"].as_str().unwrap();
    assert!(stored.contains(&format!("ให้{KAMNOT}อัตรา")), "{stored}");
    assert!(stored.contains("Café"), "{stored}");

    // A draft typed the other way round: composed in the text.
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างระเบียบการกำหนดเวลา", "title_en": "Café Opening Hours Rule", "law_type": "rule", "body_markdown": format!("ข้อ 1 {KAMNOT}เวลาเปิดร้าน Café")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let other = r.body["id"].as_i64().unwrap();
    app.run_pending_jobs().await;

    for q in ["Café", "Cafe\u{301}", KAMNOT, KAMNOT_TWO_PART] {
        let r = app.search(None, &[("q", q), ("kind", "draft")]).await;
        assert_eq!(r.status, StatusCode::OK, "{q:?}: {}", r.text);
        let found = search_ids(&r);
        for d in [id, other] {
            assert!(
                found.contains(&format!("draft-{d}")),
                "{q:?} does not find draft {d}: {}",
                r.text
            );
        }
    }
}

#[tokio::test]
async fn texts_of_only_invisible_characters_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let h = app.open_hearing("blank").await;
    let drafts_before = count!(app, draft::Entity);
    for blank in ["\u{200B}", "\u{202E}", "\u{FEFF}\u{2060} \u{200D}"] {
        let r = app
            .create_draft(
                Some(&h.officer),
                &json!({"title_th": blank, "law_type": "act"}),
            )
            .await;
        assert_field_error(&r, "title_th", "required");

        let citizen = app.user("citizen", None).await;
        let r = app
            .create_comment(
                h.consultation_id,
                Some(&citizen),
                &json!({"body": blank, "stance": "support"}),
            )
            .await;
        assert_field_error(&r, "body", "required");

        let now = Utc::now();
        let r = app
            .create_consultation(
                h.draft_id,
                Some(&h.officer),
                &json!({"kind": "principles", "opens_at": (now + Duration::minutes(5)).to_rfc3339(), "closes_at": (now + Duration::days(10)).to_rfc3339(), "short_period_reason": blank}),
            )
            .await;
        assert_field_error(&r, "short_period_reason", "required");
    }
    assert_eq!(count!(app, draft::Entity), drafts_before);
    assert_eq!(count!(app, comment::Entity), 0);
    assert_eq!(count!(app, consultation::Entity), 1);
}

#[tokio::test]
async fn bidirectional_overrides_in_titles_are_refused() {
    let app = spawn_app().await;
    app.agency("bidi").await;
    let officer = app.user("officer", Some("bidi")).await;
    let before = count!(app, draft::Entity);
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างประกาศ\u{202E}ฉบับปลอม", "law_type": "act"}),
        )
        .await;
    assert_field_error(&r, "title_th", "bidi_control");
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างประกาศ", "title_en": "Notice \u{2066}x\u{2069}", "law_type": "act"}),
        )
        .await;
    assert_field_error(&r, "title_en", "bidi_control");
    assert_eq!(count!(app, draft::Entity), before);

    let id = app.published_draft(&officer).await;
    let r = app
        .update_draft(id, Some(&officer), &json!({"title_th": "\u{202D}ร่างใหม่"}))
        .await;
    assert_field_error(&r, "title_th", "bidi_control");
    let r = app.get_draft(id, None).await;
    assert_eq!(r.body["title_th"], "ร่างพระราชบัญญัติทดสอบ พ.ศ. ....");
}
