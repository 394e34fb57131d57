//! Comment ingestion benchmark: many concurrent clients submit comments over HTTP to one open
//! consultation on the real server, and we report accepted comments per second, p50/p99
//! latency and the process's peak memory. The reference ceiling is a raw loop inserting the
//! same rows into the same database in batched transactions, with no HTTP and no validation.
//!
//! Run: `cargo bench -p tests --bench comment_ingest` (SQLite in a temporary folder), or with
//! `TEST_DATABASE_URL=postgres://...` for PostgreSQL. `BENCH_COMMENTS` and `BENCH_CLIENTS`
//! change the size (defaults 20000 and 64).

use std::time::{Duration, Instant};
use tests::bench::{env_usize, memory_mib};

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::json;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let total = env_usize("BENCH_COMMENTS", 20_000);
    let clients = env_usize("BENCH_CLIENTS", 64);
    let app = tests::spawn_app().await;
    let h = app.open_hearing("bench").await;
    let backend = format!("{:?}", app.ctx.db.backend());
    let mut tokens = Vec::new();
    for _ in 0..clients {
        tokens.push(app.user("citizen", None).await);
    }
    let url = app.url(&format!(
        "/api/v1/consultations/{}/comments",
        h.consultation_id
    ));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    eprintln!("submitting {total} comments with {clients} concurrent clients ({backend})...");
    let started = Instant::now();
    let per_client = total / clients;
    let mut tasks = Vec::new();
    for (c, token) in tokens.into_iter().enumerate() {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            let mut accepted = 0usize;
            for i in 0..per_client {
                let stance = ["support", "oppose", "neutral"][i % 3];
                let body = json!({
                    "body": format!("ความเห็นที่ {i} จากผู้ใช้ {c}: ควรขยายระยะเวลาการบังคับใช้มาตรา ๓ ให้ผู้ประกอบการขนาดย่อมปรับตัว"),
                    "stance": stance,
                    "provision_id": "s3",
                    "province": "เชียงใหม่",
                });
                let t = Instant::now();
                let r = client.post(&url).bearer_auth(&token).json(&body).send().await;
                latencies.push(t.elapsed());
                if matches!(&r, Ok(resp) if resp.status() == reqwest::StatusCode::CREATED) {
                    accepted += 1;
                }
                if let Ok(resp) = r {
                    let _ = resp.bytes().await;
                }
            }
            (accepted, latencies)
        }));
    }
    let mut accepted = 0;
    let mut latencies = Vec::new();
    for t in tasks {
        let (a, l) = t.await.unwrap();
        accepted += a;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let http_rate = accepted as f64 / elapsed.as_secs_f64();
    println!("backend: {backend}");
    println!(
        "HTTP: {accepted}/{} accepted in {:.2} s = {:.0} comments/s; p50 {:.2} ms, p99 {:.2} ms",
        per_client * clients,
        elapsed.as_secs_f64(),
        http_rate,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "peak RSS (server + clients, one process): {:.0} MiB",
        memory_mib("VmHWM:")
    );

    // Reference: the same rows inserted directly, 512 per transaction.
    let conn = &app.ctx.db.conn;
    let db_backend = conn.get_database_backend();
    let sql = match db_backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO comments (consultation_id, account_id, provision_id, stance, body, answers, respondent_type, organisation_name, province, publication, moderation_status, channel, tracking_number, received_at, content_hash, cluster_id) VALUES ($1, 1, 's3', 'support', $2, '[]', 'individual', NULL, 'เชียงใหม่', 'anonymous', 'published', 'api', $3, $4, 'x', NULL)"
        }
        _ => {
            "INSERT INTO comments (consultation_id, account_id, provision_id, stance, body, answers, respondent_type, organisation_name, province, publication, moderation_status, channel, tracking_number, received_at, content_hash, cluster_id) VALUES (?, 1, 's3', 'support', ?, '[]', 'individual', NULL, 'เชียงใหม่', 'anonymous', 'published', 'api', ?, ?, 'x', NULL)"
        }
    };
    let started = Instant::now();
    let mut n = 0;
    while n < total {
        let txn = conn.begin().await.unwrap();
        for _ in 0..512.min(total - n) {
            txn.execute_raw(Statement::from_sql_and_values(
                db_backend,
                sql,
                [
                    h.consultation_id.into(),
                    format!("ความเห็นอ้างอิง {n}").into(),
                    format!("RAW-{n}").into(),
                    domain::time::now_ms().into(),
                ],
            ))
            .await
            .unwrap();
            n += 1;
        }
        txn.commit().await.unwrap();
    }
    let raw = started.elapsed();
    println!(
        "raw insert loop (512 rows per transaction): {total} rows in {:.2} s = {:.0} rows/s",
        raw.as_secs_f64(),
        total as f64 / raw.as_secs_f64()
    );
}
