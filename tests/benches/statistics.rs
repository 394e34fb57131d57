//! Feedback statistics benchmark: generates public comments (80 % Thai sentences of legislative
//! vocabulary written without spaces between words, 20 % English; 5-30 words; skewed stances,
//! respondent types, provinces, provisions, channels and answers over a 30-day consultation) and
//! times, over the same rows:
//!
//! * (a) `Statistics::from_comments` (and the same on all cores, `from_comments_parallel`);
//! * (b) the reference: one plain pass counting the GROUP BY columns (stance, respondent type,
//!   province, provision, channel, day, question answers) in hash maps, with no term extraction
//!   (what one SQL `GROUP BY` over the rows computes);
//! * (c) the reference plus content-word document frequencies, once with `text::words::words`
//!   and a set per comment (the obvious way), once with `text::terms::TermExtractor`;
//! * (d) incremental: the mean time of `Statistics::add` for extra comments onto the snapshot;
//! * (e) in a real database (the test database: SQLite, or PostgreSQL with `TEST_DATABASE_URL`)
//!   holding the same rows: the reference, one SQL `GROUP BY` over the consultation's comments
//!   (stance, respondent type, province, provision, channel, day), against the worker's own
//!   recount (`aggregate::update` with `rebuild`), which reads the rows and counts everything
//!   including the terms; once with the terms kept at ingest, once without (the old way).
//!
//! Comments keep their content words from ingest (`stats::comment_terms`, timed here as the
//! per-comment ingest cost), so (a) counts kept terms as the worker does.
//!
//! Run: `cargo bench -p tests --bench statistics`. `BENCH_COMMENTS` (default 1000000),
//! `BENCH_EXTRA` (default 10000) and `BENCH_DB_COMMENTS` (default: all) change the sizes.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::{Duration, Instant};
use tests::bench::{ENGLISH_NOUNS, THAI_MORE_NOUNS, THAI_NOUNS, env_usize};

use domain::entity::{account, comment, statistics};
use domain::stats::{AnswerFacts, CommentFacts, Statistics, comment_terms, terms_version};
use domain::text::{terms::TermExtractor, words::words};
use rand::distr::{Distribution, weighted::WeightedIndex};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{ConnectionTrait, EntityTrait, Set, Statement, sea_query::Expr};

/// The Thai vocabulary, most frequent first (picked with Zipf weights).
static THAI: LazyLock<Vec<&str>> = LazyLock::new(|| [THAI_NOUNS, THAI_MORE_NOUNS].concat());
const THAI_GLUE: &[&str] = &[
    "ควร",
    "ต้อง",
    "ไม่ควร",
    "เห็นด้วยกับ",
    "ไม่เห็นด้วยกับ",
    "ขอให้",
    "และ",
    "หรือ",
    "ของ",
    "ใน",
    "เพื่อ",
    "ที่",
    "การ",
    "เพราะ",
];
static ENGLISH: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let function_words: &[&str] = &[
        "the", "should", "must", "not", "and", "of", "for", "we", "this", "is", "too", "high",
    ];
    [ENGLISH_NOUNS, function_words].concat()
});
const PROVINCES: &[&str] = &[
    "กรุงเทพมหานคร",
    "เชียงใหม่",
    "ขอนแก่น",
    "นครราชสีมา",
    "ชลบุรี",
    "สงขลา",
    "ภูเก็ต",
    "นนทบุรี",
    "ปทุมธานี",
    "สมุทรปราการ",
    "อุดรธานี",
    "เชียงราย",
    "พิษณุโลก",
    "นครศรีธรรมราช",
    "สุราษฎร์ธานี",
    "อุบลราชธานี",
    "ระยอง",
    "ลำปาง",
    "ยะลา",
    "น่าน",
];

/// Picks from `items` with Zipf-like weights 1/(rank+1).
struct Zipf<'a> {
    items: &'a [&'a str],
    index: WeightedIndex<f64>,
}

impl<'a> Zipf<'a> {
    fn new(items: &'a [&'a str]) -> Self {
        let weights: Vec<f64> = (0..items.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        Zipf {
            items,
            index: WeightedIndex::new(weights).unwrap(),
        }
    }
    fn pick(&self, rng: &mut StdRng) -> &'a str {
        self.items[self.index.sample(rng)]
    }
}

