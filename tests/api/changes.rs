//! The change feed: every public change in commit order, with the object's public state or a
//! tombstone; nothing private; a reader that follows the cursor while others write sees every
//! change once.

use std::collections::{BTreeSet, HashSet};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::TestApp;

/// Reads the whole feed from `after`, `limit` at a time: (items, last cursor).
async fn follow(app: &TestApp, mut after: String, limit: usize) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    loop {
        let limit = limit.to_string();
        let r = app
            .list_changes(None, &[("after", &after), ("limit", &limit)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        items.extend(r.body["items"].as_array().unwrap().iter().cloned());
        after = r.body["next_cursor"].as_str().unwrap().to_string();
        if r.body["has_more"] == false {
            return (items, after);
        }
    }
}

#[tokio::test]
async fn the_feed_lists_public_changes_in_order_with_their_state_and_tombstones() {
    let app = TestApp::builder().with_agency("feed").spawn().await;
    let officer = app.user("officer", Some("feed")).await;
    // A draft still in preparation: never in the feed.
    let private = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างที่ยังไม่เผยแพร่", "law_type": "act"}),
        )
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.text);
    let private_id = private.body["id"].as_i64().unwrap().to_string();
    let draft = app.published_draft(&officer).await;
    let consultation = app.open_consultation(&officer, draft).await;
    let citizen = app.user("citizen", None).await;
    let post = |publication: &'static str, body: &'static str| {
        let (app, citizen) = (&app, citizen.clone());
        async move {
            let r = app
                .create_comment(
                    consultation,
                    Some(&citizen),
                    &json!({"body": body, "stance": "oppose", "publication": publication}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.body["id"].as_i64().unwrap()
        }
    };
    let anonymous = post("anonymous", "ความเห็นที่เผยแพร่โดยไม่ระบุชื่อ").await;
    let secret = post("private", "ความเห็นส่วนตัวที่ห้ามเผยแพร่").await;
    let hidden = post("anonymous", "ความเห็นที่จะถูกซ่อน").await;
    let named = post("named", "ความเห็นที่ลงชื่อ").await;

    let (items, cursor) = follow(&app, String::new(), 1000).await;
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["object_type"].as_str().unwrap(),
                i["object_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(kinds.contains(&("agency", "1")) || kinds.iter().any(|(t, _)| *t == "agency"));
    let draft_id = draft.to_string();
    assert!(kinds.contains(&("draft", draft_id.as_str())), "{kinds:?}");
    assert!(
        kinds.contains(&("version", format!("{draft}/1").as_str())),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("consultation", consultation.to_string().as_str())));
    assert!(kinds.contains(&("comment", anonymous.to_string().as_str())));
    assert!(
        !kinds.contains(&("draft", private_id.as_str())),
        "a draft in preparation"
    );
    assert!(
        !kinds.contains(&("comment", secret.to_string().as_str())),
        "a private comment"
    );
    let text = serde_json::to_string(&items).unwrap();
    assert!(
        !text.contains("ความเห็นส่วนตัว") && !text.contains('@'),
        "nothing private"
    );
    // Cursors only grow; each item holds the state of what it names.
    let cursors: Vec<i64> = items
        .iter()
        .map(|i| i["cursor"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(cursors.windows(2).all(|w| w[0] <= w[1]), "{cursors:?}");
    let comment = items
        .iter()
        .find(|i| {
            i["object_type"] == "comment"
                && i["object_id"].as_str() == Some(anonymous.to_string().as_str())
        })
        .unwrap();
    assert_eq!(comment["removed"], false);
    assert_eq!(comment["comment"]["body"], "ความเห็นที่เผยแพร่โดยไม่ระบุชื่อ");
    assert_eq!(comment["draft"], Value::Null);
    assert_eq!(
        comment["comment"]["author_name"],
        Value::Null,
        "anonymous: no name"
    );
    let signed = items
        .iter()
        .find(|i| i["object_id"].as_str() == Some(named.to_string().as_str()))
        .unwrap();
    assert!(
        signed["comment"]["author_name"].is_string(),
        "named: the author's name, {signed}"
    );

    // Nothing new: the same cursor back, nothing more.
    let (none, same) = follow(&app, cursor.clone(), 10).await;
    assert!(none.is_empty());
    assert_eq!(same, cursor);

    // Hidden by moderation: a tombstone, after the cursor.
    let r = app
        .moderate_comment(
            consultation,
            hidden,
            Some(&officer),
            &json!({"status": "hidden", "reason": "ข้อความซ้ำ"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let (after_hiding, _) = follow(&app, cursor, 10).await;
    assert_eq!(after_hiding.len(), 1, "{after_hiding:?}");
    assert_eq!(after_hiding[0]["object_type"], "comment");
    assert_eq!(after_hiding[0]["object_id"], hidden.to_string());
    assert_eq!(after_hiding[0]["removed"], true);
    assert_eq!(after_hiding[0]["comment"], Value::Null);

    // Small reads give the same changes as one large read.
    let (paged, _) = follow(&app, String::new(), 2).await;
    let (whole, _) = follow(&app, String::new(), 1000).await;
    assert_eq!(paged, whole);

    // A cursor that is not one, and a limit out of range: 422, nothing else.
    for query in [
        [("after", "abc"), ("limit", "10")],
        [("after", "0"), ("limit", "0")],
    ] {
        let r = app.list_changes(None, &query).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.code(), "validation_failed");
    }
}

#[tokio::test]
async fn a_reader_following_the_feed_while_others_write_sees_each_change_once() {
    let app = TestApp::builder().with_hearing("feed-race").spawn().await;
    let h = app.hearing();
    let writers = 4;
    let per_writer = 25;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let citizen = app.user("citizen", None).await;
        let (client, url) = (
            app.client.clone(),
            app.url(&format!(
                "/api/v1/consultations/{}/comments",
                h.consultation_id
            )),
        );
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..per_writer {
                let r = client
                    .post(&url)
                    .bearer_auth(&citizen)
                    .json(&json!({"body": format!("ความเห็นที่ {w}-{n}"), "stance": "support"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
                let body: Value = r.json().await.unwrap();
                ids.push(body["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    // The reader follows the feed while they write, a few changes at a time.
    let mut seen: Vec<i64> = Vec::new();
    let mut cursors = Vec::new();
    let mut after = String::new();
    let mut finished = false;
    // Reads that found comments while the writers were still writing.
    let mut reads_while_writing = 0;
    loop {
        let writing = !tasks.iter().all(|t| t.is_finished());
        let r = app
            .list_changes(None, &[("after", &after), ("limit", "7")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let items = r.body["items"].as_array().unwrap();
        if writing && items.iter().any(|i| i["object_type"] == "comment") {
            reads_while_writing += 1;
        }
        for i in items {
            cursors.push(i["cursor"].as_str().unwrap().parse::<i64>().unwrap());
            if i["object_type"] == "comment" {
                seen.push(i["object_id"].as_str().unwrap().parse().unwrap());
            }
        }
        after = r.body["next_cursor"].as_str().unwrap().to_string();
        if r.body["has_more"] == false {
            if finished {
                break;
            }
            finished = tasks.iter().all(|t| t.is_finished());
        }
    }
    let mut written = BTreeSet::new();
    for t in tasks {
        written.extend(t.await.unwrap());
    }
    assert_eq!(written.len(), writers * per_writer);
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no change seen twice");
    assert_eq!(
        unique.into_iter().collect::<BTreeSet<_>>(),
        written,
        "every change seen"
    );
    assert!(cursors.windows(2).all(|w| w[0] <= w[1]), "in order");
    assert!(
        reads_while_writing >= 2,
        "the reader read during the writes ({reads_while_writing} times)"
    );
}

#[tokio::test]
async fn a_change_committed_while_another_waits_is_neither_passed_over_nor_reordered() {
    use domain::audit::{self, AuditRecord};
    let app = TestApp::builder()
        .with_agency("late-a")
        .with_agency("late-b")
        .spawn()
        .await;
    let agencies = app.list_agencies(None, &[]).await;
    let id_of = |slug: &str| {
        agencies.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["slug"] == slug)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let (a, b) = (id_of("late-a"), id_of("late-b"));
    let (_, start) = follow(&app, String::new(), 1000).await;
    let rename = |id: String| AuditRecord {
        actor: None,
        action: "agency.rename",
        entity_type: "agency",
        entity_id: id,
        before: None,
        after: None,
    };
    // The first writer records its change and holds its transaction open.
    let first = app.ctx.db.write().await.unwrap();
    audit::record(&*first, rename(a.clone())).await.unwrap();
    // A second writer, as another server would, records its change meanwhile.
    let second = {
        let (db, record) = (app.ctx.db.clone(), rename(b.clone()));
        tokio::spawn(async move {
            let tx = db.write().await.unwrap();
            audit::record(&*tx, record).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second writer waits for the first"
    );
    let (nothing, _) = follow(&app, start.clone(), 100).await;
    assert!(
        nothing.is_empty(),
        "nothing uncommitted is read: {nothing:?}"
    );
    first.commit().await.unwrap();
    second.await.unwrap();
    let (items, _) = follow(&app, start, 100).await;
    let order: Vec<&str> = items
        .iter()
        .map(|i| i["object_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [a.as_str(), b.as_str()], "in commit order");
}

/// The ids of a list's items.
fn ids(r: &tests::Reply, key: &str) -> Vec<Value> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].clone())
        .collect()
}

#[tokio::test]
async fn every_list_answers_what_changed_since_an_instant() {
    let app = TestApp::builder().with_agency("since").spawn().await;
    let officer = app.user("officer", Some("since")).await;
    let draft = app.published_draft(&officer).await;
    let consultation = app.open_consultation(&officer, draft).await;
    let citizen = app.user("citizen", None).await;
    let post = |body: &'static str| {
        let (app, citizen) = (&app, citizen.clone());
        async move {
            let r = app
                .create_comment(
                    consultation,
                    Some(&citizen),
                    &json!({"body": body, "stance": "support"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.body["id"].as_i64().unwrap()
        }
    };
    let untouched = post("ความเห็นก่อนเวลาที่ถาม").await;
    let republished = post("ความเห็นที่ถูกซ่อนแล้วเผยแพร่อีกครั้ง").await;
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;

    let fresh = post("ความเห็นหลังเวลาที่ถาม").await;
    for status in ["hidden", "published"] {
        let r = app
            .moderate_comment(
                consultation,
                republished,
                Some(&officer),
                &json!({"status": status, "reason": "ตรวจสอบแล้ว"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    app.agency("since-new").await;
    let second = app.published_draft(&officer).await;
    let second_consultation = app.open_consultation(&officer, second).await;
    let law = app
        .create_law(Some(&officer), &json!({"title_th": "พระราชบัญญัติที่ขึ้นทะเบียนภายหลัง", "law_type": "act", "in_force_since": "2024-01-01T00:00:00Z"}))
        .await;
    assert_eq!(law.status, StatusCode::CREATED, "{}", law.text);

    let r = app.record_disposition(consultation, Some(&officer), &json!({"target_kind": "comment", "target_id": fresh.to_string(), "decision": "accepted", "reason": "รับไว้พิจารณา"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let law_id = law.body["id"].as_i64().unwrap();
    let r = app
        .create_evaluation_request(
            law_id,
            Some(&citizen),
            &json!({"reason": "กฎหมายนี้ล้าสมัยแล้ว"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let listed = |path: String| {
        let app = &app;
        async move { app.get(&path, None).await }
    };
    let versions = listed(format!(
        "/api/v1/drafts/{second}/versions?updated_since={since}"
    ))
    .await;
    assert_eq!(
        versions.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        versions.text
    );
    let versions = listed(format!(
        "/api/v1/drafts/{draft}/versions?updated_since={since}"
    ))
    .await;
    assert_eq!(versions.body, json!([]), "{}", versions.text);
    let decided = listed(format!(
        "/api/v1/consultations/{consultation}/dispositions?updated_since={since}"
    ))
    .await;
    assert_eq!(
        decided.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        decided.text
    );
    let asked = app
        .list_evaluation_requests(law_id, None, &[("updated_since", &since)])
        .await;
    assert_eq!(ids(&asked, "id").len(), 1);

    let q: &[(&str, &str)] = &[("updated_since", &since)];
    let comments = ids(&app.list_comments(consultation, None, q).await, "id");
    assert_eq!(
        comments,
        [json!(republished), json!(fresh)],
        "not {untouched}"
    );
    assert_eq!(ids(&app.list_drafts(None, q).await, "id"), [json!(second)]);
    assert_eq!(
        ids(&app.list_consultations(None, q).await, "id"),
        [json!(second_consultation)]
    );
    assert_eq!(
        ids(&app.list_agencies(None, q).await, "slug"),
        [json!("since-new")]
    );
    assert_eq!(
        ids(&app.list_laws(None, q).await, "id"),
        [law.body["id"].clone()]
    );
    // Without it, everything; with an instant to come, nothing.
    assert_eq!(
        ids(&app.list_comments(consultation, None, &[]).await, "id").len(),
        3
    );
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert!(
        ids(
            &app.list_comments(consultation, None, &[("updated_since", &later)])
                .await,
            "id"
        )
        .is_empty()
    );
    // Not an instant: a problem naming the parameter, as for any other.
    let r = app
        .list_drafts(None, &[("updated_since", "yesterday")])
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_read_carries_at_most_25_whole_texts_and_following_it_misses_none() {
    let app = TestApp::builder().with_agency("texts").spawn().await;
    let officer = app.user("officer", Some("texts")).await;
    let mut drafts = Vec::new();
    for _ in 0..domain::service::changes::MAX_TEXTS + 5 {
        drafts.push(app.published_draft(&officer).await.to_string());
    }
    let r = app.list_changes(None, &[("limit", "1000")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let versions = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter(|i| i["object_type"] == "version")
            .map(|i| i["object_id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = r.body["items"].as_array().unwrap();
    assert_eq!(
        versions(first).len(),
        domain::service::changes::MAX_TEXTS,
        "the first read stops at the cap"
    );
    assert_eq!(r.body["has_more"], true, "and says there is more");
    // Following the cursor gives every version once, in order, and each draft's change too.
    let (items, _) = follow(&app, "0".into(), 1000).await;
    let expected: Vec<String> = drafts.iter().map(|d| format!("{d}/1")).collect();
    assert_eq!(versions(&items), expected);
    let cursors: Vec<&str> = items
        .iter()
        .map(|i| i["cursor"].as_str().unwrap())
        .collect();
    let mut sorted = cursors.clone();
    sorted.sort_by_key(|c| c.parse::<i64>().unwrap());
    assert_eq!(cursors, sorted, "in commit order");
}
