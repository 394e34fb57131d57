//! Full-text search over public content, behind one trait with two real backends: an embedded
//! tantivy index with charabia's Thai segmentation (the default, in `$RABFANG_DATA_DIR/search`)
//! and Meilisearch (production, chosen by `RABFANG_MEILISEARCH_URL`). Both pass the same
//! contract tests (`contract.rs`, compiled only for tests: the `test-support` feature).
//!
//! Only public content reaches an index: published drafts and their provisions, consultations of
//! published drafts, and published, non-private comments (body, stance, provision, respondent
//! type, province; never an author's name or e-mail). The index is derived data: it is written
//! by jobs and can be rebuilt from the database at any time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod backend;
#[cfg(any(test, feature = "test-support"))]
pub mod contract;
pub mod documents;
pub mod embedded;
pub mod meilisearch;
mod pool;
mod read_at_directory;
pub mod text;
mod word_offsets;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Draft,
    Provision,
    Consultation,
    Comment,
}

impl DocKind {
    pub const ALL: [DocKind; 4] = [
        DocKind::Draft,
        DocKind::Provision,
        DocKind::Consultation,
        DocKind::Comment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Draft => "draft",
            DocKind::Provision => "provision",
            DocKind::Consultation => "consultation",
            DocKind::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A public document as indexed. Ids are stable strings: `draft-12`, `provision-12-s5`,
/// `consultation-4`, `comment-991` (only `[a-z0-9-]`, which both backends accept as primary keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: String,
    pub kind: DocKind,
    /// The draft this document belongs to (every kind has one).
    pub draft_id: i64,
    pub consultation_id: Option<i64>,
    /// For provisions, and comments on one provision: the provision's stable id (`s5`).
    pub provision_id: Option<String>,
    /// Short text shown as the hit's title: draft titles (Thai and English), a provision's label
    /// and heading, a consultation's draft title. Searchable.
    pub title: String,
    /// The main text: summaries and topics, a provision's text, a comment's body. Searchable.
    pub body: String,
    /// Agency slug.
    pub agency: String,
    /// Draft status for drafts and provisions; consultation status for consultations and comments.
    pub status: Option<String>,
    pub law_type: Option<String>,
    pub topics: Vec<String>,
    /// Comments only.
    pub stance: Option<String>,
    pub respondent_type: Option<String>,
    pub province: Option<String>,
    /// Milliseconds since the epoch: a draft's publication, a consultation's opening, a comment's receipt.
    pub date: i64,
}

/// Typed filters: every field is a value, never a query string, so nothing a client sends can
/// change the shape of the backend query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFilter {
    /// Empty means every kind.
    pub kinds: Vec<DocKind>,
    /// Any of these agencies (slugs); empty means every agency.
    pub agency: Vec<String>,
    pub status: Option<String>,
    /// Any of these law types; empty means every law type.
    pub law_type: Vec<String>,
    /// Any of these topics; empty means every topic.
    pub topic: Vec<String>,
    pub draft_id: Option<i64>,
    pub consultation_id: Option<i64>,
    pub stance: Option<String>,
    /// Inclusive bounds on `date`.
    pub date_from: Option<i64>,
    pub date_to: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The words typed. Empty matches every document that passes the filter (newest first).
    pub q: String,
    pub filter: SearchFilter,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub kind: DocKind,
    pub draft_id: i64,
    pub consultation_id: Option<i64>,
    pub provision_id: Option<String>,
    pub title: String,
    /// A short extract of the matching text, HTML-escaped, with matches wrapped in `<mark>`.
    pub snippet: String,
    pub score: f32,
}

/// Counts of matching documents per value, for the facets shown beside results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facets {
    pub agency: BTreeMap<String, u64>,
    pub law_type: BTreeMap<String, u64>,
    pub status: BTreeMap<String, u64>,
    pub topic: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Number of matching documents (exact for the embedded index, Meilisearch's estimate or exact total otherwise).
    pub total: u64,
    pub facets: Facets,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The backend cannot be reached or did not answer in time: retry later.
    #[error("the search backend is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type SearchResult<T> = Result<T, SearchError>;

/// One search index. Writes are idempotent (upserting the same document twice, or deleting a
/// missing one, is fine) so that jobs can safely run twice.
pub trait SearchIndex: Send + Sync {
    /// Adds or replaces documents by id.
    fn upsert(&self, docs: Vec<SearchDoc>) -> impl Future<Output = SearchResult<()>> + Send;
    /// Removes documents by id.
    fn delete(&self, ids: Vec<String>) -> impl Future<Output = SearchResult<()>> + Send;
    /// Removes every document of `kind` belonging to `draft_id` (the provisions of a replaced version).
    fn delete_draft_kind(
        &self,
        draft_id: i64,
        kind: DocKind,
    ) -> impl Future<Output = SearchResult<()>> + Send;
    fn search(
        &self,
        query: &SearchQuery,
    ) -> impl Future<Output = SearchResult<SearchResults>> + Send;
    /// Drafts whose text overlaps most with `text`, best first, excluding `draft_id`.
    fn similar_drafts(
        &self,
        draft_id: i64,
        text: &str,
        limit: usize,
    ) -> impl Future<Output = SearchResult<Vec<(i64, f32)>>> + Send;
    /// Number of documents of a kind (all kinds for `None`).
    fn count(&self, kind: Option<DocKind>) -> impl Future<Output = SearchResult<u64>> + Send;
    /// Removes every document (before a full reindex).
    fn clear(&self) -> impl Future<Output = SearchResult<()>> + Send;
}
