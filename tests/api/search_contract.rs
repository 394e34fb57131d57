//! The search backend contract (`domain::search::contract`), run against the embedded index
//! always, and against a real Meilisearch when `TEST_MEILISEARCH_URL` (and, for a server with a
//! master key, `TEST_MEILISEARCH_KEY`) is set when the tests are built and run; each test gets
//! its own index, deleted afterwards. Without a server, the Meilisearch tests are listed as
//! ignored (see `tests/build.rs`); told to run without one (`--include-ignored`), or given a
//! server that is not usable, they fail.

use domain::search::{contract, embedded::EmbeddedIndex, meilisearch::MeiliIndex};

fn embedded() -> EmbeddedIndex {
    EmbeddedIndex::in_ram().expect("an in-memory index")
}

/// A Meilisearch index with a fresh prefix, settings applied.
async fn meili() -> MeiliIndex {
    let index = meili_unprepared().await;
    index
        .ensure_settings()
        .await
        .expect("TEST_MEILISEARCH_URL is set but Meilisearch is not usable");
    index
}

/// A handle on a Meilisearch index with a fresh prefix; nothing is sent yet.
async fn meili_unprepared() -> MeiliIndex {
    let url = std::env::var("TEST_MEILISEARCH_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("this test needs a Meilisearch: set TEST_MEILISEARCH_URL");
    let key = std::env::var("TEST_MEILISEARCH_KEY").ok();
    let prefix = format!(
        "contract_{}_",
        std::process::id() as u64 * 1_000_000 + rand::random::<u32>() as u64 % 1_000_000
    );
    MeiliIndex::connect(&url, key.as_deref(), &prefix).expect("a Meilisearch URL")
}

macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod embedded_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    contract::$name(&embedded()).await;
                }
            )*
        }
        mod meilisearch_backend {
            use super::*;
            $(
                #[tokio::test]
                #[cfg_attr(not(meilisearch), ignore = "needs a Meilisearch: TEST_MEILISEARCH_URL")]
                async fn $name() {
                    let index = meili().await;
                    contract::$name(&index).await;
                    let _ = index.delete_index().await;
                }
            )*
        }
    };
}

contract_tests!(
    thai_words_are_found_inside_compounds,
    thai_and_arabic_digits_match,
    mixed_thai_and_english,
    english_typos_are_tolerated,
    short_queries_do_not_flood,
    filters_restrict_results,
    empty_query_lists_newest_first,
    facets_count_all_matches,
    paging_is_disjoint_and_complete,
    hits_carry_document_fields,
    snippets_mark_matches_and_escape_html,
    delete_removes_documents,
    delete_draft_kind_removes_only_that_kind_of_that_draft,
    count_per_kind,
    clear_removes_everything,
    upsert_replaces_by_id,
    writes_are_idempotent,
    similar_drafts_ranks_overlap_first,
    operator_characters_are_plain_text,
    unicode_spellings_find_each_other,
);

/// Embedded only: Meilisearch's normalisation removes Thai tone and vowel marks, so there
/// `เสือ` (tiger) and `เสื้อ` (shirt) are one word — a documented limitation of that backend
/// (`contract.rs`, "Where the backends differ").
#[tokio::test]
async fn embedded_thai_marks_distinguish_words() {
    contract::thai_marks_distinguish_words(&embedded()).await;
}

/// What only the Meilisearch backend has: its settings, and its swap of a rebuilt index.
mod meilisearch_only {
    use std::time::Duration;

    use domain::search::{DocKind, SearchIndex, contract::doc};
    use serde_json::{Value, json};

    use super::*;

