//! The Meilisearch backend: one index, `{prefix}documents`, holds every kind of public document
//! (primary key `id`), written and read through `meilisearch-sdk`.
//!
//! # Thai recall: the `grams` field
//!
//! Meilisearch segments Thai with charabia's dictionary, longest match first, so
//! `ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล` is indexed as `ร่างพระราชบัญญัติ | คุ้มครอง | ข้อมูล |
//! ส่วนบุคคล`, and the queries `พระราชบัญญัติ` or `บุคคล` (words *inside* a longest-match token)
//! find nothing. Each document therefore gets one more searchable field, `grams` (ranked last,
//! after `title` and `body`), holding the **dictionary sub-words** of its Thai words. For every
//! Thai word from [`words::words`] we take its splits into the fewest dictionary words ("maximal
//! matching", the usual criterion among Thai segmentations) using charabia's own Thai dictionary,
//! keep their pieces, split those pieces again the same way (three levels at most), and drop
//! pieces of fewer than three letters: `ร่างพระราชบัญญัติ` gives `ร่าง`, `พระราชบัญญัติ`, `พระ`, `ราช`,
//! `บัญญัติ`; `ส่วนบุคคล` gives `ส่วน`, `บุคคล`; `คณะกรรมการ` gives `คณะ`, `กรรมการ`, `กรรม`, `การ`.
//! Each distinct sub-word is written once, separated by spaces.
//!
//! Why sub-words and not character trigrams: Meilisearch tokenizes `grams` like any other field.
//! A sub-word that is itself a dictionary entry comes out of Meilisearch's longest-match
//! segmenter as exactly one token, identical (after Meilisearch strips Thai marks) to the token
//! the same word produces in a query. So the query side needs **no rewriting**: `บุคคล` typed
//! alone is the token `บุคคล`, which is now in `grams`. Character trigrams would not survive that
//! tokenizer (a trigram such as `ุคค` is not a word: Meilisearch would cut it into single
//! characters and strip the marks), so they would have to be encoded as opaque Latin tokens and
//! the query rewritten into the same codes, with typo tolerance and prefix search then matching
//! arbitrary codes; a short query would also turn into many required terms. Only complete,
//! minimal splits count, which keeps junk out: `วน` is a word but cannot come out of `ส่วน` (`ส่`
//! is not one), `กร`/`รม` do not come out of `กรรมการ` (`กรรม|การ` needs fewer pieces), and
//! `ข้อ`/`มูล` (out of `ข้อมูล`) are too short to keep.
//! Longest match also cuts words apart when a longer entry swallows the start of the next
//! word: `การคุ้มครอง` comes out as `การคุ | ้ | ม | ครอง`, `การกำหนด` as `การกำ | หน | ด`. Where
//! it leaves a single Thai character, the neighbouring segments are joined and split again the
//! same way (`subwords::grams`), which puts `คุ้มครอง` and `กำหนด` in `grams`. Numbers written
//! in Thai digits are added to `grams` in ASCII digits: Meilisearch does not fold digits, and
//! queries are sent with ASCII ones.
//!
//! # Queries
//!
//! Meilisearch gets the query's words ([`words::words`]: normalised, segmented) separated by
//! spaces, never the typed text, with `matchingStrategy: all`, so that every word must match
//! (as in the embedded index) and none of its operators (`"phrase"`, `-word`) can appear.
//! Meilisearch removes Thai tone and vowel marks when it normalises, so `เสือ` (tiger) and
//! `เสื้อ` (shirt) are one word there: the one place the backends disagree on matching (see
//! `contract.rs`).
//!
//! # Settings and rebuilds
//!
//! [`MeiliIndex::ensure_settings`] applies the settings and reads them back: a server that
//! reports something else (another version normalising a setting, someone editing the index) is
//! an error. A full rebuild fills a fresh index beside the live one and swaps the two in one
//! `swap-indexes` task ([`MeiliIndex::begin_rebuild`], [`MeiliIndex::finish_rebuild`]).
//!
//! The reverse case (a query compound such as `ส่วนบุคคล` against a text that spells `ส่วน บุคคล`)
//! is covered by Meilisearch's own split-word handling. `grams` is not typo tolerant (those
//! typos would only add noise), is never returned, and is not used for snippets: a hit found
//! only through `grams` gets its query words marked in the snippet here instead.
//!
//! # Failures
//!
//! Every write waits for its Meilisearch task and turns a failed task into an error. An
//! unreachable server, a timeout (every HTTP call is bounded here, reads by a short timeout) or a
//! 5xx/429 answer becomes [`SearchError::Unavailable`] so that jobs retry with backoff; anything
//! else (bad API key, rejected settings, …) is [`SearchError::Internal`].

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::errors::{Error as MeiliError, ErrorCode, ErrorType, MeilisearchError};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, SearchQuery as MeiliQuery, Selectors};
use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, LocalizedAttributes, PaginationSetting, Settings,
    TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use crate::search::{
    DocKind, Facets, SearchDoc, SearchError, SearchFilter, SearchHit, SearchIndex, SearchQuery,
    SearchResult, SearchResults, text,
};
use crate::text::{subwords, thai, words};

/// Default bound on one read (search, count): a slow backend answers `Unavailable` quickly.
const READ_TIMEOUT: Duration = Duration::from_secs(3);
/// Default bound on one write request (the request that enqueues a task).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on waiting for one task to be processed.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a task's status is polled.
const TASK_POLL: Duration = Duration::from_millis(50);
/// Documents per add-documents request.
const UPSERT_CHUNK: usize = 500;
/// `pagination.maxTotalHits`: how deep results can be paged (the default is 1000).
const MAX_TOTAL_HITS: usize = 10_000;

