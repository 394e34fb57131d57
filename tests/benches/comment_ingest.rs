//! Comment intake through the real `rabfang serve` process, as users run it: its embedded
//! worker on (indexing, receipts, statistics run while comments arrive), SQLite in a temporary
//! folder by default or PostgreSQL with `TEST_DATABASE_URL`. 64 concurrent HTTP clients
//! (keep-alive) submit comments to one open consultation; we report accepted comments/s,
//! p50/p99, every answer that was not 201, the server's peak RSS, and check that the comments
//! stored equal the comments acknowledged. The reference, measured in the same run against
//! the same process, is `GET /healthz` with the same clients.
//!
//! Run: `cargo bench -p tests --bench comment_ingest`. `BENCH_COMMENTS` and `BENCH_CLIENTS`
//! change the size (defaults 20000 and 64); `RABFANG_WORKER=off` runs the server without its
//! worker, to tell the worker's share. The per-account and per-address write limits are
//! raised for the run (every client shares 127.0.0.1); the limiter still runs on each request.
//! Then the same intake runs again while 16 more clients search (each search made afresh),
//! and we report intake's p99 beside intake's alone. Afterwards one client follows the change
//! feed from the start (`GET /api/v1/changes`, 1000 a read) and we report changes/s.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{
    bench::{env_usize, load, peak_rss_mib},
    serve::{Served, command, count, run_ok},
};

