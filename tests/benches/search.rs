//! Search benchmark: indexes a generated corpus of public comments and drafts (Thai and
//! English), then times a fixed mixed query set on the same index: the engine as the API uses it
//! (count, facets, stored fields, snippets) and the HTTP API end to end, plus, on the embedded
//! index, the raw tantivy query (top documents only: the reference).
//!
//! Then 64 clients ask the query set over and over through the HTTP API, each search made
//! afresh, for the throughput (`BENCH_CLIENTS`, `BENCH_CROWD_SEARCHES`, default 6,400).
//!
//! Run: `cargo bench -p tests --bench search` (the embedded index), or with
//! `TEST_MEILISEARCH_URL` (and `TEST_MEILISEARCH_KEY`) set for the same corpus and queries on
//! Meilisearch. `BENCH_COMMENTS` (default 200000), `BENCH_DRAFTS` (default 5000) and
//! `BENCH_ROUNDS` (default 10) change the size.

use std::sync::LazyLock;
use std::time::{Duration, Instant};
use tests::bench::{ENGLISH_NOUNS, THAI_NOUNS, env_usize};

use domain::search::{DocKind, SearchDoc, SearchFilter, SearchIndex, SearchQuery, backend::Search};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

const THAI: &[&str] = THAI_NOUNS;
const THAI_GLUE: &[&str] = &[
    "ควร",
    "ต้อง",
    "ไม่ควร",
    "เห็นด้วยกับ",
    "ขอให้",
    "และ",
    "หรือ",
    "ของ",
    "ใน",
    "เพื่อ",
    "ที่",
    "การ",
];
static ENGLISH: LazyLock<Vec<&str>> =
    LazyLock::new(|| [ENGLISH_NOUNS, &["regulation", "province", "community"]].concat());
const AGENCIES: &[&str] = &[
    "pdpc-office",
    "pollution-control",
    "digital-economy",
    "consumer-board",
    "labour-dept",
];
const LAW_TYPES: &[&str] = &[
    "act",
    "royal_decree",
    "ministerial_regulation",
    "rule",
    "notification",
    "plan",
];
const TOPICS: &[&str] = &[
    "privacy",
    "digital",
    "environment",
    "consumer",
    "labour",
    "health",
    "transport",
];
const STANCES: &[&str] = &["support", "oppose", "neutral"];

fn thai_sentence(rng: &mut StdRng, words: usize) -> String {
    (0..words)
        .map(|i| {
            if i % 3 == 1 {
                *THAI_GLUE.choose(rng).unwrap()
            } else {
                *THAI.choose(rng).unwrap()
            }
        })
        .collect::<Vec<_>>()
        .concat()
}