fn weighted<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total);
    for (item, w) in items {
        if r < *w {
            return item;
        }
        r -= w;
    }
    items[0].0
}

/// A body of `n` words: Thai phrases of 2-6 words without spaces inside, separated by spaces,
/// or English words with spaces and some punctuation.
fn body(rng: &mut StdRng, thai_words: &Zipf<'_>) -> String {
    let n = rng.random_range(5..=30);
    let mut s = String::new();
    if rng.random_bool(0.8) {
        let mut in_phrase = 0;
        let mut phrase_len = rng.random_range(2..=6);
        for i in 0..n {
            if in_phrase == phrase_len {
                s.push(' ');
                in_phrase = 0;
                phrase_len = rng.random_range(2..=6);
            }
            s.push_str(if i % 3 == 1 {
                THAI_GLUE.choose(rng).unwrap()
            } else {
                thai_words.pick(rng)
            });
            in_phrase += 1;
        }
        if rng.random_bool(0.1) {
            s.push_str(&format!(" มาตรา {}", rng.random_range(1..40)));
        }
    } else {
        for i in 0..n {
            if i > 0 {
                s.push_str(if rng.random_bool(0.1) { ", " } else { " " });
            }
            s.push_str(ENGLISH.choose(rng).unwrap());
        }
        s.push('.');
    }
    s
}

fn comments(count: usize, first_id: i64, seed: u64) -> Vec<CommentFacts> {
    let mut rng = StdRng::seed_from_u64(seed);
    let thai_words = Zipf::new(&THAI);
    let provinces = Zipf::new(PROVINCES);
    let start = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
    (0..count)
        .map(|i| {
            let day = rng.random_range(0..30i64);
            // More comments in the Thai daytime.
            let hour = (rng.random_range(0..16) + rng.random_range(0..9) + 17) % 24;
            let received_at =
                start + day * 86_400_000 + hour * 3_600_000 + rng.random_range(0..3_600_000);
            let mut answers = Vec::new();
            if rng.random_bool(0.6) {
                answers.push(AnswerFacts {
                    question_id: "q1".into(),
                    choice: Some(
                        weighted(&mut rng, &[("yes", 5), ("no", 4), ("unsure", 1)]).into(),
                    ),
                    ..Default::default()
                });
            }
            if rng.random_bool(0.5) {
                answers.push(AnswerFacts {
                    question_id: "q2".into(),
                    scale: Some(rng.random_range(1..=5)),
                    ..Default::default()
                });
            }
            if rng.random_bool(0.3) {
                let options = ["cost", "privacy", "enforcement", "timeline", "other"];
                let picked: Vec<String> = options
                    .iter()
                    .filter(|_| rng.random_bool(0.4))
                    .map(|s| s.to_string())
                    .collect();
                answers.push(AnswerFacts {
                    question_id: "q3".into(),
                    choices: Some(picked),
                    ..Default::default()
                });
            }
            if rng.random_bool(0.1) {
                answers.push(AnswerFacts {
                    question_id: "q4".into(),
                    text: Some("ควรขยายระยะเวลาบังคับใช้".into()),
                    ..Default::default()
                });
            }
            CommentFacts {
                id: first_id + i as i64,
                stance: weighted(
                    &mut rng,
                    &[("support", 45), ("oppose", 35), ("neutral", 20)],
                )
                .into(),
                respondent_type: weighted(
                    &mut rng,
                    &[
                        ("individual", 80),
                        ("organisation", 10),
                        ("business", 6),
                        ("government", 4),
                    ],
                )
                .into(),
                province: rng
                    .random_bool(0.85)
                    .then(|| provinces.pick(&mut rng).to_string()),
                provision_id: rng
                    .random_bool(0.6)
                    .then(|| format!("s{}", rng.random_range(1..=40))),
                channel: weighted(&mut rng, &[("web", 85), ("api", 5), ("offline", 10)]).into(),
                received_at,
                answers,
                body: body(&mut rng, &thai_words),
                terms: None,
            }
        })
        .collect()
}