/// Highlight markers asked from Meilisearch. They are private-use characters, stripped from the
/// text when it is indexed, so they can only come from Meilisearch; the snippet is then
/// HTML-escaped and the markers alone become `<mark>`/`</mark>`.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';
const MARK_OPEN_STR: &str = "\u{E000}";
const MARK_CLOSE_STR: &str = "\u{E001}";

/// Words kept around a match in a snippet.
const SNIPPET_WORDS: usize = 30;

/// Meilisearch's default order, written out so that it is checked like the other settings.
const RANKING_RULES: [&str; 7] = [
    "words",
    "typo",
    "proximity",
    "attributeRank",
    "sort",
    "wordPosition",
    "exactness",
];
/// In order of importance for `attributeRank`: a title match ranks above a body match, which
/// ranks above a match of a sub-word only.
const SEARCHABLE: [&str; 3] = ["title", "body", "grams"];
const FILTERABLE: [&str; 10] = [
    "kind",
    "agency",
    "status",
    "law_type",
    "topics",
    "draft_id",
    "consultation_id",
    "stance",
    "provision_id",
    "date",
];
/// Facets shown beside results, plus `kind`, whose counts add up to the exact total (every
/// document has exactly one kind, and facet counts are not capped by `maxTotalHits`).
const FACETS: [&str; 5] = ["agency", "law_type", "status", "topics", "kind"];
const RETRIEVE: [&str; 6] = [
    "id",
    "kind",
    "draft_id",
    "consultation_id",
    "provision_id",
    "title",
];
const CROP: [(&str, Option<usize>); 1] = [("body", Some(SNIPPET_WORDS))];
const HIGHLIGHT: [&str; 2] = ["title", "body"];
const LOCALES: [&str; 2] = ["tha", "eng"];
const SORT_NEWEST: [&str; 1] = ["date:desc"];

/// The Meilisearch implementation of [`SearchIndex`].
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    index: Index,
    uid: String,
    read_timeout: Duration,
    write_timeout: Duration,
    task_timeout: Duration,
    /// Set once this process has created the index and applied the settings.
    settings_applied: Arc<AtomicBool>,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the API key.
        f.debug_struct("MeiliIndex")
            .field("host", &self.client.get_host())
            .field("index", &self.uid)
            .finish_non_exhaustive()
    }
}