fn english_sentence(rng: &mut StdRng, words: usize) -> String {
    (0..words)
        .map(|_| *ENGLISH.choose(rng).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(rng: &mut StdRng, sentences: usize) -> String {
    (0..sentences)
        .map(|_| {
            let words = rng.random_range(6..14);
            if rng.random_bool(0.8) {
                thai_sentence(rng, words)
            } else {
                english_sentence(rng, words)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn corpus(drafts: usize, comments: usize) -> (Vec<SearchDoc>, Vec<SearchDoc>) {
    let mut rng = StdRng::seed_from_u64(2562);
    let start = 1_700_000_000_000i64;
    let draft_docs: Vec<SearchDoc> = (1..=drafts as i64)
        .map(|id| {
            let mut body = text(&mut rng, 25);
            body.push_str(&format!(" มาตรา {} ", rng.random_range(1..40)));
            SearchDoc {
                id: format!("draft-{id}"),
                kind: DocKind::Draft,
                draft_id: id,
                consultation_id: None,
                provision_id: None,
                title: format!(
                    "ร่างพระราชบัญญัติ{}{} พ.ศ. .... · Draft {} Act",
                    THAI.choose(&mut rng).unwrap(),
                    THAI.choose(&mut rng).unwrap(),
                    ENGLISH.choose(&mut rng).unwrap()
                ),
                body,
                agency: AGENCIES[id as usize % AGENCIES.len()].into(),
                status: Some(["in_consultation", "consulted", "preparing"][id as usize % 3].into()),
                law_type: Some(LAW_TYPES[id as usize % LAW_TYPES.len()].into()),
                topics: vec![TOPICS[id as usize % TOPICS.len()].into()],
                stance: None,
                respondent_type: None,
                province: None,
                date: start + id * 3_600_000,
            }
        })
        .collect();
    let comment_docs: Vec<SearchDoc> = (1..=comments as i64)
        .map(|id| {
            let draft = rng.random_range(1..=drafts as i64);
            let sentences = rng.random_range(1..4);
            SearchDoc {
                id: format!("comment-{id}"),
                kind: DocKind::Comment,
                draft_id: draft,
                consultation_id: Some(draft),
                provision_id: rng
                    .random_bool(0.3)
                    .then(|| format!("s{}", rng.random_range(1..30))),
                title: String::new(),
                body: text(&mut rng, sentences),
                agency: AGENCIES[draft as usize % AGENCIES.len()].into(),
                status: Some("open".into()),
                law_type: Some(LAW_TYPES[draft as usize % LAW_TYPES.len()].into()),
                topics: vec![TOPICS[draft as usize % TOPICS.len()].into()],
                stance: Some(STANCES[id as usize % 3].into()),
                respondent_type: Some("individual".into()),
                province: Some("เชียงใหม่".into()),
                date: start + id * 60_000,
            }
        })
        .collect();
    (draft_docs, comment_docs)
}

/// The fixed query set: Thai words, English words, filtered and faceted queries.
fn queries() -> Vec<(String, SearchQuery)> {
    let q = |text: &str, filter: SearchFilter| SearchQuery {
        q: text.into(),
        filter,
        limit: 20,
        offset: 0,
    };
    let kind = |k: DocKind| SearchFilter {
        kinds: vec![k],
        ..Default::default()
    };
    vec![
        (
            "thai: ข้อมูลส่วนบุคคล".into(),
            q("ข้อมูลส่วนบุคคล", SearchFilter::default()),
        ),
        ("thai: คุ้มครอง".into(), q("คุ้มครอง", SearchFilter::default())),
        (
            "thai inside compound: บุคคล".into(),
            q("บุคคล", SearchFilter::default()),
        ),
        (
            "thai two words: ผู้ประกอบการ ขนาดย่อม".into(),
            q("ผู้ประกอบการ ขนาดย่อม", SearchFilter::default()),
        ),
        (
            "thai digits: มาตรา ๕".into(),
            q("มาตรา ๕", kind(DocKind::Draft)),
        ),
        (
            "english: privacy".into(),
            q("privacy", SearchFilter::default()),
        ),
        (
            "english two words: personal data".into(),
            q("personal data", SearchFilter::default()),
        ),
        (
            "english typo: regulaton".into(),
            q("regulaton", SearchFilter::default()),
        ),
        (
            "filtered: ค่าธรรมเนียม, comments, oppose".into(),
            q(
                "ค่าธรรมเนียม",
                SearchFilter {
                    kinds: vec![DocKind::Comment],
                    stance: Some("oppose".into()),
                    ..Default::default()
                },
            ),
        ),
        (
            "filtered: penalty, agency".into(),
            q(
                "penalty",
                SearchFilter {
                    agency: vec!["pdpc-office".into()],
                    ..Default::default()
                },
            ),
        ),
        (
            "filtered: สิ่งแวดล้อม, drafts, act".into(),
            q(
                "สิ่งแวดล้อม",
                SearchFilter {
                    kinds: vec![DocKind::Draft],
                    law_type: vec!["act".into()],
                    ..Default::default()
                },
            ),
        ),
        (
            "filtered: empty q, one consultation".into(),
            q(
                "",
                SearchFilter {
                    consultation_id: Some(42),
                    kinds: vec![DocKind::Comment],
                    ..Default::default()
                },
            ),
        ),
        (
            "faceted: empty q, topic".into(),
            q(
                "",
                SearchFilter {
                    topic: vec!["privacy".into()],
                    ..Default::default()
                },
            ),
        ),
        (
            "date range: ผู้บริโภค".into(),
            q(
                "ผู้บริโภค",
                SearchFilter {
                    date_from: Some(1_700_000_000_000 + 86_400_000),
                    date_to: Some(1_700_000_000_000 + 30 * 86_400_000),
                    ..Default::default()
                },
            ),
        ),
    ]
}

fn summary(name: &str, mut samples: Vec<Duration>) -> String {
    samples.sort();
    let p =
        |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    format!(
        "{name:<24} p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms   ({} queries)",
        p(0.50),
        p(0.95),
        p(0.99),
        samples.len()
    )
}

#[tokio::main]
async fn main() {
    let drafts = env_usize("BENCH_DRAFTS", 5_000);
    let comments = env_usize("BENCH_COMMENTS", 200_000);
    let rounds = env_usize("BENCH_ROUNDS", 10);
    let app = tests::spawn_app().await;
    let embedded = match app.ctx.search.as_ref() {
        Search::Embedded(embedded) => {
            println!("backend: embedded tantivy index");
            Some(embedded)
        }
        Search::Meili(meili) => {
            println!("backend: Meilisearch ({meili:?})");
            None
        }
    };
    eprintln!("generating {drafts} drafts and {comments} comments...");
    let (draft_docs, comment_docs) = corpus(drafts, comments);
    let bytes: usize = draft_docs
        .iter()
        .chain(&comment_docs)
        .map(|d| d.title.len() + d.body.len())
        .sum();
    eprintln!("indexing {:.1} MB of text...", bytes as f64 / 1e6);
    let started = Instant::now();
    let total = draft_docs.len() + comment_docs.len();
    let mut done = 0;
    for batch in draft_docs.chunks(1000).chain(comment_docs.chunks(5000)) {
        app.ctx
            .search
            .upsert(batch.to_vec())
            .await
            .expect("indexing");
        done += batch.len();
        eprint!("\r  {done}/{total}");
    }
    let indexing = started.elapsed();
    eprintln!();
    println!(
        "corpus: {drafts} drafts + {comments} comments, {:.1} MB of text (80% Thai sentences)",
        bytes as f64 / 1e6
    );
    println!(
        "indexing: {total} documents in {:.1} s = {:.0} documents/s (batches of 5000, each written before the next)",
        indexing.as_secs_f64(),
        total as f64 / indexing.as_secs_f64()
    );

    let set = queries();
    let client = reqwest::Client::new();
    let (mut raw, mut engine, mut http) = (Vec::new(), Vec::new(), Vec::new());
    // Each query's parameters as the HTTP API takes them, for the crowd below.
    let mut asked: Vec<Vec<(&str, String)>> = Vec::new();
    let mut per_query: Vec<(String, Vec<Duration>, u64)> = set
        .iter()
        .map(|(n, _)| (n.clone(), Vec::new(), 0))
        .collect();
    for round in 0..=rounds {
        for (i, (_, query)) in set.iter().enumerate() {
            let t = Instant::now();
            if let Some(embedded) = embedded {
                embedded.raw_top_docs(query).expect("raw query");
            }
            let raw_time = t.elapsed();
            let t = Instant::now();
            let results = app.ctx.search.search(query).await.expect("engine query");
            let engine_time = t.elapsed();
            let mut params: Vec<(&str, String)> =
                vec![("q", query.q.clone()), ("limit", query.limit.to_string())];
            for k in &query.filter.kinds {
                params.push(("kind", k.as_str().into()));
            }
            let f = &query.filter;
            for (name, values) in [
                ("agency", &f.agency),
                ("law_type", &f.law_type),
                ("topic", &f.topic),
            ] {
                params.extend(values.iter().map(|v| (name, v.clone())));
            }
            if let Some(v) = &f.stance {
                params.push(("stance", v.clone()));
            }
            if let Some(c) = f.consultation_id {
                params.push(("consultation_id", c.to_string()));
            }
            for (name, value) in [("from", f.date_from), ("to", f.date_to)] {
                if let Some(ms) = value {
                    params.push((
                        name,
                        domain::time::to_datetime(ms)
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ));
                }
            }
            if round == 0 {
                asked.push(params.clone());
            }
            let t = Instant::now();
            let r = client
                .get(app.url("/api/v1/search"))
                .query(&params)
                // Measured afresh: the round before would otherwise have left a kept answer.
                .header("cache-control", "no-cache")
                .send()
                .await
                .expect("HTTP search");
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
            let _ = r.bytes().await;
            let http_time = t.elapsed();
            if round == 0 {
                per_query[i].2 = results.total;
                continue; // warm-up round
            }
            if embedded.is_some() {
                raw.push(raw_time);
            }
            engine.push(engine_time);
            http.push(http_time);
            per_query[i].1.push(engine_time);
        }
    }
    if !raw.is_empty() {
        println!("{}", summary("raw tantivy (reference)", raw));
    }
    println!("{}", summary("engine (API's search)", engine.clone()));
    println!("{}", summary("HTTP API end to end", http.clone()));
    let mut overhead: Vec<Duration> = http
        .iter()
        .zip(&engine)
        .map(|(h, e)| h.saturating_sub(*e))
        .collect();
    overhead.sort();
    println!(
        "API overhead over the engine: median {:.2} ms, p95 {:.2} ms",
        overhead[overhead.len() / 2].as_secs_f64() * 1e3,
        overhead[overhead.len() * 95 / 100].as_secs_f64() * 1e3
    );
    // A crowd: 64 clients asking the query set over and over, each search made afresh
    // (`Cache-Control: no-cache`: the server's kept answers would otherwise serve repeats).
    let clients = env_usize("BENCH_CLIENTS", 64);
    let per_client = env_usize("BENCH_CROWD_SEARCHES", 6_400) / clients;
    let crowd = tests::bench::load(clients, per_client, reqwest::StatusCode::OK, {
        let (client, url, asked) = (client.clone(), app.url("/api/v1/search"), asked.clone());
        move |c, i| {
            client
                .get(&url)
                .query(&asked[(c + i) % asked.len()])
                .header("cache-control", "no-cache")
        }
    })
    .await;
    crowd.report(&format!(
        "HTTP API, {clients} clients, the query set made afresh"
    ));
    println!("per query (engine p50, matches):");
    for (name, mut samples, total) in per_query {
        samples.sort();
        println!(
            "  {name:<44} {:>7.2} ms  {total:>7} hits",
            samples[samples.len() / 2].as_secs_f64() * 1e3
        );
    }
}
