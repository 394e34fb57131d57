//! Statistics of a consultation's public comments, exactly mergeable.
//!
//! [`Statistics`] is a bag of integer counters keyed by strings: totals by stance, respondent
//! type, province, provision, channel and day (Thailand time, UTC+7), per-question answer
//! counts, and the document frequency of content words. Every counter is a plain sum over
//! comments, so the statistics form a commutative monoid:
//!
//! * `add` of each comment one by one, `from_comments` over all of them, and `merge` of the
//!   statistics of any partition of the comments all give exactly the same value (no floats
//!   are stored; the only derived float, [`Statistics::scale_mean`], is computed on read);
//! * a snapshot can be kept (it serialises to JSON) and brought up to date by adding only the
//!   comments whose id is above [`Statistics::last_comment_id`].
//!
//! Content words are extracted by `text::terms` (the words of `text::words`, counted once per
//! comment, without numbers and stop words).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::text::terms::TermExtractor;

/// One answer to a structured question of the consultation's form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerFacts {
    pub question_id: String,
    /// Single choice.
    pub choice: Option<String>,
    /// Multiple choice (a choice listed twice counts once).
    pub choices: Option<Vec<String>>,
    /// Scale answer, 1 to 5; other values are ignored.
    pub scale: Option<i32>,
    /// Free text; counted when it is not blank.
    pub text: Option<String>,
}

/// What the statistics need to know about one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentFacts {
    pub id: i64,
    pub stance: String,
    pub respondent_type: String,
    pub province: Option<String>,
    pub provision_id: Option<String>,
    pub channel: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub received_at: i64,
    pub answers: Vec<AnswerFacts>,
    /// The text whose content words are counted (empty for comments whose words are not
    /// public). Read only when `terms` is `None`.
    pub body: String,
    /// The body's content words as [`comment_terms`] gives them, kept when the comment was
    /// received, so that counting never segments the same text twice. `None` makes the
    /// statistics extract them from `body`; both give the same counts.
    pub terms: Option<String>,
}

impl CommentFacts {
    /// These facts as the statistics read them.
    pub fn view(&self) -> CommentView<'_> {
        CommentView {
            id: self.id,
            received_at: self.received_at,
            stance: &self.stance,
            respondent_type: &self.respondent_type,
            province: self.province.as_deref().unwrap_or(""),
            provision_id: self.provision_id.as_deref().unwrap_or(""),
            channel: &self.channel,
            answers: self.answers.iter().map(AnswerView::from).collect(),
            terms: self.terms.as_deref(),
            body: &self.body,
        }
    }
}

/// What the statistics read of one comment, borrowed from where it is held: a
/// [`CommentFacts`], or a row read from the database without copying its text
/// (`service::summaries`).
#[derive(Debug, Clone, Default)]
pub struct CommentView<'a> {
    pub id: i64,
    /// Milliseconds since the Unix epoch, UTC.
    pub received_at: i64,
    pub stance: &'a str,
    pub respondent_type: &'a str,
    /// Empty: no province.
    pub province: &'a str,
    /// Empty: a comment on the whole draft.
    pub provision_id: &'a str,
    pub channel: &'a str,
    pub answers: Vec<AnswerView<'a>>,
    /// As [`CommentFacts::terms`].
    pub terms: Option<&'a str>,
    /// As [`CommentFacts::body`].
    pub body: &'a str,
}

/// One answer as the statistics read it; it deserialises from the JSON stored with a comment,
/// borrowing its strings where they hold no escapes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AnswerView<'a> {
    #[serde(borrow)]
    pub question_id: Cow<'a, str>,
    #[serde(borrow, default)]
    pub choice: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub choices: Option<Vec<Text<'a>>>,
    #[serde(default)]
    pub scale: Option<i32>,
    #[serde(borrow, default)]
    pub text: Option<Text<'a>>,
}

/// A string borrowed from the input when it can be (serde borrows a `Cow` only when it is not
/// inside an `Option` or a `Vec`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl<'a> From<&'a AnswerFacts> for AnswerView<'a> {
    fn from(a: &'a AnswerFacts) -> Self {
        let text = |s: &'a String| Text(Cow::Borrowed(s.as_str()));
        AnswerView {
            question_id: Cow::Borrowed(&a.question_id),
            choice: a.choice.as_ref().map(text),
            choices: a.choices.as_ref().map(|c| c.iter().map(text).collect()),
            scale: a.scale,
            text: a.text.as_ref().map(text),
        }
    }
}