/// The GROUP BY columns, counted the plain way.
#[derive(Default)]
struct Reference<'a> {
    total: u64,
    by_stance: HashMap<&'a str, u64>,
    by_respondent_type: HashMap<&'a str, u64>,
    by_province: HashMap<&'a str, u64>,
    by_provision: HashMap<&'a str, u64>,
    by_channel: HashMap<&'a str, u64>,
    by_day: HashMap<i64, u64>,
    answers: HashMap<(&'a str, &'a str), u64>,
    scale: HashMap<(&'a str, i32), u64>,
    max_id: i64,
}

impl<'a> Reference<'a> {
    fn add(&mut self, c: &'a CommentFacts) {
        self.total += 1;
        *self.by_stance.entry(&c.stance).or_default() += 1;
        *self
            .by_respondent_type
            .entry(&c.respondent_type)
            .or_default() += 1;
        *self
            .by_province
            .entry(c.province.as_deref().unwrap_or(""))
            .or_default() += 1;
        *self
            .by_provision
            .entry(c.provision_id.as_deref().unwrap_or(""))
            .or_default() += 1;
        *self.by_channel.entry(&c.channel).or_default() += 1;
        *self
            .by_day
            .entry((c.received_at + 7 * 3_600_000).div_euclid(86_400_000))
            .or_default() += 1;
        for a in &c.answers {
            if let Some(choice) = &a.choice {
                *self.answers.entry((&a.question_id, choice)).or_default() += 1;
            }
            for choice in a.choices.iter().flatten() {
                *self.answers.entry((&a.question_id, choice)).or_default() += 1;
            }
            if let Some(s) = a.scale {
                *self.scale.entry((&a.question_id, s)).or_default() += 1;
            }
        }
        self.max_id = self.max_id.max(c.id);
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let n = env_usize("BENCH_COMMENTS", 1_000_000);
    let extra_n = env_usize("BENCH_EXTRA", 10_000);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());

    let t = Instant::now();
    let all = comments(n, 1, 2568);
    let extra = comments(extra_n, n as i64 + 1, 2569);
    let bytes: usize = all.iter().map(|c| c.body.len()).sum();
    let thai = all
        .iter()
        .filter(|c| {
            c.body
                .chars()
                .any(|ch| ('\u{0E00}'..='\u{0E7F}').contains(&ch))
        })
        .count();
    println!(
        "generated {n} comments ({:.1} MB of bodies, {:.0} % Thai) + {extra_n} extra in {:.1} s",
        bytes as f64 / 1e6,
        100.0 * thai as f64 / n.max(1) as f64,
        secs(t.elapsed())
    );

    // What ingest does once per comment: keep its content words.
    let t = Instant::now();
    let all: Vec<CommentFacts> = all
        .into_iter()
        .map(|c| CommentFacts {
            terms: Some(comment_terms(&c.body)),
            ..c
        })
        .collect();
    let ingest_time = t.elapsed();
    println!(
        "    terms kept at ingest: {:.1} µs per comment",
        ingest_time.as_secs_f64() * 1e6 / n.max(1) as f64
    );

    // (b) reference: GROUP BY columns only.
    let t = Instant::now();
    let mut reference = Reference::default();
    for c in &all {
        reference.add(c);
    }
    let ref_time = t.elapsed();
    black_box(&reference);
    println!(
        "(b) reference GROUP BY pass (no terms):         {:>7.3} s  {:>10.0} comments/s",
        secs(ref_time),
        n as f64 / secs(ref_time)
    );

