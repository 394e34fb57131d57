//! Small helpers shared by the benchmarks in `tests/benches/`: sizes from the environment,
//! memory readings, an HTTP load of many keep-alive clients, and the vocabulary their text
//! generators draw from.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use reqwest::StatusCode;

/// A size from the environment (`BENCH_COMMENTS=...`), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A memory figure of this process in MiB from `/proc/self/status`: `"VmRSS:"` (now) or
/// `"VmHWM:"` (peak). 0 where the file is missing.
pub fn memory_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The `p` quantile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Peak RSS of a process, in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    process_memory_mib(pid, "VmHWM:")
}

/// RSS of a process now, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    process_memory_mib(pid, "VmRSS:")
}

/// A process's RSS now and what it is made of: anonymous memory (the heap) and file-backed
/// pages (the search index's memory-mapped files, which the kernel may drop and read again).
pub fn rss_parts(pid: u32) -> String {
    format!(
        "RSS {:.0} MiB (anonymous {:.0} MiB, file-backed {:.0} MiB)",
        process_memory_mib(pid, "VmRSS:"),
        process_memory_mib(pid, "RssAnon:"),
        process_memory_mib(pid, "RssFile:")
    )
}

/// A memory figure (`"VmRSS:"`, `"VmHWM:"`) of a process from `/proc/<pid>/status`, in MiB.
fn process_memory_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

pub struct Load {
    pub ok: usize,
    pub others: BTreeMap<String, usize>,
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Load {
    pub fn report(&self, what: &str) {
        let rate = self.ok as f64 / self.elapsed.as_secs_f64();
        println!(
            "{what}: {} in {:.2} s = {rate:.0}/s; p50 {:.2} ms, p99 {:.2} ms; other answers: {:?}",
            self.ok,
            self.elapsed.as_secs_f64(),
            percentile(&self.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3,
            self.others
        );
    }
}

/// `clients` tasks, each sending `per_client` requests made by `request(client, i)` in turn.
pub async fn load(
    clients: usize,
    per_client: usize,
    expect: StatusCode,
    request: impl Fn(usize, usize) -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
) -> Load {
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                let (mut ok, mut others) = (0, BTreeMap::<String, usize>::new());
                for i in 0..per_client {
                    let t = Instant::now();
                    let r = request(c, i).send().await;
                    let answer = match r {
                        Ok(resp) => {
                            let status = resp.status();
                            let _ = resp.bytes().await;
                            status
                        }
                        Err(_) => StatusCode::from_u16(599).unwrap(),
                    };
                    latencies.push(t.elapsed());
                    if answer == expect {
                        ok += 1;
                    } else {
                        *others.entry(answer.to_string()).or_default() += 1;
                    }
                }
                (ok, others, latencies)
            })
        })
        .collect();
    let mut all = Load {
        ok: 0,
        others: BTreeMap::new(),
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (ok, others, latencies) = t.await.unwrap();
        all.ok += ok;
        for (k, v) in others {
            *all.others.entry(k).or_default() += v;
        }
        all.latencies.extend(latencies);
    }
    all.elapsed = started.elapsed();
    all.latencies.sort();
    all
}

/// Thai nouns of legislative texts, most frequent first where a generator weights them.
pub const THAI_NOUNS: &[&str] = &[
    "ข้อมูล",
    "ส่วนบุคคล",
    "คุ้มครอง",
    "ผู้ประกอบการ",
    "ขนาดย่อม",
    "ค่าธรรมเนียม",
    "ใบอนุญาต",
    "พนักงานเจ้าหน้าที่",
    "คณะกรรมการ",
    "สิ่งแวดล้อม",
    "ฝุ่นละออง",
    "มลพิษ",
    "ผู้บริโภค",
    "การคืนเงิน",
    "ตลาดออนไลน์",
    "แรงงาน",
    "แพลตฟอร์ม",
    "ประชาชน",
    "สิทธิ",
    "หน้าที่",
    "โทษปรับ",
    "จำคุก",
    "ระยะเวลา",
    "บังคับใช้",
    "ภาระ",
    "ต้นทุน",
    "ความปลอดภัย",
    "สุขภาพ",
    "การขนส่ง",
    "รถยนต์",
    "ควัน",
    "ดีเซล",
    "มาตรฐาน",
    "การตรวจสอบ",
    "รายงาน",
    "เปิดเผย",
    "ความยินยอม",
    "ผู้เยาว์",
    "ผู้ปกครอง",
    "ระบบอัตโนมัติ",
    "ปัญญาประดิษฐ์",
    "การตัดสินใจ",
    "ทบทวน",
    "ชดเชย",
    "ค่าเสียหาย",
    "ร้องเรียน",
    "ไกล่เกลี่ย",
    "ท้องถิ่น",
    "จังหวัด",
    "ชุมชน",
];

/// More Thai nouns (taxes, schools, hospitals, floods, land...), after [`THAI_NOUNS`].
pub const THAI_MORE_NOUNS: &[&str] = &[
    "เกษตรกร",
    "ภาษี",
    "งบประมาณ",
    "โรงเรียน",
    "นักเรียน",
    "โรงพยาบาล",
    "น้ำท่วม",
    "ภัยแล้ง",
    "ป่าไม้",
    "ที่ดิน",
];

/// English nouns and adjectives of legislative texts.
pub const ENGLISH_NOUNS: &[&str] = &[
    "privacy",
    "personal",
    "data",
    "protection",
    "business",
    "small",
    "fee",
    "licence",
    "officer",
    "committee",
    "environment",
    "dust",
    "pollution",
    "consumer",
    "refund",
    "online",
    "marketplace",
    "labour",
    "platform",
    "citizen",
    "rights",
    "duty",
    "penalty",
    "fine",
    "imprisonment",
    "period",
    "enforcement",
    "burden",
    "cost",
    "safety",
    "health",
    "transport",
    "diesel",
    "standard",
    "inspection",
    "report",
    "disclosure",
    "consent",
    "minor",
    "guardian",
    "automated",
    "decision",
    "review",
    "compensation",
    "complaint",
    "mediation",
];

/// Through the API of a running server, as `officer`: a published draft (`SAMPLE_BODY`) and a
/// consultation on it, open now for 30 days. Answers (draft id, consultation id).
pub async fn open_hearing(
    client: &reqwest::Client,
    served: &crate::serve::Served,
    officer: &str,
) -> (i64, i64) {
    let created = |r: reqwest::Response| async move {
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let draft = created(
        client
            .post(served.url("/api/v1/drafts"))
            .bearer_auth(officer)
            .json(&serde_json::json!({"title_th": "ร่างพระราชบัญญัติทดสอบ", "law_type": "act", "body_markdown": crate::SAMPLE_BODY}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let now = chrono::Utc::now();
    let consultation = created(
        client
            .post(served.url(&format!("/api/v1/drafts/{draft}/consultations")))
            .bearer_auth(officer)
            .json(&serde_json::json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + chrono::Duration::days(30)).to_rfc3339()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    (draft, consultation)
}
