//! Campaign clustering benchmark: generates public comments in which about a quarter belong to
//! 20 planted campaigns of various sizes (half of them sent verbatim, half lightly edited: a
//! word changed, added or removed, other spacing and punctuation) and the rest are unique
//! (80 % Thai sentences written without spaces between words, 20 % English, 8-60 words from a
//! vocabulary), then times `campaigns::cluster` over all of them and reports wall time, the
//! process's peak memory, and how well the planted campaigns were recovered.
//!
//! Run: `cargo bench -p tests --bench clustering`. `BENCH_COMMENTS` (default 1000000) and
//! `BENCH_THREADS` (default: all cores) change the size and the threads.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Instant;
use tests::bench::{ENGLISH_NOUNS, THAI_MORE_NOUNS, THAI_NOUNS, env_usize, memory_mib};

use domain::campaigns::{ClusterInput, ClusterParams, cluster_with_threads};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng, rngs::StdRng};

static THAI: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let glue: &[&str] = &[
        "ควร",
        "ต้อง",
        "ไม่ควร",
        "เห็นด้วยกับ",
        "ไม่เห็นด้วยกับ",
        "ขอให้",
        "และ",
        "หรือ",
        "ของ",
        "เพื่อ",
        "เพราะ",
    ];
    [THAI_NOUNS, THAI_MORE_NOUNS, glue].concat()
});
static ENGLISH: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let more: &[&str] = &[
        "farmer", "tax", "budget", "school", "hospital", "flood", "the", "should", "must", "not",
        "and", "of", "for", "we",
    ];
    [ENGLISH_NOUNS, more].concat()
});

/// Planted campaigns: (size, lightly edited?).
const CAMPAIGNS: &[(usize, bool)] = &[
    (60_000, false),
    (45_000, true),
    (30_000, true),
    (25_000, false),
    (20_000, true),
    (15_000, false),
    (12_000, true),
    (10_000, false),
    (8_000, true),
    (6_000, false),
    (5_000, true),
    (4_000, false),
    (3_000, true),
    (2_000, false),
    (1_500, true),
    (1_000, false),
    (800, true),
    (500, false),
    (300, true),
    (100, false),
];

fn words(rng: &mut StdRng, thai: bool, n: usize) -> Vec<&'static str> {
    let vocab: &[&'static str] = if thai { &THAI } else { &ENGLISH };
    (0..n).map(|_| *vocab.choose(rng).unwrap()).collect()
}

/// Thai: phrases of 2-6 words written together, separated by spaces; English: spaces.
fn render(rng: &mut StdRng, thai: bool, words: &[&str]) -> String {
    if !thai {
        return words.join(" ");
    }
    let mut s = String::new();
    let (mut in_phrase, mut phrase) = (0, rng.random_range(2..=6));
    for w in words {
        if in_phrase == phrase {
            s.push(' ');
            in_phrase = 0;
            phrase = rng.random_range(2..=6);
        }
        s.push_str(w);
        in_phrase += 1;
    }
    s
}