    // (c) reference + terms, the obvious way: words() and a set per comment.
    let t = Instant::now();
    let mut reference = Reference::default();
    let mut terms: HashMap<String, u64> = HashMap::new();
    for c in &all {
        reference.add(c);
        let distinct: HashSet<String> = words(&c.body)
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && w.chars().any(char::is_alphabetic))
            .collect();
        for w in distinct {
            *terms.entry(w).or_default() += 1;
        }
    }
    let naive_time = t.elapsed();
    black_box((&reference, &terms));
    println!(
        "(c) reference + terms via text::words():        {:>7.3} s  {:>10.0} comments/s",
        secs(naive_time),
        n as f64 / secs(naive_time)
    );

    // (c') reference + terms with the reusable extractor.
    let t = Instant::now();
    let mut reference = Reference::default();
    let mut terms: HashMap<String, u64> = HashMap::new();
    let mut extractor = TermExtractor::new();
    for c in &all {
        reference.add(c);
        extractor.distinct_terms(&c.body, |w| match terms.get_mut(w) {
            Some(n) => *n += 1,
            None => {
                terms.insert(w.to_string(), 1);
            }
        });
    }
    let terms_time = t.elapsed();
    black_box((&reference, &terms));
    println!(
        "(c') reference + terms via TermExtractor:       {:>7.3} s  {:>10.0} comments/s",
        secs(terms_time),
        n as f64 / secs(terms_time)
    );

    // (a) the module, counting the kept terms (as the worker does).
    let t = Instant::now();
    let stats = Statistics::from_comments(&all);
    let stats_time = t.elapsed();
    println!(
        "(a) Statistics::from_comments:                  {:>7.3} s  {:>10.0} comments/s  = {:.1}x reference, {:.2}x (c')",
        secs(stats_time),
        n as f64 / secs(stats_time),
        secs(stats_time) / secs(ref_time),
        secs(stats_time) / secs(terms_time)
    );

    let t = Instant::now();
    let parallel = Statistics::from_comments_parallel(&all, threads);
    let parallel_time = t.elapsed();
    assert_eq!(parallel, stats, "parallel statistics differ");
    println!(
        "(a) Statistics::from_comments_parallel({threads}):      {:>7.3} s  {:>10.0} comments/s  = {:.1}x reference",
        secs(parallel_time),
        n as f64 / secs(parallel_time),
        secs(parallel_time) / secs(ref_time)
    );
    assert_eq!(stats.total, n as u64);
    let top: Vec<String> = stats
        .top_terms(5)
        .into_iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    println!(
        "    {} days, {} provinces, {} distinct terms; top: {}",
        stats.by_day.len(),
        stats.by_province.len(),
        stats.terms.len(),
        top.join(", ")
    );

    // (d) incremental adds onto the snapshot.
    let mut snapshot = stats.clone();
    let t = Instant::now();
    for c in &extra {
        snapshot.add(c);
    }
    let add_time = t.elapsed();
    assert_eq!(snapshot.total, (n + extra_n) as u64);
    println!(
        "(d) incremental add (segmenting), {extra_n} onto {n}: {:>7.1} µs per comment ({:.3} s in all)",
        add_time.as_secs_f64() * 1e6 / extra_n.max(1) as f64,
        secs(add_time)
    );

    let db_n = env_usize("BENCH_DB_COMMENTS", n).min(n);
    if db_n > 0 {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(in_database(&all[..db_n], &extra));
    }
}