#[tokio::main]
async fn main() {
    let total = env_usize("BENCH_COMMENTS", 20_000);
    let clients = env_usize("BENCH_CLIENTS", 64);
    let per_client = total / clients;
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_rabfang-under-test"));
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    let run = |args: &[&str]| {
        let (stdout, _) = run_ok(command(&binary, dir.path(), &url).args(args));
        stdout.trim().to_string()
    };
    eprintln!("preparing: an agency, an officer and {clients} citizens...");
    run(&["migrate"]);
    run(&[
        "agency",
        "create",
        "--slug",
        "bench",
        "--name-th",
        "หน่วยงานทดสอบ",
    ]);
    let officer = run(&[
        "user",
        "create",
        "--email",
        "officer@bench.example",
        "--role",
        "officer",
        "--agency",
        "bench",
    ]);
    let tokens: Vec<String> = (0..clients)
        .map(|i| {
            run(&[
                "user",
                "create",
                "--email",
                &format!("c{i}@bench.example"),
                "--role",
                "citizen",
            ])
        })
        .collect();
    let served = Served::start(
        &binary,
        dir.path(),
        &url,
        &[],
        &[
            ("RABFANG_RATE_LIMIT_ACCOUNT", "100000000"),
            ("RABFANG_RATE_LIMIT_ADDRESS", "100000000"),
            ("RABFANG_READ_LIMIT_ADDRESS", "100000000"),
        ],
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let (_, consultation) = tests::bench::open_hearing(&client, &served, &officer).await;
    let db = domain::db::Db::connect(&url, Default::default())
        .await
        .unwrap();
    println!(
        "backend: {:?}; {clients} clients; the server's worker: {}",
        db.backend(),
        std::env::var("RABFANG_WORKER").unwrap_or_else(|_| "embedded".into())
    );

    let health = served.url("/healthz");
    // Five times as many: long enough to be a steady rate at this speed.
    let reference = load(clients, per_client * 5, StatusCode::OK, {
        let client = client.clone();
        move |_, _| client.get(&health)
    })
    .await;
    reference.report("reference GET /healthz");

    let comments = served.url(&format!("/api/v1/consultations/{consultation}/comments"));
    let submit = |round: &'static str| {
        let (client, comments, tokens) = (client.clone(), comments.clone(), tokens.clone());
        move |c: usize, i: usize| {
            let stance = ["support", "oppose", "neutral"][i % 3];
            client.post(&comments).bearer_auth(&tokens[c]).json(&json!({
                "body": format!("ความเห็นที่ {i}{round} จากผู้ใช้ {c}: ควรขยายระยะเวลาการบังคับใช้มาตรา ๓ ให้ผู้ประกอบการขนาดย่อมปรับตัว"),
                "stance": stance,
                "provision_id": "s3",
                "province": "เชียงใหม่",
            }))
        }
    };
    let intake = load(clients, per_client, StatusCode::CREATED, submit("")).await;
    intake.report("comments accepted (201)");
    // The same intake again while a crowd searches (16 more clients, each search made afresh
    // with `Cache-Control: no-cache`, Thai and English, over the comments arriving): heavy
    // searches must not slow intake down.
    let searching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let searchers: Vec<_> = (0..16)
        .map(|s| {
            let (client, searching) = (client.clone(), searching.clone());
            let url = served.url("/api/v1/search");
            tokio::spawn(async move {
                let queries = [
                    "ความเห็น",
                    "ผู้ประกอบการ ขนาดย่อม",
                    "มาตรา",
                    "enforcement period",
                    "เชียงใหม่",
                ];
                let mut done = 0usize;
                while searching.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = client
                        .get(&url)
                        .query(&[("q", queries[(s + done) % queries.len()])])
                        .header("cache-control", "no-cache")
                        .send()
                        .await;
                    if let Ok(r) = r
                        && r.status() == StatusCode::OK
                    {
                        let _ = r.bytes().await;
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let beside = load(clients, per_client, StatusCode::CREATED, submit("b")).await;
    searching.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut searched = 0;
    for s in searchers {
        searched += s.await.unwrap();
    }
    beside.report("comments accepted (201) while 16 clients search");
    println!(
        "searches answered meanwhile: {searched} in {:.2} s = {:.0}/s; intake p99 alone {:.2} ms, beside searches {:.2} ms",
        beside.elapsed.as_secs_f64(),
        searched as f64 / beside.elapsed.as_secs_f64(),
        tests::bench::percentile(&intake.latencies, 0.99).as_secs_f64() * 1e3,
        tests::bench::percentile(&beside.latencies, 0.99).as_secs_f64() * 1e3,
    );
    let acknowledged = intake.ok + beside.ok;
    let stored = count(&db, "SELECT COUNT(*) FROM comments").await;
    println!(
        "stored {stored}, acknowledged {acknowledged}: {}",
        if stored == acknowledged as i64 {
            "equal"
        } else {
            "DIFFERENT"
        }
    );
    println!(
        "intake / reference: {:.2}; server peak RSS: {:.0} MiB",
        intake.ok as f64
            / intake.elapsed.as_secs_f64()
            / (reference.ok as f64 / reference.elapsed.as_secs_f64()),
        peak_rss_mib(served.pid())
    );
    let worker_on = std::env::var("RABFANG_WORKER").map_or(true, |w| w != "off");
    let backlog = count(
        &db,
        "SELECT COUNT(*) FROM jobs WHERE state IN ('pending', 'running')",
    )
    .await;
    let drain = Instant::now();
    let mut left = backlog;
    while worker_on && left > 0 && drain.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        left = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE state IN ('pending', 'running')",
        )
        .await;
    }
    println!(
        "the worker's backlog after intake: {backlog} jobs, done {:.1} s later ({left} left)",
        drain.elapsed().as_secs_f64()
    );
    // A researcher following the change feed from the start, 1000 changes a read, one client:
    // every comment above is a change.
    let feed = Instant::now();
    let (mut changes, mut reads, mut after) = (0usize, 0usize, "0".to_string());
    loop {
        let page: Value = client
            .get(served.url("/api/v1/changes"))
            .query(&[("after", after.as_str()), ("limit", "1000")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reads += 1;
        changes += page["items"].as_array().map_or(0, Vec::len);
        after = page["next_cursor"].as_str().unwrap_or("0").to_string();
        if page["has_more"] != true {
            break;
        }
    }
    let took = feed.elapsed().as_secs_f64();
    println!(
        "change feed from the start: {changes} changes in {reads} reads, {took:.2} s = {:.0} changes/s",
        changes as f64 / took
    );
    assert!(
        changes >= acknowledged,
        "every accepted comment is in the feed"
    );
    let exit = served.stop();
    assert!(exit.success(), "{exit:?}");
    if let Some((base, name)) = pg {
        tests::drop_pg_database(base, name);
    }
    assert_eq!(
        stored, acknowledged as i64,
        "every acknowledged comment is stored"
    );
}