    /// Sends one request to the test server (with its key) and waits for the task it enqueues.
    async fn meili_task(method: reqwest::Method, path: &str, body: Value) {
        let url = std::env::var("TEST_MEILISEARCH_URL").expect("TEST_MEILISEARCH_URL");
        let key = std::env::var("TEST_MEILISEARCH_KEY").ok();
        let client = reqwest::Client::new();
        let with_key = |r: reqwest::RequestBuilder| match &key {
            Some(k) => r.bearer_auth(k),
            None => r,
        };
        let r = with_key(client.request(method, format!("{url}{path}")).json(&body))
            .send()
            .await
            .expect("a request to Meilisearch");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        let task: Value = r.json().await.expect("a task");
        let uid = task["taskUid"].as_u64().expect("a task uid");
        for _ in 0..200 {
            let task: Value = with_key(client.get(format!("{url}/tasks/{uid}")))
                .send()
                .await
                .expect("the task")
                .json()
                .await
                .expect("the task as JSON");
            match task["status"].as_str() {
                Some("succeeded") => return,
                Some("failed" | "canceled") => panic!("task {uid} failed: {task}"),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("task {uid} did not finish");
    }

    /// The settings are read back after they are applied; one changed behind the adapter's
    /// back is an error that names it, and applying them again repairs it.
    #[tokio::test]
    #[cfg_attr(not(meilisearch), ignore = "needs a Meilisearch: TEST_MEILISEARCH_URL")]
    async fn settings_are_read_back_and_a_difference_is_an_error() {
        let index = meili().await;
        index
            .check_settings()
            .await
            .expect("the settings just applied");
        let path = format!("/indexes/{}/settings", index.index_uid());
        meili_task(
            reqwest::Method::PATCH,
            &path,
            json!({"searchableAttributes": ["title", "body"], "rankingRules": ["words", "sort"]}),
        )
        .await;
        let e = index
            .check_settings()
            .await
            .expect_err("changed settings are an error")
            .to_string();
        assert!(
            e.contains("searchableAttributes") && e.contains("rankingRules"),
            "{e}"
        );
        index.ensure_settings().await.expect("applied again");
        index.check_settings().await.expect("repaired");
        let _ = index.delete_index().await;
    }

    /// A rebuild fills a fresh index while the live one keeps answering with every document,
    /// then swaps it in and deletes the old one.
    #[tokio::test]
    #[cfg_attr(not(meilisearch), ignore = "needs a Meilisearch: TEST_MEILISEARCH_URL")]
    async fn a_rebuild_is_swapped_in_whole() {
        let index = meili().await;
        let old: Vec<_> = (0..300)
            .map(|i| doc(&format!("comment-{i}"), DocKind::Comment, 1, "", "ภาษีที่ดิน"))
            .collect();
        index.upsert(old).await.expect("the live documents");
        let staging = index.begin_rebuild().await.expect("a fresh index");
        assert_ne!(staging.index_uid(), index.index_uid());
        for batch in 0..4 {
            let docs = (0..100)
                .map(|i| {
                    let n = batch * 100 + i;
                    doc(&format!("comment-{n}"), DocKind::Comment, 1, "", "ขยะมูลฝอย")
                })
                .collect();
            staging.upsert(docs).await.expect("a rebuild batch");
            // The live index is untouched while the rebuild fills.
            assert_eq!(index.count(None).await.expect("count"), 300);
        }
        index.finish_rebuild(&staging).await.expect("the swap");
        assert_eq!(index.count(None).await.expect("count"), 400);
        let found = index
            .search(&domain::search::SearchQuery {
                q: "ภาษี".into(),
                filter: Default::default(),
                limit: 10,
                offset: 0,
            })
            .await
            .expect("search");
        assert_eq!(found.total, 0, "the old documents are gone: {found:?}");
        index
            .check_settings()
            .await
            .expect("the swapped-in index has the settings");
        // The old index, swapped to the staging uid, was deleted.
        assert_eq!(staging.count(None).await.expect("count"), 0);
        let _ = index.delete_index().await;
    }

    /// Escaped filter values, typo tolerance, newest-first listing, exact totals and facets
    /// beyond the contract's documents, on the real server.
    #[tokio::test]
    #[cfg_attr(not(meilisearch), ignore = "needs a Meilisearch: TEST_MEILISEARCH_URL")]
    async fn filter_values_with_quotes_and_backslashes_match_exactly() {
        let index = meili_unprepared().await;
        let mut odd = doc(
            "draft-3",
            DocKind::Draft,
            3,
            "Regulation on \"quotes\"",
            "x",
        );
        odd.agency = r#"a"b\c"#.into();
        let mut other = doc("draft-4", DocKind::Draft, 4, "Regulation", "y");
        other.agency = r#"a"b"#.into();
        // The first write prepares the index by itself.
        index.upsert(vec![odd, other]).await.expect("upsert");
        let query = |agency: &str| domain::search::SearchQuery {
            q: String::new(),
            filter: domain::search::SearchFilter {
                agency: vec![agency.into()],
                ..Default::default()
            },
            limit: 10,
            offset: 0,
        };
        let ids = |r: domain::search::SearchResults| -> Vec<String> {
            r.hits.into_iter().map(|h| h.id).collect()
        };
        assert_eq!(
            ids(index.search(&query(r#"a"b\c"#)).await.expect("search")),
            vec!["draft-3"]
        );
        assert_eq!(
            ids(index.search(&query(r#"a"b"#)).await.expect("search")),
            vec!["draft-4"]
        );
        assert!(
            ids(index
                .search(&query(r#"a" OR agency = "a"#))
                .await
                .expect("search"))
            .is_empty()
        );
        let _ = index.delete_index().await;
    }
}