/// (e): the same rows in the real schema; one SQL GROUP BY against the worker's recount.
async fn in_database(comments: &[CommentFacts], extra: &[CommentFacts]) {
    let app = tests::spawn_app().await;
    let h = app.open_hearing("bench").await;
    let account_id = account::Entity::find()
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    let conn = &app.ctx.db.conn;
    let backend = conn.get_database_backend();
    let t = Instant::now();
    insert(&app, h.consultation_id, account_id, comments, "BENCH").await;
    println!(
        "(e) {:?}: loaded {} comments in {:.1} s",
        backend,
        comments.len(),
        secs(t.elapsed())
    );
    if backend == sea_orm::DbBackend::Postgres {
        conn.execute_unprepared("ANALYZE comments").await.unwrap();
    }

    let group_by = format!(
        "SELECT stance, respondent_type, province, provision_id, channel, \
                (received_at + 25200000) / 86400000 AS day, COUNT(*) AS n \
         FROM comments WHERE consultation_id = {} \
         GROUP BY stance, respondent_type, province, provision_id, channel, day",
        h.consultation_id
    );
    // Warm the cache once, then time the best of three.
    let mut best = Duration::MAX;
    let mut groups = 0;
    for _ in 0..4 {
        let t = Instant::now();
        groups = conn
            .query_all_raw(Statement::from_string(backend, group_by.clone()))
            .await
            .unwrap()
            .len();
        best = best.min(t.elapsed());
    }
    println!(
        "(e) reference: one SQL GROUP BY (6 columns, {groups} groups):      {:>7.3} s",
        secs(best)
    );

    let expected = Statistics::from_comments(comments);
    let mut recount = Duration::MAX;
    for _ in 0..2 {
        let t = Instant::now();
        domain::service::statistics::update_snapshot(
            &app.ctx.db,
            domain::ids::ConsultationId(h.consultation_id),
            true,
        )
        .await
        .unwrap();
        recount = recount.min(t.elapsed());
    }
    let row = statistics::Entity::find_by_id(h.consultation_id)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let mut stored: Statistics = serde_json::from_str(&row.data).unwrap();
    stored.last_comment_id = expected.last_comment_id; // row ids differ from generated ids
    assert_eq!(
        stored, expected,
        "the worker's recount differs from the in-memory one"
    );
    println!(
        "(e) worker recount, terms kept at ingest:          {:>7.3} s = {:.1}x the GROUP BY",
        secs(recount),
        secs(recount) / secs(best)
    );

    // The worker's incremental update: new comments onto the stored 1M snapshot (read the
    // snapshot, count the new rows, merge, write the snapshot back).
    let new_comments: Vec<CommentFacts> = extra[..extra.len().min(1000)]
        .iter()
        .map(|c| CommentFacts {
            terms: Some(comment_terms(&c.body)),
            ..c.clone()
        })
        .collect();
    insert(&app, h.consultation_id, account_id, &new_comments, "NEW").await;
    let t = Instant::now();
    domain::service::statistics::update_snapshot(
        &app.ctx.db,
        domain::ids::ConsultationId(h.consultation_id),
        false,
    )
    .await
    .unwrap();
    let incremental = t.elapsed();
    println!(
        "(e) worker update with {} new comments:         {:>7.3} s ({:.0} µs per new comment)",
        new_comments.len(),
        secs(incremental),
        incremental.as_secs_f64() * 1e6 / new_comments.len().max(1) as f64
    );

    comment::Entity::update_many()
        .col_expr(comment::Column::Terms, Expr::value(Option::<String>::None))
        .exec(conn)
        .await
        .unwrap();
    let t = Instant::now();
    domain::service::statistics::update_snapshot(
        &app.ctx.db,
        domain::ids::ConsultationId(h.consultation_id),
        true,
    )
    .await
    .unwrap();
    let old_way = t.elapsed();
    println!(
        "(e) worker recount, segmenting every body again:   {:>7.3} s = {:.1}x the GROUP BY",
        secs(old_way),
        secs(old_way) / secs(best)
    );
}

/// Inserts `comments` as rows of the consultation (tracking numbers `{prefix}-n`), 1,000 per
/// transaction.
async fn insert(
    app: &tests::TestApp,
    consultation_id: i64,
    account_id: i64,
    comments: &[CommentFacts],
    prefix: &str,
) {
    for (chunk_no, chunk) in comments.chunks(1000).enumerate() {
        let tx = app.ctx.db.write().await.unwrap();
        let rows = chunk.iter().enumerate().map(|(i, c)| {
            let answers: Vec<domain::types::Answer> = c
                .answers
                .iter()
                .map(|a| domain::types::Answer {
                    question_id: a.question_id.clone(),
                    choice: a.choice.clone(),
                    choices: a.choices.clone(),
                    scale: a.scale,
                    text: a.text.clone(),
                })
                .collect();
            comment::ActiveModel {
                consultation_id: Set(consultation_id),
                account_id: Set(account_id),
                provision_id: Set(c.provision_id.clone()),
                stance: Set(domain::types::Stance::parse(&c.stance).expect("a stance")),
                body: Set(c.body.clone()),
                answers: Set(answers.into()),
                respondent_type: Set(domain::types::RespondentType::parse(&c.respondent_type)
                    .expect("a respondent type")),
                organisation_name: Set(None),
                province: Set(c.province.clone()),
                publication: Set(domain::types::Publication::Anonymous),
                moderation_status: Set(domain::types::ModerationStatus::Published),
                channel: Set(domain::types::Channel::parse(&c.channel).expect("a channel")),
                tracking_number: Set(format!("{prefix}-{chunk_no}-{i}")),
                received_at: Set(c.received_at),
                content_hash: Set(String::new()),
                cluster_id: Set(None),
                notify: Set(false),
                terms_version: Set(c.terms.as_ref().map(|_| terms_version().to_string())),
                terms: Set(c.terms.clone()),
                ..Default::default()
            }
        });
        comment::Entity::insert_many(rows)
            .exec_without_returning(&*tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}
