//! The site's pages and the public JSON under a crowd, through the real `rabfang serve --demo`
//! process with its embedded worker, beside `GET /healthz` measured in the same run with the
//! same clients: the home page, the demo's longest draft page, a consultation page, a Thai
//! search page, a consultation's JSON and the longest draft version's JSON, each loaded by 64
//! keep-alive clients, as a crowd asks them (the server's kept answers serve most) and again
//! with `Cache-Control: no-cache` (every answer made afresh, what a crowd reading many
//! different pages costs); then the search API; then the same draft page revalidated with
//! `If-None-Match` (what a cache in front of Rabfang sends), which must answer `304`. Reports
//! answers/s, p50/p99, the page's weight and the server's peak RSS.
//!
//! Run: `cargo bench -p tests --bench pages`. `BENCH_REQUESTS` (per page, default 20000) and
//! `BENCH_CLIENTS` (default 64) change the size.

use std::path::PathBuf;

use reqwest::{StatusCode, header};
use serde_json::Value;
use tests::{
    bench::{env_usize, load, peak_rss_mib},
    serve::Served,
};

#[tokio::main]
async fn main() {
    let total = env_usize("BENCH_REQUESTS", 20_000);
    let clients = env_usize("BENCH_CLIENTS", 64);
    let per_client = total / clients;
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_rabfang-under-test"));
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = tests::test_database(dir.path()).await;
    eprintln!("starting rabfang serve --demo...");
    // One load generator stands in for a crowd of many addresses: the API's per-address read
    // limit (a few thousand a minute) would otherwise answer most of it with 429.
    let served = Served::start(
        &binary,
        dir.path(),
        &url,
        &["--demo"],
        &[("RABFANG_READ_LIMIT_ADDRESS", "100000000")],
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    // The demo's draft with the most provisions, and an open consultation.
    let drafts: Value = client
        .get(served.url("/api/v1/drafts?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut longest = (0, 0usize, 0);
    for d in drafts["items"].as_array().unwrap() {
        let id = d["id"].as_i64().unwrap();
        let Some(v) = d["current_version"].as_i64() else {
            continue;
        };
        let version: Value = client
            .get(served.url(&format!("/api/v1/drafts/{id}/versions/{v}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = version["provisions"].as_array().map_or(0, Vec::len);
        if n > longest.1 {
            longest = (id, n, v);
        }
    }
    let open: Value = client
        .get(served.url("/api/v1/consultations?status=open&limit=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let consultation = open["items"][0]["id"]
        .as_i64()
        .expect("an open consultation in the demo");
    let pages = [
        ("home /", "/".to_string()),
        ("draft page", format!("/drafts/{}", longest.0)),
        (
            "consultation page",
            format!("/consultations/{consultation}"),
        ),
        (
            "search page (Thai)",
            "/search?q=%E0%B8%82%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%B9%E0%B8%A5".to_string(),
        ),
        (
            "consultation JSON",
            format!("/api/v1/consultations/{consultation}"),
        ),
        (
            "draft version JSON",
            format!("/api/v1/drafts/{}/versions/{}", longest.0, longest.2),
        ),
    ];
    println!(
        "pages through `rabfang serve --demo` (SQLite, embedded worker), {clients} clients, {per_client} requests each per page; the draft page has {} provisions",
        longest.1
    );
    // The worker indexes the demo in the background: wait until search finds it.
    for _ in 0..600 {
        let found: Value = client
            .get(
                served
                    .url("/api/v1/search?q=%E0%B8%82%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%B9%E0%B8%A5"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        if found["total"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The demo's own jobs (mail, indexing, statistics, exports) are done before measuring.
    let db = domain::db::Db::connect(&url, Default::default())
        .await
        .unwrap();
    let settled = tests::serve::settle(&db, std::time::Duration::from_secs(300)).await;
    println!("the worker settled {:.1} s later", settled.as_secs_f64());
    // Warm up once, and weigh each page.
    for (what, path) in &pages {
        let body = client
            .get(served.url(path))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        println!("{what}: {} bytes", body.len());
    }
    let health = served.url("/healthz");
    let reference = load(clients, per_client, StatusCode::OK, {
        let (client, health) = (client.clone(), health.clone());
        move |_, _| client.get(&health)
    })
    .await;
    reference.report("reference GET /healthz");
    for (what, path) in &pages {
        let url = served.url(path);
        let result = load(clients, per_client, StatusCode::OK, {
            let (client, url) = (client.clone(), url.clone());
            move |_, _| client.get(&url)
        })
        .await;
        result.report(what);
        let result = load(clients, per_client, StatusCode::OK, {
            let client = client.clone();
            move |_, _| client.get(&url).header(header::CACHE_CONTROL, "no-cache")
        })
        .await;
        result.report(&format!("{what}, made afresh (no-cache)"));
    }
    // The search API as researchers and the site's own search box use it: a mix of Thai,
    // English and filtered queries, asked again and again (a crowd after the news), then every
    // request a query not asked before (two nouns from a list, in order), which no cache of
    // answers can serve.
    let mix: Vec<String> = [
        "q=ข้อมูล",
        "q=ส่วนบุคคล",
        "q=สิ่งแวดล้อม&kind=comment",
        "q=personal%20data",
        "q=consumer",
        "q=ข้อมูล&agency=pdpc-office",
        "q=ค่าธรรมเนียม&kind=provision",
        "q=regulation&limit=10",
    ]
    .iter()
    .map(|q| served.url(&format!("/api/v1/search?{q}")))
    .collect();
    let result = load(clients, per_client, StatusCode::OK, {
        let (client, mix) = (client.clone(), mix.clone());
        move |c, i| client.get(&mix[(c + i) % mix.len()])
    })
    .await;
    result.report("search API, a mix of 8 Thai, English and filtered queries");
    let result = load(clients, per_client, StatusCode::OK, {
        let (client, mix) = (client.clone(), mix.clone());
        move |c, i| {
            client
                .get(&mix[(c + i) % mix.len()])
                .header(header::CACHE_CONTROL, "no-cache")
        }
    })
    .await;
    result.report("search API, the same mix made afresh (no-cache)");
    let nouns = tests::bench::THAI_NOUNS;
    let base = served.url("/api/v1/search");
    let result = load(clients, per_client, StatusCode::OK, {
        let (client, base) = (client.clone(), base.clone());
        move |c, i| {
            let n = c * per_client + i;
            let (a, b) = (
                nouns[n % nouns.len()],
                nouns[(n / nouns.len()) % nouns.len()],
            );
            let page = n / (nouns.len() * nouns.len());
            client.get(&base).query(&[
                ("q", format!("{a} {b}")),
                ("cursor", format!("o{}", page * 20)),
            ])
        }
    })
    .await;
    result.report(&format!(
        "search API, a new query each time (two of {} Thai nouns)",
        nouns.len()
    ));
    let draft = served.url(&pages[1].1);
    let etag = client
        .get(&draft)
        .send()
        .await
        .unwrap()
        .headers()
        .get(header::ETAG)
        .expect("pages have an ETag")
        .to_str()
        .unwrap()
        .to_string();
    let revalidated = load(clients, per_client, StatusCode::NOT_MODIFIED, {
        let client = client.clone();
        move |_, _| client.get(&draft).header(header::IF_NONE_MATCH, &etag)
    })
    .await;
    revalidated.report("draft page with If-None-Match (304)");
    println!("server peak RSS: {:.1} MiB", peak_rss_mib(served.pid()));
    let exit = served.stop();
    assert!(exit.success(), "{exit:?}");
}
