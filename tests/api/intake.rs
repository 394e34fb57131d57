//! Intake under load through the real `rabfang serve` (its embedded worker running): while
//! the worker works through a backlog, steady traffic of comments, versions, consultations and
//! subscriptions is never refused, and every acknowledged comment is stored.

use std::{path::PathBuf, time::Duration};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::serve::{Served, command, count, run_ok};

fn rabfang() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rabfang-under-test"))
}

#[tokio::test]
async fn writes_are_never_refused_while_the_worker_works_through_a_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    let run = |args: &[&str]| {
        let (stdout, _) = run_ok(command(&rabfang(), dir.path(), &url).args(args));
        stdout.trim().to_string()
    };
    run(&["migrate"]);
    run(&[
        "agency",
        "create",
        "--slug",
        "load",
        "--name-th",
        "หน่วยงานทดสอบภาระ",
    ]);
    let officer = run(&[
        "user",
        "create",
        "--email",
        "officer@load.example",
        "--role",
        "officer",
        "--agency",
        "load",
    ]);
    let citizens: Vec<String> = (0..16)
        .map(|i| {
            run(&[
                "user",
                "create",
                "--email",
                &format!("c{i}@load.example"),
                "--role",
                "citizen",
            ])
        })
        .collect();
    // This test is about the database queue, not the rate limits (tested on their own).
    let served = Served::start(
        &rabfang(),
        dir.path(),
        &url,
        &[],
        &[
            ("RABFANG_RATE_LIMIT_ACCOUNT", "1000000"),
            ("RABFANG_RATE_LIMIT_ADDRESS", "1000000"),
        ],
    );
    let client = reqwest::Client::new();
    let post = |path: String, token: String, body: Value| {
        let client = client.clone();
        let url = served.url(&path);
        async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.text().await.unwrap_or_default())
        }
    };
    let (status, text) = post(
        "/api/v1/drafts".into(),
        officer.clone(),
        json!({"title_th": "ร่างพระราชบัญญัติทดสอบภาระ", "law_type": "act", "body_markdown": tests::SAMPLE_BODY}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let draft: i64 = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_i64()
        .unwrap();
    let now = chrono::Utc::now();
    let hearing = json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + chrono::Duration::days(30)).to_rfc3339()});
    let (status, text) = post(
        format!("/api/v1/drafts/{draft}/consultations"),
        officer.clone(),
        hearing.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let consultation = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_i64()
        .unwrap();
    let comments = format!("/api/v1/consultations/{consultation}/comments");
    let comment = |i: usize| {
        let stance = ["support", "oppose", "neutral"][i % 3];
        json!({"body": format!("ความเห็นที่ {i}: ควรขยายระยะเวลาบังคับใช้มาตรา ๓ ให้ผู้ประกอบการขนาดย่อม"), "stance": stance})
    };

    // A backlog: each comment queues an index job, a receipt and a statistics update.
    let burst = join_all((0..32).map(|t| {
        let (post, token, comments) = (
            &post,
            citizens[t % citizens.len()].clone(),
            comments.clone(),
        );
        async move {
            let mut refused = Vec::new();
            for i in 0..40 {
                let (status, text) =
                    post(comments.clone(), token.clone(), comment(t * 1000 + i)).await;
                if status != StatusCode::CREATED {
                    refused.push(format!("{status} {text}"));
                }
            }
            refused
        }
    }))
    .await;
    let refused: Vec<String> = burst.into_iter().flatten().collect();
    assert!(refused.is_empty(), "refused during the burst: {refused:?}");
    let db = domain::db::Db::connect(&url, Default::default())
        .await
        .unwrap();
    let backlog = count(
        &db,
        "SELECT COUNT(*) FROM jobs WHERE state IN ('pending', 'running')",
    )
    .await;
    assert!(backlog > 100, "a backlog for the worker: {backlog} jobs");

    // Steady traffic of every kind of write while the worker works.
    let steady = join_all((0..8).map(|t| {
        let (post, token, comments, officer) = (&post, citizens[t].clone(), comments.clone(), officer.clone());
        let hearing = hearing.clone();
        async move {
            let mut refused = Vec::new();
            for i in 0..25 {
                let (status, text) = match (t, i % 5) {
                    (0, 0) => post(format!("/api/v1/drafts/{draft}/versions"), officer.clone(), json!({"body_markdown": format!("{}\nมาตรา ๙ ฉบับแก้ไขครั้งที่ {i}\n", tests::SAMPLE_BODY), "changelog": "แก้ไข"})).await,
                    (1, 0) => post(format!("/api/v1/drafts/{draft}/consultations"), officer.clone(), hearing.clone()).await,
                    (2, 0) => post("/api/v1/subscriptions".into(), token.clone(), json!({"email": format!("s{i}@load.example"), "target_kind": "agency", "target": "load"})).await,
                    _ => post(comments.clone(), token.clone(), comment(100_000 + t * 1000 + i)).await,
                };
                if !status.is_success() {
                    refused.push(format!("{status} {text}"));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            refused
        }
    }))
    .await;
    let refused: Vec<String> = steady.into_iter().flatten().collect();
    assert!(
        refused.is_empty(),
        "refused while the worker worked: {refused:?}"
    );
    let acknowledged = 32 * 40 + (8 - 3) * 25 + 3 * 20;
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM comments").await,
        acknowledged
    );
    let exit = served.stop();
    assert!(exit.success(), "{exit:?}");
    if let Some((base, name)) = pg {
        tests::drop_pg_database(base, name);
    }
}