/// A light edit: one or two words changed, added or removed, and other punctuation.
fn edit(rng: &mut StdRng, thai: bool, base: &[&'static str]) -> String {
    let vocab: &[&'static str] = if thai { &THAI } else { &ENGLISH };
    let mut w = base.to_vec();
    for _ in 0..rng.random_range(1..=2) {
        let i = rng.random_range(0..w.len());
        match rng.random_range(0..3) {
            0 => w[i] = vocab.choose(rng).unwrap(),
            1 => w.insert(i, vocab.choose(rng).unwrap()),
            _ => {
                w.remove(i);
            }
        }
    }
    let mut s = render(rng, thai, &w);
    if rng.random_bool(0.5) {
        s = s.replace(' ', "  ");
    }
    if rng.random_bool(0.5) {
        s.push_str(if thai { " ครับ!!" } else { "!!" });
    }
    s
}

fn main() {
    let n = env_usize("BENCH_COMMENTS", 1_000_000);
    let threads = env_usize(
        "BENCH_THREADS",
        std::thread::available_parallelism().map_or(1, |t| t.get()),
    );
    let mut rng = StdRng::seed_from_u64(2569);
    let t = Instant::now();

    // Campaign texts are scaled down with the input size.
    let scale = n as f64 / 1_000_000.0;
    let mut inputs: Vec<(usize, String)> = Vec::with_capacity(n); // (campaign + 1 or 0, body)
    for (k, &(size, edited)) in CAMPAIGNS.iter().enumerate() {
        let size = ((size as f64 * scale) as usize).max(2);
        let thai = k % 4 != 3;
        let len = rng.random_range(30..80);
        let base = words(&mut rng, thai, len);
        let verbatim = render(&mut rng, thai, &base);
        for _ in 0..size {
            let body = if edited && rng.random_bool(0.7) {
                edit(&mut rng, thai, &base)
            } else {
                verbatim.clone()
            };
            inputs.push((k + 1, body));
        }
    }
    let planted = inputs.len();
    while inputs.len() < n {
        let thai = rng.random_bool(0.8);
        let len = rng.random_range(8..=60);
        let w = words(&mut rng, thai, len);
        inputs.push((0, render(&mut rng, thai, &w)));
    }
    inputs.shuffle(&mut rng);
    let truth: HashMap<i64, usize> = inputs
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (i as i64 + 1, *k))
        .collect();
    let comments: Vec<ClusterInput> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, (_, body))| ClusterInput {
            id: i as i64 + 1,
            body,
        })
        .collect();
    let bytes: usize = comments.iter().map(|c| c.body.len()).sum();
    println!(
        "generated {n} comments ({:.0} MB of bodies): {planted} in {} campaigns (half edited), {} unique, in {:.1} s",
        bytes as f64 / 1e6,
        CAMPAIGNS.len(),
        n - planted,
        t.elapsed().as_secs_f64()
    );
    let rss_before = memory_mib("VmRSS:");
    println!(
        "memory before clustering: RSS {rss_before:.0} MiB (the comments themselves), peak so far {:.0} MiB",
        memory_mib("VmHWM:")
    );

    let t = Instant::now();
    let clusters = cluster_with_threads(&comments, ClusterParams::default(), threads);
    let elapsed = t.elapsed();
    let peak = memory_mib("VmHWM:");
    let clustered: usize = clusters.iter().map(|c| c.member_ids.len()).sum();
    println!(
        "cluster({threads} threads): {:.2} s wall, {:.0} comments/s; peak RSS {peak:.0} MiB \
         (+{:.0} MiB over the comments)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        peak - rss_before
    );
    println!(
        "found {} clusters holding {clustered} comments; {} unique",
        clusters.len(),
        n - clustered
    );

    // Recovery of the planted campaigns.
    let mut false_merges = 0usize;
    let mut best: HashMap<usize, usize> = HashMap::new();
    for c in &clusters {
        let mut by_campaign: HashMap<usize, usize> = HashMap::new();
        for id in &c.member_ids {
            *by_campaign.entry(truth[id]).or_default() += 1;
        }
        false_merges += by_campaign.get(&0).copied().unwrap_or(0);
        for (&k, &count) in &by_campaign {
            if k > 0 {
                let b = best.entry(k).or_default();
                *b = (*b).max(count);
            }
        }
        if by_campaign.keys().filter(|&&k| k > 0).count() > 1 {
            println!(
                "  cluster of {} mixes campaigns {:?}",
                c.member_ids.len(),
                by_campaign
            );
        }
    }
    let mut recovered = 0usize;
    for (k, &(size, edited)) in CAMPAIGNS.iter().enumerate() {
        let size = ((size as f64 * scale) as usize).max(2);
        let got = best.get(&(k + 1)).copied().unwrap_or(0);
        recovered += got;
        if got != size {
            println!(
                "  campaign {} ({size}, {}): largest cluster holds {got}",
                k + 1,
                if edited { "edited" } else { "verbatim" }
            );
        }
    }
    println!(
        "planted campaigns recovered: {recovered} of {planted} comments in their campaign's largest cluster \
         ({:.4} %); unique comments wrongly clustered: {false_merges}",
        100.0 * recovered as f64 / planted.max(1) as f64
    );
}