/// Answer counts for one question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionStats {
    /// Answers given to the question.
    pub answered: u64,
    /// Times each choice was picked (single and multiple choice together).
    pub choices: BTreeMap<String, u64>,
    /// Counts of the scale values 1..=5.
    pub scale: [u64; 5],
    /// Non-blank free-text answers.
    pub texts: u64,
}

/// Counters over a set of comments; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub total: u64,
    pub by_stance: BTreeMap<String, u64>,
    pub by_respondent_type: BTreeMap<String, u64>,
    /// The `""` key counts comments without a province.
    pub by_province: BTreeMap<String, u64>,
    /// The `""` key counts comments on the whole draft.
    pub by_provision: BTreeMap<String, u64>,
    pub by_channel: BTreeMap<String, u64>,
    /// `YYYY-MM-DD` in Thailand time (UTC+7, no daylight saving).
    pub by_day: BTreeMap<String, u64>,
    pub questions: BTreeMap<String, QuestionStats>,
    /// Document frequency: in how many comments each content word appears.
    pub terms: BTreeMap<String, u64>,
    /// Highest comment id added (0 when none): the high-water mark for incremental updates.
    pub last_comment_id: i64,
}

impl Statistics {
    /// Counts one more comment (the statistics of that one comment, merged in).
    pub fn add(&mut self, c: &CommentFacts) {
        self.merge(&Statistics::from_comments([c]));
    }

    /// Adds the counts of `other` (statistics of other comments) to these.
    pub fn merge(&mut self, other: &Statistics) {
        if other.total == 0 && *other == Statistics::default() {
            return;
        }
        if self.total == 0 && *self == Statistics::default() {
            self.clone_from(other);
            return;
        }
        // An empty side has no high-water mark (its 0 is not an id).
        self.last_comment_id = match (self.total, other.total) {
            (0, _) => other.last_comment_id,
            (_, 0) => self.last_comment_id,
            _ => self.last_comment_id.max(other.last_comment_id),
        };
        self.total = self.total.saturating_add(other.total);
        merge_map(&mut self.by_stance, &other.by_stance);
        merge_map(&mut self.by_respondent_type, &other.by_respondent_type);
        merge_map(&mut self.by_province, &other.by_province);
        merge_map(&mut self.by_provision, &other.by_provision);
        merge_map(&mut self.by_channel, &other.by_channel);
        merge_map(&mut self.by_day, &other.by_day);
        merge_map(&mut self.terms, &other.terms);
        for (id, q) in &other.questions {
            match self.questions.get_mut(id) {
                Some(mine) => mine.merge(q),
                None => {
                    self.questions.insert(id.clone(), q.clone());
                }
            }
        }
    }