impl MeiliIndex {
    /// A handle on `{index_prefix}documents` at `url` (e.g. `http://127.0.0.1:7700`). Nothing is
    /// sent yet: call [`MeiliIndex::ensure_settings`] at start-up (writes also do it once by
    /// themselves). The prefix may hold only ASCII letters, digits, `-` and `_`.
    pub fn connect(
        url: &str,
        api_key: Option<&str>,
        index_prefix: &str,
    ) -> anyhow::Result<MeiliIndex> {
        let parsed =
            url::Url::parse(url).with_context(|| format!("invalid Meilisearch URL {url:?}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(anyhow!(
                "the Meilisearch URL must be http(s)://host[:port], not {url:?}"
            ));
        }
        if !index_prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(anyhow!(
                "the Meilisearch index prefix {index_prefix:?} may only hold [A-Za-z0-9_-]"
            ));
        }
        let uid = format!("{index_prefix}documents");
        if uid.len() > 400 {
            return Err(anyhow!("the Meilisearch index prefix is too long"));
        }
        let host = url.trim_end_matches('/');
        let client = Client::new(host, api_key)
            .map_err(|e| anyhow!("cannot build the Meilisearch client: {e}"))?;
        let index = client.index(uid.as_str());
        Ok(MeiliIndex {
            client,
            index,
            uid,
            read_timeout: READ_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            task_timeout: TASK_TIMEOUT,
            settings_applied: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The same server and timeouts, another index.
    fn sibling(&self, uid: String) -> MeiliIndex {
        MeiliIndex {
            client: self.client.clone(),
            index: self.client.index(uid.as_str()),
            uid,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            task_timeout: self.task_timeout,
            settings_applied: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Bound on one read request (default 3 s).
    pub fn with_read_timeout(mut self, timeout: Duration) -> MeiliIndex {
        self.read_timeout = timeout;
        self
    }

    /// Bound on one write request (default 10 s).
    pub fn with_write_timeout(mut self, timeout: Duration) -> MeiliIndex {
        self.write_timeout = timeout;
        self
    }

    /// Bound on waiting for one Meilisearch task (default 60 s).
    pub fn with_task_timeout(mut self, timeout: Duration) -> MeiliIndex {
        self.task_timeout = timeout;
        self
    }

    /// The Meilisearch index uid, `{prefix}documents`.
    pub fn index_uid(&self) -> &str {
        &self.uid
    }

    /// Creates the index if it is missing and applies its settings (idempotent).
    pub async fn ensure_settings(&self) -> SearchResult<()> {
        self.run_task(
            "create the index",
            self.client.create_index(&self.uid, Some("id")),
            &[ErrorCode::IndexAlreadyExists],
        )
        .await?;
        let settings = index_settings();
        self.run_task(
            "apply the index settings",
            self.index.set_settings(&settings),
            &[],
        )
        .await?;
        self.check_settings().await?;
        self.settings_applied.store(true, Ordering::Release);
        Ok(())
    }

    /// Reads the index settings back from the server and compares them with those
    /// [`MeiliIndex::ensure_settings`] applies: a server that dropped or changed one of them
    /// (another version, another process) is an error naming each difference.
    pub async fn check_settings(&self) -> SearchResult<()> {
        let applied = self
            .read("read the index settings", self.index.get_settings())
            .await?;
        let differences = settings_differences(
            &serde_json::to_value(index_settings()).map_err(anyhow::Error::from)?,
            &serde_json::to_value(applied).map_err(anyhow::Error::from)?,
        );
        if differences.is_empty() {
            Ok(())
        } else {
            Err(SearchError::Internal(anyhow!(
                "Meilisearch index {} does not hold the settings applied to it: {}",
                self.uid,
                differences.join("; ")
            )))
        }
    }

    /// Creates a fresh, empty index with the settings applied, beside this one, for a full
    /// rebuild (`{uid}_rebuild_{ms}`: two rebuilds never share one).
    pub async fn begin_rebuild(&self) -> SearchResult<MeiliIndex> {
        let staging = self.sibling(format!("{}_rebuild_{}", self.uid, crate::time::now_ms()));
        staging.ensure_settings().await?;
        Ok(staging)
    }

    /// Puts a filled `staging` index in service: one `swap-indexes` task exchanges the
    /// documents and settings of the two uids atomically (searches see the old index, then the
    /// new one, never a mix), then the old documents, now under the staging uid, are deleted.
    pub async fn finish_rebuild(&self, staging: &MeiliIndex) -> SearchResult<()> {
        // Both uids must exist to be swapped.
        self.ensure_settings_once().await?;
        let swap = SwapIndexes {
            indexes: (self.uid.clone(), staging.uid.clone()),
            rename: None,
        };
        self.run_task(
            "swap in the rebuilt index",
            self.client.swap_indexes([&swap]),
            &[],
        )
        .await?;
        staging.delete_index().await
    }

    /// Deletes the whole index (tests use it to clean up their own prefix).
    pub async fn delete_index(&self) -> SearchResult<()> {
        self.run_task(
            "delete the index",
            self.client.delete_index(&self.uid),
            &[ErrorCode::IndexNotFound],
        )
        .await?;
        self.settings_applied.store(false, Ordering::Release);
        Ok(())
    }

    async fn ensure_settings_once(&self) -> SearchResult<()> {
        if self.settings_applied.load(Ordering::Acquire) {
            return Ok(());
        }
        self.ensure_settings().await
    }

    /// Runs one read request within the read timeout.
    async fn read<T>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, MeiliError>>,
    ) -> SearchResult<T> {
        within(self.read_timeout, what, request).await
    }

    /// Enqueues a task, waits for it, and turns its failure into an error (failures with one of
    /// the `accepted` codes count as success, e.g. creating an index that exists).
    async fn run_task(
        &self,
        what: &str,
        enqueue: impl Future<Output = Result<TaskInfo, MeiliError>>,
        accepted: &[ErrorCode],
    ) -> SearchResult<()> {
        let info = match within(self.write_timeout, what, enqueue).await {
            Ok(info) => info,
            Err(e) => return accepted_error(e, accepted),
        };
        let wait = self
            .client
            .wait_for_task(&info, Some(TASK_POLL), Some(self.task_timeout));
        // `wait_for_task` only counts its sleeps, and its polls have no timeout of their own.
        let task = within(self.task_timeout + self.write_timeout, what, wait).await?;
        match task {
            Task::Succeeded { .. } => Ok(()),
            Task::Failed { content } => {
                if accepted.contains(&content.error.error_code) {
                    Ok(())
                } else {
                    Err(meilisearch_error(
                        &format!("{what} (task {})", info.task_uid),
                        &content.error,
                    ))
                }
            }
            Task::Enqueued { .. } | Task::Processing { .. } => Err(SearchError::Unavailable(
                format!("{what}: task {} is still pending", info.task_uid),
            )),
        }
    }

    async fn run_search<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
        &self,
        what: &str,
        query: &MeiliQuery<'_, meilisearch_sdk::DefaultHttpClient>,
    ) -> SearchResult<Option<meilisearch_sdk::search::SearchResults<T>>> {
        match self.read(what, query.execute::<T>()).await {
            Ok(results) => Ok(Some(results)),
            // Nothing has been indexed yet: no index means no documents.
            Err(SearchError::Internal(e)) if is_index_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// What the server reports that differs from what was sent, one line per setting. Only the
/// settings sent are compared (the server reports every setting); `null` (reset to default) is
/// not compared; lists whose order means nothing to Meilisearch are compared as sets.
fn settings_differences(sent: &serde_json::Value, got: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(path: &str, sent: &Value, got: &Value, out: &mut Vec<String>) {
        match (sent, got) {
            (Value::Null, _) => {}
            (Value::Object(sent), Value::Object(got)) => {
                for (key, value) in sent {
                    let path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(&path, value, got.get(key).unwrap_or(&Value::Null), out);
                }
            }
            (Value::Array(a), Value::Array(b)) if UNORDERED_SETTINGS.contains(&path) => {
                let key = |v: &Value| v.to_string();
                let mut a: Vec<String> = a.iter().map(key).collect();
                let mut b: Vec<String> = b.iter().map(key).collect();
                a.sort();
                b.sort();
                if a != b {
                    out.push(format!("{path}: sent {sent}, server has {got}"));
                }
            }
            _ if sent != got => out.push(format!("{path}: sent {sent}, server has {got}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", sent, got, &mut out);
    out
}

/// Settings Meilisearch keeps as sets (it may report them in another order).
const UNORDERED_SETTINGS: [&str; 3] = [
    "filterableAttributes",
    "sortableAttributes",
    "typoTolerance.disableOnAttributes",
];

/// The index settings applied by [`MeiliIndex::ensure_settings`].
fn index_settings() -> Settings {
    let typos = TypoToleranceSettings {
        enabled: Some(true),
        disable_on_attributes: Some(vec!["grams".to_string()]),
        ..TypoToleranceSettings::default()
    };
    Settings::new()
        .with_ranking_rules(RANKING_RULES)
        .with_searchable_attributes(SEARCHABLE)
        .with_filterable_attributes(FILTERABLE)
        .with_sortable_attributes(["date"])
        .with_faceting(FacetingSettings {
            max_values_per_facet: 100,
            sort_facet_values_by: Some(BTreeMap::from([("*".to_string(), FacetSortValue::Count)])),
        })
        .with_typo_tolerance(typos)
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_TOTAL_HITS,
        })
        .with_localized_attributes([LocalizedAttributes {
            locales: LOCALES.iter().map(|l| l.to_string()).collect(),
            attribute_patterns: vec!["*".to_string()],
        }])
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Runs a request within `limit`, mapping its error.
async fn within<T>(
    limit: Duration,
    what: &str,
    request: impl Future<Output = Result<T, MeiliError>>,
) -> SearchResult<T> {
    match tokio::time::timeout(limit, request).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(map_error(what, e)),
        Err(_) => Err(SearchError::Unavailable(format!(
            "{what}: Meilisearch did not answer within {} ms",
            limit.as_millis()
        ))),
    }
}

/// Marker wrapped into `Internal` errors that come from a Meilisearch error answer, so that
/// callers can look at its code.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {error}")]
struct MeiliAnswer {
    what: String,
    error: MeilisearchError,
}

fn is_index_not_found(e: &anyhow::Error) -> bool {
    e.downcast_ref::<MeiliAnswer>()
        .is_some_and(|a| a.error.error_code == ErrorCode::IndexNotFound)
}

/// A request error counts as success when it is a Meilisearch answer with an accepted code.
fn accepted_error(e: SearchError, accepted: &[ErrorCode]) -> SearchResult<()> {
    if let SearchError::Internal(inner) = &e
        && let Some(answer) = inner.downcast_ref::<MeiliAnswer>()
        && accepted.contains(&answer.error.error_code)
    {
        return Ok(());
    }
    Err(e)
}

/// Transport failures, timeouts, 5xx and 429 are `Unavailable` (retry later); the rest is `Internal`.
fn map_error(what: &str, e: MeiliError) -> SearchError {
    match e {
        MeiliError::Meilisearch(error) => meilisearch_error(what, &error),
        MeiliError::MeilisearchCommunication(c)
            if c.status_code >= 500 || matches!(c.status_code, 408 | 429) =>
        {
            SearchError::Unavailable(format!(
                "{what}: Meilisearch answered HTTP {}",
                c.status_code
            ))
        }
        MeiliError::HttpError(http) if !http.is_builder() => {
            SearchError::Unavailable(format!("{what}: cannot reach Meilisearch: {http}"))
        }
        MeiliError::Timeout => SearchError::Unavailable(format!(
            "{what}: the Meilisearch task did not finish in time"
        )),
        other => SearchError::Internal(anyhow!("{what}: {other}")),
    }
}

fn meilisearch_error(what: &str, error: &MeilisearchError) -> SearchError {
    // `internal` errors are HTTP 500; the `system` type (full disk, too many open files, too
    // many concurrent searches: 5xx/429) is unknown to the SDK and parses as `Unknown`.
    let transient = matches!(error.error_type, ErrorType::Internal | ErrorType::Unknown)
        || matches!(
            error.error_code,
            ErrorCode::InternalError
                | ErrorCode::IoError
                | ErrorCode::TooManyOpenFiles
                | ErrorCode::NoSpaceLeftOnDevice
                | ErrorCode::DatabaseSizeLimitReached
        );
    if transient {
        SearchError::Unavailable(format!("{what}: {error}"))
    } else {
        SearchError::Internal(anyhow::Error::new(MeiliAnswer {
            what: what.to_string(),
            error: error.clone(),
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// A document as stored in Meilisearch: the public fields plus `grams`.
#[derive(Debug, Serialize)]
struct MeiliDoc {
    #[serde(flatten)]
    doc: SearchDoc,
    grams: String,
}

impl MeiliDoc {
    fn new(mut doc: SearchDoc) -> MeiliDoc {
        // The same canonical form as queries get (`words::normalize`), whatever Meilisearch's
        // own normaliser does with it.
        text::canonical_doc(&mut doc);
        strip_marks(&mut doc.title);
        strip_marks(&mut doc.body);
        let mut grams = subwords::grams(&[doc.title.as_str(), doc.body.as_str()]);
        // Meilisearch does not fold Thai digits, and queries are sent with ASCII digits
        // (`words::normalize`): numbers written in Thai digits are added in ASCII digits.
        for text in [&doc.title, &doc.body] {
            if text.chars().any(|c| thai::digit_value(c).is_some()) {
                for word in words::words(text) {
                    if word.chars().any(|c| c.is_ascii_digit()) && !grams.contains(&word) {
                        grams.push(word);
                    }
                }
            }
        }
        MeiliDoc {
            doc,
            grams: grams.join(" "),
        }
    }
}

/// Removes the highlight marker characters, so that only Meilisearch can insert them.
fn strip_marks(s: &mut String) {
    if s.contains([MARK_OPEN, MARK_CLOSE]) {
        s.retain(|c| c != MARK_OPEN && c != MARK_CLOSE);
    }
}

/// The fields read back from a hit.
#[derive(Debug, Deserialize)]
struct HitDoc {
    id: String,
    kind: DocKind,
    draft_id: i64,
    #[serde(default)]
    consultation_id: Option<i64>,
    #[serde(default)]
    provision_id: Option<String>,
    #[serde(default)]
    title: String,
}

#[derive(Debug, Deserialize)]
struct DraftIdDoc {
    draft_id: i64,
}

// ---------------------------------------------------------------------------------------------
// Filters

/// The Meilisearch filter for typed filters, or `None` when nothing is filtered. Strings are
/// always quoted and escaped, integers written as integers: no value can change the shape of
/// the expression.
fn filter_expression(filter: &SearchFilter) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if !filter.kinds.is_empty() {
        let kinds: Vec<String> = filter.kinds.iter().map(|k| quote(k.as_str())).collect();
        parts.push(format!("kind IN [{}]", kinds.join(", ")));
    }
    let any_of = [
        ("agency", &filter.agency),
        ("law_type", &filter.law_type),
        ("topics", &filter.topic),
    ];
    for (field, values) in any_of {
        if !values.is_empty() {
            let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
            parts.push(format!("{field} IN [{}]", values.join(", ")));
        }
    }
    for (field, value) in [("status", &filter.status), ("stance", &filter.stance)] {
        if let Some(value) = value {
            parts.push(format!("{field} = {}", quote(value)));
        }
    }
    if let Some(id) = filter.draft_id {
        parts.push(format!("draft_id = {id}"));
    }
    if let Some(id) = filter.consultation_id {
        parts.push(format!("consultation_id = {id}"));
    }
    if let Some(from) = filter.date_from {
        parts.push(format!("date >= {from}"));
    }
    if let Some(to) = filter.date_to {
        parts.push(format!("date <= {to}"));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// A double-quoted filter value: `\` becomes `\\` and `"` becomes `\"` (Meilisearch ≥ 1.4 first
/// unescapes `\"`, then `\\`).
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Snippets

/// HTML for a formatted (cropped, highlighted) text from Meilisearch: everything escaped, the
/// marker characters turned into balanced `<mark>`/`</mark>`, whitespace runs collapsed.
fn snippet_html(formatted: &str) -> String {
    let mut out = String::with_capacity(formatted.len() + 16);
    let mut open = false;
    let mut space = false;
    for c in formatted.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            MARK_OPEN if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_CLOSE if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_OPEN | MARK_CLOSE => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// Marks the occurrences of `words` in `text` (longest first, never splitting a Thai mark from
/// its letter). Used when Meilisearch found a hit through `grams` and so marked nothing.
fn mark_words(text: &str, words: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let found = words
            .iter()
            .filter(|w| {
                rest.starts_with(w.as_str())
                    && !rest[w.len()..].chars().next().is_some_and(thai::is_mark)
            })
            .max_by_key(|w| w.len());
        match found {
            Some(w) => {
                out.push(MARK_OPEN);
                out.push_str(w);
                out.push(MARK_CLOSE);
                rest = &rest[w.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The snippet of one hit, as the embedded index chooses it: the cropped body where
/// Meilisearch marked a match, else the title where it did, else the body, then the title, with
/// the Thai query words marked here (a hit found through `grams` only); else the body, or the
/// title when the body is empty, unmarked.
fn snippet(
    formatted: Option<&serde_json::Map<String, serde_json::Value>>,
    thai_query_words: &[String],
) -> String {
    let field = |name: &str| {
        formatted
            .and_then(|f| f.get(name))
            .and_then(|v| v.as_str())
            .filter(|s| !s.trim().is_empty())
    };
    let fields = [field("body"), field("title")];
    let texts = || fields.iter().flatten().copied();
    let text: Cow<'_, str> = if let Some(marked) = texts().find(|t| t.contains(MARK_OPEN)) {
        Cow::Borrowed(marked)
    } else if let Some(marked) = texts()
        .filter(|_| !thai_query_words.is_empty())
        .map(|t| mark_words(t, thai_query_words))
        .find(|t| t.contains(MARK_OPEN))
    {
        Cow::Owned(marked)
    } else if let Some(plain) = texts().next() {
        Cow::Borrowed(plain)
    } else {
        return String::new();
    };
    snippet_html(&text)
}

// ---------------------------------------------------------------------------------------------
// The trait

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn facet_counts(
    distribution: Option<&HashMap<String, HashMap<String, usize>>>,
    name: &str,
) -> BTreeMap<String, u64> {
    distribution
        .and_then(|d| d.get(name))
        .map(|values| {
            values
                .iter()
                .map(|(k, v)| (k.clone(), to_u64(*v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Exact total: the larger of Meilisearch's count (capped at `maxTotalHits`) and the sum of the
/// `kind` facet (not capped; every document has one kind).
fn total_of<T>(results: &meilisearch_sdk::search::SearchResults<T>) -> u64 {
    let counted = to_u64(
        results
            .total_hits
            .or(results.estimated_total_hits)
            .unwrap_or(0),
    );
    let by_kind: u64 = facet_counts(results.facet_distribution.as_ref(), "kind")
        .values()
        .sum();
    counted.max(by_kind)
}

impl SearchIndex for MeiliIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> SearchResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        self.ensure_settings_once().await?;
        // Finding Thai sub-words is CPU work: keep it off the async workers.
        let payload = tokio::task::spawn_blocking(move || {
            docs.into_iter().map(MeiliDoc::new).collect::<Vec<_>>()
        })
        .await
        .map_err(|e| SearchError::Internal(anyhow!("preparing documents failed: {e}")))?;
        for chunk in payload.chunks(UPSERT_CHUNK) {
            self.run_task(
                "add documents",
                self.index.add_or_replace(chunk, Some("id")),
                &[],
            )
            .await?;
        }
        Ok(())
    }

    async fn delete(&self, ids: Vec<String>) -> SearchResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for chunk in ids.chunks(UPSERT_CHUNK) {
            self.run_task(
                "delete documents",
                self.index.delete_documents(chunk),
                &[ErrorCode::IndexNotFound],
            )
            .await?;
        }
        Ok(())
    }

    async fn delete_draft_kind(&self, draft_id: i64, kind: DocKind) -> SearchResult<()> {
        self.ensure_settings_once().await?;
        let filter = format!("draft_id = {draft_id} AND kind = {}", quote(kind.as_str()));
        let mut query = meilisearch_sdk::documents::DocumentDeletionQuery::new(&self.index);
        query.with_filter(&filter);
        self.run_task(
            "delete documents by filter",
            self.index.delete_documents_with(&query),
            &[ErrorCode::IndexNotFound],
        )
        .await
    }

    async fn search(&self, query: &SearchQuery) -> SearchResult<SearchResults> {
        let normalized = words::normalize(query.q.trim());
        let query_words = words::words(&normalized);
        let thai_words: Vec<String> = query_words
            .iter()
            .filter(|w| w.chars().count() >= 2 && w.chars().all(thai::is_thai))
            .cloned()
            .collect();
        let filter = filter_expression(&query.filter);

        // Meilisearch is given our words, separated by spaces, never the typed text: its
        // operators (`"phrase"`, a leading `-` for "without") cannot appear, and every word
        // must match, as in the embedded index.
        let words_query = query_words.join(" ");
        let mut request = MeiliQuery::new(&self.index);
        if query_words.is_empty() {
            // Nothing to match: every document that passes the filter, newest first.
            request.with_sort(&SORT_NEWEST);
        } else {
            request
                .with_query(&words_query)
                .with_matching_strategy(MatchingStrategies::ALL);
        }
        if let Some(filter) = &filter {
            request.with_filter(filter);
        }
        // Page mode gives exhaustive counts; it needs the offset to fall on a page boundary.
        match (query.offset, query.limit) {
            (_, 0) => request.with_page(1).with_hits_per_page(0),
            (offset, limit) if offset % limit == 0 => request
                .with_page(offset / limit + 1)
                .with_hits_per_page(limit),
            (offset, limit) => request.with_offset(offset).with_limit(limit),
        };
        request
            .with_facets(Selectors::Some(&FACETS))
            .with_attributes_to_retrieve(Selectors::Some(&RETRIEVE))
            .with_attributes_to_crop(Selectors::Some(&CROP))
            .with_crop_length(SNIPPET_WORDS)
            .with_attributes_to_highlight(Selectors::Some(&HIGHLIGHT))
            .with_highlight_pre_tag(MARK_OPEN_STR)
            .with_highlight_post_tag(MARK_CLOSE_STR)
            .with_show_ranking_score(true)
            .with_locales(&LOCALES);

        let Some(results) = self.run_search::<HitDoc>("search", &request).await? else {
            return Ok(SearchResults::default());
        };
        let distribution = results.facet_distribution.as_ref();
        let facets = Facets {
            agency: facet_counts(distribution, "agency"),
            law_type: facet_counts(distribution, "law_type"),
            status: facet_counts(distribution, "status"),
            topic: facet_counts(distribution, "topics"),
        };
        let total = total_of(&results);
        let hits = results
            .hits
            .into_iter()
            .map(|hit| {
                let snippet = snippet(hit.formatted_result.as_ref(), &thai_words);
                let doc = hit.result;
                SearchHit {
                    id: doc.id,
                    kind: doc.kind,
                    draft_id: doc.draft_id,
                    consultation_id: doc.consultation_id,
                    provision_id: doc.provision_id,
                    title: doc.title,
                    snippet,
                    score: hit.ranking_score.unwrap_or(0.0) as f32,
                }
            })
            .collect();
        Ok(SearchResults {
            hits,
            total,
            facets,
        })
    }

    async fn similar_drafts(
        &self,
        draft_id: i64,
        text: &str,
        limit: usize,
    ) -> SearchResult<Vec<(i64, f32)>> {
        // Query syntax characters (phrase quotes, a leading `-` for negation) are dropped.
        // Meilisearch reads the first ten words of a query.
        let terms: Vec<String> = words::key_terms(text, 10)
            .into_iter()
            .map(|t| t.replace('"', "").trim_start_matches('-').to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let q = terms.join(" ");
        let filter = format!(
            "kind = {} AND draft_id != {draft_id}",
            quote(DocKind::Draft.as_str())
        );
        let mut request = MeiliQuery::new(&self.index);
        request
            .with_query(&q)
            .with_filter(&filter)
            .with_limit(limit)
            // Terms come most frequent first, and are dropped from the end until drafts match.
            // (Meilisearch 1.50's `frequency` strategy returns only the drafts matching the
            // most terms, often none once the filter applies.)
            .with_matching_strategy(MatchingStrategies::LAST)
            .with_attributes_to_retrieve(Selectors::Some(&["draft_id"]))
            .with_show_ranking_score(true)
            .with_locales(&LOCALES);
        let Some(results) = self
            .run_search::<DraftIdDoc>("similar drafts", &request)
            .await?
        else {
            return Ok(Vec::new());
        };
        Ok(results
            .hits
            .into_iter()
            .map(|hit| (hit.result.draft_id, hit.ranking_score.unwrap_or(0.0) as f32))
            .collect())
    }

    async fn count(&self, kind: Option<DocKind>) -> SearchResult<u64> {
        let filter = kind.map(|k| format!("kind = {}", quote(k.as_str())));
        let mut request = MeiliQuery::new(&self.index);
        request
            .with_page(1)
            .with_hits_per_page(0)
            .with_facets(Selectors::Some(&["kind"]));
        if let Some(filter) = &filter {
            request.with_filter(filter);
        }
        let Some(results) = self
            .run_search::<serde_json::Value>("count", &request)
            .await?
        else {
            return Ok(0);
        };
        Ok(total_of(&results))
    }

    async fn clear(&self) -> SearchResult<()> {
        self.run_task(
            "delete all documents",
            self.index.delete_all_documents(),
            &[ErrorCode::IndexNotFound],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// What Meilisearch's filter parser does with a double-quoted value (crates/filter-parser,
    /// `quoted_by` then `unescaper::unescape`), for the escapes `quote` produces.
    fn meilisearch_unquote(quoted: &str) -> Option<String> {
        let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
        // The value ends at the first `"` not preceded by a `\` escape.
        let mut chars = inner.chars();
        let mut escaped_quote = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => return None,
                '\\' => escaped_quote |= chars.next()? == '"',
                _ => {}
            }
        }
        let first = if escaped_quote {
            inner.replace("\\\"", "\"")
        } else {
            inner.to_string()
        };
        let mut out = String::new();
        let mut chars = first.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next()? {
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    _ => return None,
                }
            } else {
                out.push(c);
            }
        }
        Some(out)
    }

    #[test]
    fn filter_values_are_quoted_and_escaped() {
        let filter = SearchFilter {
            kinds: vec![DocKind::Draft, DocKind::Provision],
            agency: vec![r#"a"b"#.to_string(), "c".to_string()],
            status: Some(r"back\slash".to_string()),
            law_type: vec![r#"x" OR kind = "comment"#.to_string()],
            topic: vec!["ภาษี".to_string()],
            draft_id: Some(12),
            consultation_id: Some(-3),
            stance: Some(r#"\""#.to_string()),
            date_from: Some(1_000),
            date_to: Some(2_000),
        };
        let expr = filter_expression(&filter).unwrap_or_default();
        assert_eq!(
            expr,
            r#"kind IN ["draft", "provision"] AND agency IN ["a\"b", "c"] AND law_type IN ["x\" OR kind = \"comment"] AND topics IN ["ภาษี"] AND status = "back\\slash" AND stance = "\\\"" AND draft_id = 12 AND consultation_id = -3 AND date >= 1000 AND date <= 2000"#
        );
        assert_eq!(filter_expression(&SearchFilter::default()), None);
        assert_eq!(
            filter_expression(&SearchFilter {
                draft_id: Some(7),
                ..SearchFilter::default()
            })
            .as_deref(),
            Some("draft_id = 7")
        );
    }

    #[test]
    fn quoted_values_come_back_unchanged() {
        for value in [
            "plain",
            r#"a"b"#,
            r"a\b",
            r#"a\"b"#,
            r"trailing\",
            r#"""#,
            r#"\\""#,
            r"\u{41}\n",
            "AND OR NOT IN [ ] ( ) =",
            "ข้อมูล'ส่วน\"บุคคล",
        ] {
            let quoted = quote(value);
            assert_eq!(
                meilisearch_unquote(&quoted).as_deref(),
                Some(value),
                "{quoted}"
            );
        }
    }

    #[test]
    fn snippets_escape_everything_but_the_marks() {
        let formatted = format!(
            "…<script>alert('x')</script> & {MARK_OPEN}ข้อมูล{MARK_CLOSE} <mark>fake</mark> \"q\"…"
        );
        let html = snippet_html(&formatted);
        assert_eq!(
            html,
            "…&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; <mark>ข้อมูล</mark> &lt;mark&gt;fake&lt;/mark&gt; &quot;q&quot;…"
        );
        // Stray or nested markers never produce unbalanced tags.
        assert_eq!(
            snippet_html(&format!("a{MARK_CLOSE}b{MARK_OPEN}c{MARK_OPEN}d")),
            "ab<mark>cd</mark>"
        );
        assert_eq!(snippet_html("  line\n\n  two\t"), "line two");
    }

    #[test]
    fn snippets_mark_grams_matches_themselves() {
        let mut formatted = serde_json::Map::new();
        formatted.insert("title".into(), "ร่างพระราชบัญญัติ".into());
        formatted.insert("body".into(), "คุ้มครองข้อมูลส่วนบุคคล <b>".into());
        let html = snippet(Some(&formatted), &["บุคคล".to_string()]);
        assert_eq!(html, "คุ้มครองข้อมูลส่วน<mark>บุคคล</mark> &lt;b&gt;");
        // Meilisearch's own marks win; an empty body falls back to the title.
        formatted.insert(
            "body".into(),
            format!("{MARK_OPEN}ข้อมูล{MARK_CLOSE}ส่วนบุคคล").into(),
        );
        assert_eq!(
            snippet(Some(&formatted), &["บุคคล".to_string()]),
            "<mark>ข้อมูล</mark>ส่วนบุคคล"
        );
        formatted.insert("body".into(), " ".into());
        assert_eq!(snippet(Some(&formatted), &[]), "ร่างพระราชบัญญัติ");
        assert_eq!(snippet(None, &[]), "");
        // A word is not marked if that would cut a mark off its letter.
        assert_eq!(mark_words("กาก้า", &["กาก".to_string()]), "กาก้า");
    }

    #[test]
    fn documents_carry_grams_and_no_markers() {
        let doc = SearchDoc {
            id: "draft-1".into(),
            kind: DocKind::Draft,
            draft_id: 1,
            consultation_id: None,
            provision_id: None,
            title: format!("ร่างพระราชบัญญัติ{MARK_OPEN}"),
            body: "ข้อมูลส่วนบุคคล".into(),
            agency: "mdes".into(),
            status: Some("open".into()),
            law_type: None,
            topics: vec!["privacy".into()],
            stance: None,
            respondent_type: None,
            province: None,
            date: 5,
        };
        let json = serde_json::to_value(MeiliDoc::new(doc)).unwrap_or_default();
        assert_eq!(json["kind"], "draft");
        assert_eq!(json["title"], "ร่างพระราชบัญญัติ");
        assert_eq!(json["topics"], serde_json::json!(["privacy"]));
        let grams = json["grams"].as_str().unwrap_or_default();
        assert!(grams.split(' ').any(|w| w == "บุคคล"), "{grams}");
    }

    #[test]
    fn connect_checks_its_arguments() {
        assert!(MeiliIndex::connect("not a url", None, "t_").is_err());
        assert!(MeiliIndex::connect("ftp://example.org", None, "t_").is_err());
        assert!(MeiliIndex::connect("http://127.0.0.1:7700", None, "bad prefix/").is_err());
        let index = MeiliIndex::connect("http://127.0.0.1:7700/", Some("secret-key"), "rabfang_")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(index.index_uid(), "rabfang_documents");
        assert!(!format!("{index:?}").contains("secret-key"));
    }

    #[test]
    fn errors_are_classified() {
        let answer = |code: &str, kind: &str| -> MeilisearchError {
            serde_json::from_value(
                serde_json::json!({"message": "m", "code": code, "type": kind, "link": "l"}),
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let unavailable = |e: SearchError| matches!(e, SearchError::Unavailable(_));
        assert!(unavailable(map_error(
            "x",
            MeiliError::Meilisearch(answer("internal", "internal"))
        )));
        assert!(unavailable(map_error(
            "x",
            MeiliError::Meilisearch(answer("too_many_search_requests", "system"))
        )));
        assert!(unavailable(map_error("x", MeiliError::Timeout)));
        let http = |status_code| {
            MeiliError::MeilisearchCommunication(
                meilisearch_sdk::errors::MeilisearchCommunicationError {
                    status_code,
                    message: None,
                    url: "u".into(),
                },
            )
        };
        assert!(unavailable(map_error("x", http(503))));
        assert!(unavailable(map_error("x", http(429))));
        assert!(!unavailable(map_error("x", http(404))));
        let not_found = map_error(
            "x",
            MeiliError::Meilisearch(answer("index_not_found", "invalid_request")),
        );
        match &not_found {
            SearchError::Internal(e) => assert!(is_index_not_found(e)),
            other => panic!("{other:?}"),
        }
        assert!(accepted_error(not_found, &[ErrorCode::IndexNotFound]).is_ok());
        let auth = map_error(
            "x",
            MeiliError::Meilisearch(answer("invalid_api_key", "auth")),
        );
        assert!(matches!(auth, SearchError::Internal(_)));
        assert!(accepted_error(auth, &[ErrorCode::IndexNotFound]).is_err());
    }

    #[test]
    fn settings_serialize_as_documented() {
        let json = serde_json::to_value(index_settings()).unwrap_or_default();
        assert_eq!(
            json["searchableAttributes"],
            serde_json::json!(["title", "body", "grams"])
        );
        assert_eq!(json["sortableAttributes"], serde_json::json!(["date"]));
        assert_eq!(
            json["filterableAttributes"].as_array().map(Vec::len),
            Some(10)
        );
        assert_eq!(json["faceting"]["sortFacetValuesBy"]["*"], "count");
        assert_eq!(
            json["typoTolerance"]["disableOnAttributes"],
            serde_json::json!(["grams"])
        );
        assert_eq!(json["pagination"]["maxTotalHits"], 10_000);
        assert_eq!(
            json["localizedAttributes"],
            serde_json::json!([{"locales": ["tha", "eng"], "attributePatterns": ["*"]}])
        );
    }

    #[test]
    fn settings_differences_name_each_setting_the_server_changed() {
        let sent = serde_json::to_value(index_settings()).unwrap_or_default();
        let mut got = sent.clone();
        // The server reports every setting, sets in its own order, defaults for `null`.
        got["stopWords"] = serde_json::json!([]);
        got["typoTolerance"]["disableOnWords"] = serde_json::json!([]);
        if let Some(filterable) = got["filterableAttributes"].as_array_mut() {
            filterable.reverse();
        }
        assert_eq!(settings_differences(&sent, &got), Vec::<String>::new());
        got["searchableAttributes"] = serde_json::json!(["body", "title", "grams"]);
        got["pagination"]["maxTotalHits"] = serde_json::json!(1000);
        got["localizedAttributes"] = serde_json::json!(null);
        let differences = settings_differences(&sent, &got);
        assert_eq!(differences.len(), 3, "{differences:?}");
        for name in [
            "searchableAttributes: sent",
            "pagination.maxTotalHits: sent 10000, server has 1000",
            "localizedAttributes: sent",
        ] {
            assert!(
                differences.iter().any(|d| d.starts_with(name)),
                "{name}: {differences:?}"
            );
        }
    }

    fn sample_query(q: &str) -> SearchQuery {
        SearchQuery {
            q: q.to_string(),
            filter: SearchFilter::default(),
            limit: 10,
            offset: 0,
        }
    }

    fn doc(id: &str, kind: DocKind, draft_id: i64, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            id: id.into(),
            kind,
            draft_id,
            consultation_id: None,
            provision_id: None,
            title: title.into(),
            body: body.into(),
            agency: "mdes".into(),
            status: Some("open".into()),
            law_type: Some("act".into()),
            topics: vec!["privacy".into()],
            stance: None,
            respondent_type: None,
            province: None,
            date: draft_id * 1000,
        }
    }

    #[tokio::test]
    async fn closed_port_is_unavailable_quickly() {
        let index = MeiliIndex::connect("http://127.0.0.1:9", None, "closed_")
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let search = index.search(&sample_query("บุคคล")).await;
        assert!(
            matches!(search, Err(SearchError::Unavailable(_))),
            "{search:?}"
        );
        let upsert = index
            .upsert(vec![doc("draft-1", DocKind::Draft, 1, "t", "b")])
            .await;
        assert!(
            matches!(upsert, Err(SearchError::Unavailable(_))),
            "{upsert:?}"
        );
        let count = index.count(None).await;
        assert!(
            matches!(count, Err(SearchError::Unavailable(_))),
            "{count:?}"
        );
        let clear = index.clear().await;
        assert!(
            matches!(clear, Err(SearchError::Unavailable(_))),
            "{clear:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn silent_server_is_unavailable_after_the_read_timeout() {
        // Accepts connections and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let index = MeiliIndex::connect(&format!("http://{addr}"), None, "silent_")
            .unwrap_or_else(|e| panic!("{e}"))
            .with_read_timeout(Duration::from_millis(300))
            .with_write_timeout(Duration::from_millis(300));
        let started = Instant::now();
        let search = index.search(&sample_query("x")).await;
        assert!(
            matches!(search, Err(SearchError::Unavailable(_))),
            "{search:?}"
        );
        let upsert = index.delete(vec!["draft-1".into()]).await;
        assert!(
            matches!(upsert, Err(SearchError::Unavailable(_))),
            "{upsert:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        server.abort();
    }
}
