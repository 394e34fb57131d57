//! The search backend contract (`domain::search::contract`), run against the embedded index
//! always, and against a real Meilisearch when `TEST_MEILISEARCH_URL` is set (each test with its
//! own index, deleted afterwards). With `CI=true`, an unreachable Meilisearch fails the tests.

use domain::search::{contract, embedded::EmbeddedIndex, meilisearch::MeiliIndex};

fn embedded() -> EmbeddedIndex {
    EmbeddedIndex::in_ram().expect("an in-memory index")
}

/// A fresh Meilisearch index, or `None` when no server was given.
async fn meili() -> Option<MeiliIndex> {
    let url = std::env::var("TEST_MEILISEARCH_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let key = std::env::var("TEST_MEILISEARCH_KEY").ok();
    let prefix = format!(
        "contract_{}_",
        std::process::id() as u64 * 1_000_000 + rand::random::<u32>() as u64 % 1_000_000
    );
    let index = MeiliIndex::connect(&url, key.as_deref(), &prefix).expect("a Meilisearch URL");
    index
        .ensure_settings()
        .await
        .expect("TEST_MEILISEARCH_URL is set but Meilisearch is not usable");
    Some(index)
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
                async fn $name() {
                    if let Some(index) = meili().await {
                        contract::$name(&index).await;
                        let _ = index.delete_index().await;
                    }
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
/// `เสือ` (tiger) and `เสื้อ` (shirt) are one word — a documented limitation of that backend.
#[tokio::test]
async fn embedded_thai_marks_distinguish_words() {
    contract::thai_marks_distinguish_words(&embedded()).await;
}