    /// Statistics of the given comments, in one pass.
    pub fn from_comments<'a>(comments: impl IntoIterator<Item = &'a CommentFacts>) -> Statistics {
        Statistics::from_views(comments.into_iter().map(CommentFacts::view))
    }

    /// Statistics of the given comments, in one pass.
    pub fn from_views<'a>(comments: impl IntoIterator<Item = CommentView<'a>>) -> Statistics {
        let mut acc = Accumulator::default();
        for c in comments {
            acc.add(&c);
        }
        acc.finish()
    }

    /// The same value as [`Statistics::from_comments`], computed on up to `threads` threads
    /// over contiguous slices of `comments` and merged (exact, since the counts are sums).
    pub fn from_comments_parallel(comments: &[CommentFacts], threads: usize) -> Statistics {
        let threads = threads.clamp(1, comments.len().max(1));
        if threads == 1 {
            return Statistics::from_comments(comments);
        }
        let chunk = comments.len().div_ceil(threads);
        let parts: Vec<Statistics> = std::thread::scope(|scope| {
            let handles: Vec<_> = comments
                .chunks(chunk)
                .map(|part| scope.spawn(move || Statistics::from_comments(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut total = Statistics::default();
        for part in &parts {
            total.merge(part);
        }
        total
    }

    /// The `n` most frequent content words, by count descending, then word ascending.
    pub fn top_terms(&self, n: usize) -> Vec<(String, u64)> {
        let mut all: Vec<(&String, u64)> = self.terms.iter().map(|(t, c)| (t, *c)).collect();
        let order =
            |a: &(&String, u64), b: &(&String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
        if n < all.len() {
            if n == 0 {
                return Vec::new();
            }
            all.select_nth_unstable_by(n - 1, order);
            all.truncate(n);
        }
        all.sort_unstable_by(order);
        all.into_iter().map(|(t, c)| (t.clone(), c)).collect()
    }

    /// Mean of a question's scale answers, `None` when there are none.
    pub fn scale_mean(q: &QuestionStats) -> Option<f64> {
        let count: u128 = q.scale.iter().map(|&c| u128::from(c)).sum();
        if count == 0 {
            return None;
        }
        let sum: u128 = (1u128..)
            .zip(q.scale.iter())
            .map(|(v, &c)| v * u128::from(c))
            .sum();
        Some(sum as f64 / count as f64)
    }
}

impl QuestionStats {
    fn merge(&mut self, other: &QuestionStats) {
        self.answered = self.answered.saturating_add(other.answered);
        merge_map(&mut self.choices, &other.choices);
        for (mine, theirs) in self.scale.iter_mut().zip(other.scale) {
            *mine = mine.saturating_add(theirs);
        }
        self.texts = self.texts.saturating_add(other.texts);
    }
}

fn merge_map(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        match into.get_mut(k.as_str()) {
            Some(mine) => *mine = mine.saturating_add(*v),
            None => {
                into.insert(k.clone(), *v);
            }
        }
    }
}

/// Calls `f` once for each distinct choice of an answer.
fn for_each_choice(a: &AnswerView<'_>, mut f: impl FnMut(&str)) {
    let single = a.choice.as_ref().map(|c| c.0.as_ref());
    if let Some(choice) = single {
        f(choice);
    }
    if let Some(choices) = &a.choices {
        for (i, choice) in choices.iter().enumerate() {
            let repeated = choices[..i].contains(choice) || single == Some(choice.0.as_ref());
            if !repeated {
                f(&choice.0);
            }
        }
    }
}

fn scale_index(a: &AnswerView<'_>) -> Option<usize> {
    match a.scale {
        Some(s @ 1..=5) => usize::try_from(s - 1).ok(),
        _ => None,
    }
}

fn has_text(a: &AnswerView<'_>) -> bool {
    a.text.as_ref().is_some_and(|t| !t.0.trim().is_empty())
}

const DAY_MS: i64 = 86_400_000;
/// Thailand is UTC+7 all year.
const THAI_OFFSET_MS: i64 = 7 * 3_600_000;

/// Days since 1970-01-01 of the Thailand calendar date of an instant.
pub fn thai_day(received_at_ms: i64) -> i64 {
    // Split first so that no input overflows.
    let days = received_at_ms.div_euclid(DAY_MS);
    let rest = received_at_ms.rem_euclid(DAY_MS) + THAI_OFFSET_MS;
    days + rest.div_euclid(DAY_MS)
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01, proleptic Gregorian calendar).
pub fn day_key(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The distinct content words of `body`, sorted, one per line: what a comment keeps (in
/// `comments.terms`) so that statistics count its words without segmenting it again.
pub fn comment_terms(body: &str) -> String {
    let mut out = String::new();
    TermExtractor::new().distinct_terms(body, |t| {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(t);
    });
    out
}

/// Raised by hand when the rules of [`comment_terms`] change in a way the probe of
/// [`terms_version`] might not show.
const TERMS_REVISION: u32 = 1;

/// Texts whose terms fingerprint the segmentation: legislative Thai, English, Thai digits and
/// every stop word, so a new dictionary or stop-word list changes the version.
const TERMS_PROBE: &[&str] = &[
    "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล ผู้ประกอบการต้องขอใบอนุญาตและชำระค่าธรรมเนียม",
    "คณะกรรมการมีอำนาจพิจารณาอนุญาตตามมาตรา ๕ และกำหนดโทษจำคุกหรือปรับสำหรับผู้ฝ่าฝืน",
    "หน่วยงานของรัฐควรรับฟังความคิดเห็นของประชาชนอย่างทั่วถึงก่อนการตรากฎหมาย",
    "วิสาหกิจชุมชนเห็นด้วยกับการลดภาระต้นทุนแต่ไม่เห็นด้วยกับระยะเวลาบังคับใช้",
    "The licence fee is too high for small businesses; privacy of personal data (2567).",
];

/// The version of the terms [`comment_terms`] gives: a manual revision and a fingerprint of
/// the terms of fixed texts. Terms kept with another version are not counted as kept, so
/// statistics never mix two segmentations after an upgrade.
pub fn terms_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        use sha2::{Digest as _, Sha256};
        let mut hash = Sha256::new();
        let stop_words = crate::text::words::STOP_WORDS.join(" ");
        for text in TERMS_PROBE.iter().copied().chain([stop_words.as_str()]) {
            hash.update(comment_terms(text).as_bytes());
            hash.update([0]);
        }
        format!("{TERMS_REVISION}-{}", &hex::encode(hash.finalize())[..16])
    });
    &VERSION
}

/// Calls `f` once for each distinct content word of a comment: from its kept terms, or else
/// extracted from its body.
fn for_each_term(c: &CommentView<'_>, extractor: &mut TermExtractor, f: impl FnMut(&str)) {
    match c.terms {
        Some(kept) => kept.split('\n').filter(|t| !t.is_empty()).for_each(f),
        None => extractor.distinct_terms(c.body, f),
    }
}

/// A small fast hasher (FxHash) for the private maps of a pass; keys are not adversarial
/// beyond making one pass slower.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0 ^ u64::from_le_bytes(b))
                .wrapping_mul(K)
                .rotate_left(26);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0 ^ u64::from_le_bytes(b) ^ rest.len() as u64)
                .wrapping_mul(K)
                .rotate_left(26);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0 ^ i)
            .wrapping_mul(0xf135_7aea_2e62_a9c5)
            .rotate_left(26);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn hbump(map: &mut FxMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(v) => *v = v.saturating_add(1),
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

fn into_btree(map: FxMap<String, u64>) -> BTreeMap<String, u64> {
    map.into_iter().collect()
}

#[derive(Default)]
struct QuestionAcc {
    answered: u64,
    choices: FxMap<String, u64>,
    scale: [u64; 5],
    texts: u64,
}

/// Counts comments one at a time ([`Accumulator::add`]) and gives their [`Statistics`]
/// ([`Accumulator::finish`]); `from_comments` in steps. It keeps the same counters in hash
/// maps (days as numbers) and turns them into [`Statistics`] once, at the end.
#[derive(Default)]
pub struct Accumulator {
    stats: Statistics,
    by_stance: FxMap<String, u64>,
    by_respondent_type: FxMap<String, u64>,
    by_province: FxMap<String, u64>,
    by_provision: FxMap<String, u64>,
    by_channel: FxMap<String, u64>,
    by_day: FxMap<i64, u64>,
    questions: FxMap<String, QuestionAcc>,
    terms: FxMap<String, u64>,
    extractor: TermExtractor,
}

impl Accumulator {
    pub fn add(&mut self, c: &CommentView<'_>) {
        let s = &mut self.stats;
        s.last_comment_id = if s.total == 0 {
            c.id
        } else {
            s.last_comment_id.max(c.id)
        };
        s.total = s.total.saturating_add(1);
        hbump(&mut self.by_stance, c.stance);
        hbump(&mut self.by_respondent_type, c.respondent_type);
        hbump(&mut self.by_province, c.province);
        hbump(&mut self.by_provision, c.provision_id);
        hbump(&mut self.by_channel, c.channel);
        let day = self.by_day.entry(thai_day(c.received_at)).or_default();
        *day = day.saturating_add(1);
        for a in &c.answers {
            let q = match self.questions.get_mut(a.question_id.as_ref()) {
                Some(q) => q,
                None => self.questions.entry(a.question_id.to_string()).or_default(),
            };
            q.answered = q.answered.saturating_add(1);
            for_each_choice(a, |choice| hbump(&mut q.choices, choice));
            if let Some(i) = scale_index(a) {
                q.scale[i] = q.scale[i].saturating_add(1);
            }
            if has_text(a) {
                q.texts = q.texts.saturating_add(1);
            }
        }
        let terms = &mut self.terms;
        for_each_term(c, &mut self.extractor, |t| hbump(terms, t));
    }

    pub fn finish(self) -> Statistics {
        let mut s = self.stats;
        s.by_stance = into_btree(self.by_stance);
        s.by_respondent_type = into_btree(self.by_respondent_type);
        s.by_province = into_btree(self.by_province);
        s.by_provision = into_btree(self.by_provision);
        s.by_channel = into_btree(self.by_channel);
        s.by_day = self
            .by_day
            .into_iter()
            .map(|(d, n)| (day_key(d), n))
            .collect();
        s.terms = into_btree(self.terms);
        s.questions = self
            .questions
            .into_iter()
            .map(|(id, q)| {
                let stats = QuestionStats {
                    answered: q.answered,
                    choices: into_btree(q.choices),
                    scale: q.scale,
                    texts: q.texts,
                };
                (id, stats)
            })
            .collect();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{
        terms::{for_each_word, normalize_into},
        words::{normalize, words},
    };
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "ข้อมูล",
        "ส่วนบุคคล",
        "คุ้มครอง",
        "ผู้ประกอบการ",
        "ค่าธรรมเนียม",
        "ไม่เห็นด้วย",
        "ควร",
        "และ",
        "มาตรา",
        "๕",
        "2567",
        "privacy",
        "Fee",
        "TOO",
        "high",
        "the",
        "data-protection",
        "a",
    ];

    fn day(ms: i64) -> String {
        day_key(thai_day(ms))
    }

    fn comment(id: i64, body: &str) -> CommentFacts {
        CommentFacts {
            id,
            stance: "support".into(),
            respondent_type: "individual".into(),
            province: None,
            provision_id: None,
            channel: "web".into(),
            received_at: 1_767_225_600_000,
            answers: Vec::new(),
            body: body.into(),
            terms: None,
        }
    }

    #[test]
    fn days_are_thai_dates() {
        // 2026-01-01T00:00:00Z is 07:00 in Bangkok.
        let jan1 = 1_767_225_600_000i64;
        let hour = 3_600_000i64;
        let cases = [
            (jan1, "2026-01-01"),
            (jan1 - 7 * hour, "2026-01-01"),     // 00:00 Bangkok
            (jan1 - 7 * hour - 1, "2025-12-31"), // 23:59:59.999 Bangkok
            (jan1 + 17 * hour - 1, "2026-01-01"),
            (jan1 + 17 * hour, "2026-01-02"),
            (0, "1970-01-01"),
            (-1, "1970-01-01"),
            (-7 * hour, "1970-01-01"),
            (-7 * hour - 1, "1969-12-31"),
            // 2024-02-28T17:00:00Z is the first moment of the leap day in Bangkok.
            (1_709_139_600_000, "2024-02-29"),
            (1_709_139_600_000 - 1, "2024-02-28"),
            // 2000-03-01T00:00:00+07:00.
            (951_843_600_000, "2000-03-01"),
        ];
        for (ms, expected) in cases {
            assert_eq!(day(ms), expected, "{ms}");
        }
        // Extreme instants do not overflow.
        assert!(!day(i64::MAX).is_empty());
        assert!(!day(i64::MIN).is_empty());
    }

    #[test]
    fn day_numbers_round_trip_through_the_calendar() {
        // Every day key of 1899-2101 is a valid, strictly increasing date.
        let mut previous = String::new();
        for d in -25_567..48_000 {
            let key = day_key(d);
            assert!(key > previous, "{key} after {previous}");
            let parts: Vec<u32> = key.split('-').map(|p| p.parse().unwrap()).collect();
            assert!(
                (1..=12).contains(&parts[1]) && (1..=31).contains(&parts[2]),
                "{key}"
            );
            previous = key;
        }
    }

    #[test]
    fn terms_of_a_thai_sentence() {
        let mut stats = Statistics::default();
        stats.add(&comment(
            1,
            "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. ๒๕๖๗ ควรคุ้มครองข้อมูลของผู้บริโภค",
        ));
        let terms: Vec<&str> = stats.terms.keys().map(String::as_str).collect();
        // Each word once per comment; the draft's name, ควร, ของ, the year and the
        // one-letter pieces of พ.ศ. are left out.
        assert_eq!(terms, ["ข้อมูล", "คุ้มครอง", "ผู้บริโภค", "ส่วนบุคคล"]);
        assert!(stats.terms.values().all(|&n| n == 1));

        stats.add(&comment(
            2,
            "ไม่เห็นด้วยกับโทษปรับ ๑๐,๐๐๐ บาท เพราะเป็นภาระต่อผู้ประกอบการขนาดย่อม",
        ));
        stats.add(&comment(3, "The FEE is too high: data protection, 2567."));
        stats.add(&comment(4, "ข้อมูลส่วนบุคคล"));
        assert_eq!(stats.terms["ข้อมูล"], 2);
        assert_eq!(stats.terms["ส่วนบุคคล"], 2);
        for word in [
            "โทษปรับ",
            "บาท",
            "ผู้ประกอบการ",
            "ขนาดย่อม",
            "ภาระ",
            "fee",
            "protection",
        ] {
            assert_eq!(stats.terms.get(word), Some(&1), "{word}");
        }
        for left_out in ["10", "000", "2567", "the", "is", "เป็น", "ต่อ", "เพราะ", "ไม่"]
        {
            assert!(!stats.terms.contains_key(left_out), "{left_out}");
        }
        assert_eq!(
            stats.top_terms(2),
            [("ข้อมูล".to_string(), 2), ("ส่วนบุคคล".to_string(), 2)]
        );
    }

    #[test]
    fn counters_answers_and_mean() {
        let mut c = comment(7, "");
        c.province = Some("เชียงใหม่".into());
        c.provision_id = Some("s3".into());
        c.answers = vec![
            AnswerFacts {
                question_id: "q1".into(),
                choice: Some("yes".into()),
                ..Default::default()
            },
            AnswerFacts {
                question_id: "q2".into(),
                choices: Some(vec!["a".into(), "b".into(), "a".into()]),
                scale: Some(4),
                text: Some("  ".into()),
                ..Default::default()
            },
            AnswerFacts {
                question_id: "q3".into(),
                scale: Some(9),
                text: Some("เห็นด้วย".into()),
                ..Default::default()
            },
        ];
        let mut other = comment(3, "");
        other.answers = vec![AnswerFacts {
            question_id: "q2".into(),
            scale: Some(1),
            ..Default::default()
        }];
        let stats = Statistics::from_comments([&c, &other]);
        assert_eq!(stats.total, 2);
        assert_eq!(stats.last_comment_id, 7);
        assert_eq!(stats.by_province["เชียงใหม่"], 1);
        assert_eq!(stats.by_province[""], 1);
        assert_eq!(stats.by_provision["s3"], 1);
        assert_eq!(stats.by_provision[""], 1);
        assert_eq!(stats.by_day["2026-01-01"], 2);
        assert_eq!(stats.questions["q1"].choices["yes"], 1);
        let q2 = &stats.questions["q2"];
        assert_eq!(q2.answered, 2);
        assert_eq!(q2.choices["a"], 1, "a choice listed twice counts once");
        assert_eq!(q2.scale, [1, 0, 0, 1, 0]);
        assert_eq!(q2.texts, 0, "blank text");
        assert_eq!(Statistics::scale_mean(q2), Some(2.5));
        let q3 = &stats.questions["q3"];
        assert_eq!(q3.scale, [0; 5], "out-of-range scale is ignored");
        assert_eq!(q3.texts, 1);
        assert_eq!(Statistics::scale_mean(q3), None);
    }

    #[test]
    fn answers_read_from_json_borrow_their_text_and_count_like_facts() {
        let json = r#"[{"question_id":"q1","choice":"yes","choices":["a","b\"c","a"]},
                       {"question_id":"q2","scale":4,"text":"  "},{"question_id":"q3","text":"ดี"}]"#;
        let answers: Vec<AnswerView<'_>> = serde_json::from_str(json).unwrap();
        assert!(matches!(answers[0].question_id, Cow::Borrowed("q1")));
        assert!(matches!(
            answers[0].choice,
            Some(Text(Cow::Borrowed("yes")))
        ));
        let choices = answers[0].choices.as_ref().unwrap();
        assert!(matches!(choices[0], Text(Cow::Borrowed("a"))));
        assert_eq!(choices[1].0, "b\"c", "an escaped string is read, as a copy");
        let facts: Vec<AnswerFacts> = serde_json::from_str(json).unwrap();
        let from_facts = Statistics::from_comments([&CommentFacts {
            answers: facts,
            ..comment(1, "")
        }]);
        let from_json = Statistics::from_views([CommentView {
            answers,
            ..comment(1, "").view()
        }]);
        assert_eq!(from_json, from_facts);
        assert_eq!(from_json.questions["q1"].choices["a"], 1);
        assert_eq!(from_json.questions["q2"].texts, 0);
        assert_eq!(from_json.questions["q3"].texts, 1);
    }

    #[test]
    fn the_terms_version_fingerprints_the_segmentation() {
        let version = terms_version();
        assert_eq!(version, terms_version());
        assert!(
            version.starts_with(&format!("{TERMS_REVISION}-")),
            "{version}"
        );
        assert_eq!(version.len(), format!("{TERMS_REVISION}-").len() + 16);
        // Only safe characters: the version is written into SQL as a literal.
        assert!(
            version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        );
        // The probe's terms are real content words, so a change in segmentation shows.
        let probe_terms = comment_terms(TERMS_PROBE[0]);
        assert!(probe_terms.lines().count() >= 5, "{probe_terms}");
    }

    #[test]
    fn top_terms_order_and_limits() {
        let mut stats = Statistics::default();
        for (t, n) in [("b", 3), ("a", 3), ("c", 5), ("d", 1)] {
            stats.terms.insert(t.into(), n);
        }
        let top = |n| -> Vec<String> { stats.top_terms(n).into_iter().map(|(t, _)| t).collect() };
        assert_eq!(top(10), ["c", "a", "b", "d"]);
        assert_eq!(top(2), ["c", "a"]);
        assert!(top(0).is_empty());
    }

    #[test]
    fn high_water_mark_with_negative_ids_and_empty_sides() {
        let a = Statistics::from_comments([&comment(-5, "x"), &comment(-3, "y")]);
        assert_eq!(a.last_comment_id, -3);
        let mut empty = Statistics::default();
        empty.merge(&a);
        assert_eq!(empty, a);
        let mut b = a.clone();
        b.merge(&Statistics::default());
        assert_eq!(b, a);
    }

    #[test]
    fn parallel_equals_sequential() {
        let comments: Vec<CommentFacts> = (0..101)
            .map(|i| comment(i, WORDS[i as usize % WORDS.len()]))
            .collect();
        let one = Statistics::from_comments(&comments);
        for threads in [0, 1, 2, 3, 7, 200] {
            assert_eq!(Statistics::from_comments_parallel(&comments, threads), one);
        }
        assert_eq!(
            Statistics::from_comments_parallel(&[], 4),
            Statistics::default()
        );
    }

    fn body_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (
                prop::sample::select(WORDS),
                prop::sample::select(&["", " ", "  ", ", ", ". ", "\n"][..]),
            ),
            0..25,
        )
        .prop_map(|parts| parts.into_iter().flat_map(|(w, sep)| [w, sep]).collect())
    }

    fn answer_strategy() -> impl Strategy<Value = AnswerFacts> {
        let choice = prop::option::of(prop::sample::select(vec!["yes", "no", "ไม่แน่ใจ"]));
        let choices = prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["a", "b", "c"]),
            0..4,
        ));
        let text = prop::option::of(prop::sample::select(vec!["", "  ", "ok", "ควรแก้ไข"]));
        (
            prop::sample::select(vec!["q1", "q2", "q3"]),
            choice,
            choices,
            prop::option::of(-1i32..8),
            text,
        )
            .prop_map(|(q, choice, choices, scale, text)| AnswerFacts {
                question_id: q.into(),
                choice: choice.map(Into::into),
                choices: choices.map(|c| c.into_iter().map(Into::into).collect()),
                scale,
                text: text.map(Into::into),
            })
    }

    fn comments_strategy() -> impl Strategy<Value = Vec<CommentFacts>> {
        let one = (
            1i64..1000,
            prop::sample::select(vec!["support", "oppose", "neutral"]),
            prop::sample::select(vec!["individual", "organisation", "business"]),
            prop::option::of(prop::sample::select(vec![
                "เชียงใหม่",
                "กรุงเทพมหานคร",
                "ยะลา",
            ])),
            prop::option::of(prop::sample::select(vec!["s1", "s2", "s10"])),
            prop::sample::select(vec!["web", "email", "hearing"]),
            // Three days around new year 2026 in Bangkok, to the millisecond.
            1_767_114_000_000i64..1_767_373_200_000,
            prop::collection::vec(answer_strategy(), 0..4),
            (body_strategy(), any::<bool>()),
        );
        (-500i64..500, prop::collection::vec(one, 0..40)).prop_map(|(first, items)| {
            let mut id = first;
            items
                .into_iter()
                .map(
                    |(
                        step,
                        stance,
                        rt,
                        province,
                        provision,
                        channel,
                        at,
                        answers,
                        (body, kept),
                    )| {
                        id += step;
                        // Some comments carry the terms kept at ingest, others only a body.
                        let terms = kept.then(|| comment_terms(&body));
                        CommentFacts {
                            id,
                            stance: stance.into(),
                            respondent_type: rt.into(),
                            province: province.map(Into::into),
                            provision_id: provision.map(Into::into),
                            channel: channel.into(),
                            received_at: at,
                            answers,
                            body,
                            terms,
                        }
                    },
                )
                .collect()
        })
    }

    fn mixed_text() -> impl Strategy<Value = String> {
        let pieces = vec![
            "ข้อมูล",
            "คุ้มครอง",
            "ก",
            "ๆ",
            "ฯ",
            "๏",
            "๕๐",
            "฿",
            "ไม่",
            "เสื้อ",
            "abc",
            "ABC",
            "a",
            "12",
            "12.5",
            "-",
            "_",
            ".",
            ", ",
            " ",
            "\t",
            "\n",
            "\u{a0}",
            "\u{200b}",
            "(",
            ")",
            "’",
            "'",
            "é",
            "Ж",
            "日本",
            "مرحبا",
            "😀",
            "+",
            "=",
            "$",
            "%",
            "/",
            "\u{0e31}",
            "\u{0e48}",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..30).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn adding_one_by_one_equals_from_comments(comments in comments_strategy()) {
            let all = Statistics::from_comments(&comments);
            let mut one_by_one = Statistics::default();
            for c in &comments {
                one_by_one.add(c);
            }
            prop_assert_eq!(&one_by_one, &all);
            prop_assert_eq!(all.total, comments.len() as u64);
            if let Some(last) = comments.last() {
                prop_assert_eq!(all.last_comment_id, last.id);
            }
        }

        #[test]
        fn kept_terms_count_the_same_as_segmenting_the_body(comments in comments_strategy()) {
            let kept: Vec<CommentFacts> = comments
                .iter()
                .map(|c| CommentFacts { terms: Some(comment_terms(&c.body)), ..c.clone() })
                .collect();
            let segmented: Vec<CommentFacts> = comments
                .iter()
                .map(|c| CommentFacts { terms: None, ..c.clone() })
                .collect();
            prop_assert_eq!(
                Statistics::from_comments(&kept),
                Statistics::from_comments(&segmented)
            );
        }

        #[test]
        fn merging_parts_equals_the_whole(comments in comments_strategy(), cut in 0usize..41) {
            let cut = cut.min(comments.len());
            let all = Statistics::from_comments(&comments);
            let (head, tail) = comments.split_at(cut);
            let mut merged = Statistics::from_comments(head);
            merged.merge(&Statistics::from_comments(tail));
            prop_assert_eq!(&merged, &all);
            // And the other way round.
            let mut reversed = Statistics::from_comments(tail);
            reversed.merge(&Statistics::from_comments(head));
            prop_assert_eq!(&reversed, &all);
            prop_assert_eq!(&Statistics::from_comments_parallel(&comments, 3), &all);
        }

        #[test]
        fn json_round_trip_is_identity(comments in comments_strategy()) {
            let stats = Statistics::from_comments(&comments);
            let json = serde_json::to_string(&stats).unwrap();
            let back: Statistics = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, stats);
        }

        #[test]
        fn fast_words_equal_search_words(text in mixed_text()) {
            let mut fast = Vec::new();
            for_each_word(&normalize(&text), |w| fast.push(w.to_string()));
            prop_assert_eq!(fast, words(&text));
            let mut buffer = String::new();
            normalize_into(&text, &mut buffer);
            prop_assert_eq!(buffer, normalize(&text));
        }

        #[test]
        fn fast_words_equal_search_words_on_any_text(text in "\\PC{0,40}") {
            let mut fast = Vec::new();
            for_each_word(&normalize(&text), |w| fast.push(w.to_string()));
            prop_assert_eq!(fast, words(&text));
        }
    }
}
