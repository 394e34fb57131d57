//! The configured search backend: Meilisearch when `RABFANG_MEILISEARCH_URL` is set, otherwise
//! the embedded index under `$RABFANG_DATA_DIR/search`.

use super::{
    DocKind, SearchDoc, SearchIndex, SearchQuery, SearchResult, SearchResults,
    embedded::EmbeddedIndex, meilisearch::MeiliIndex,
};
use crate::settings::Settings;

pub enum Search {
    Embedded(EmbeddedIndex),
    Meili(Box<MeiliIndex>),
}

impl Search {
    /// Opens the backend the settings name. Meilisearch is not contacted here, so the API
    /// starts (and everything but search works) while it is down.
    pub fn open(settings: &Settings, index_prefix: &str) -> anyhow::Result<Search> {
        Ok(match &settings.meilisearch_url {
            Some(url) => Search::Meili(Box::new(MeiliIndex::connect(
                url,
                settings.meilisearch_key.as_ref().map(|k| k.expose()),
                index_prefix,
            )?)),
            None => Search::Embedded(EmbeddedIndex::open(&settings.data_dir.join("search"))?),
        })
    }

    /// Whether this process may write the index: `false` when another process holds the
    /// embedded index's writer. Meilisearch takes writes from every process.
    pub fn can_write(&self) -> anyhow::Result<bool> {
        match self {
            Search::Embedded(i) => i.take_writer(),
            Search::Meili(_) => Ok(true),
        }
    }

    /// Whether the backend lost its documents on opening (an embedded index of another
    /// version, emptied) and must be filled again from the database.
    pub fn needs_reindex(&self) -> bool {
        match self {
            Search::Embedded(i) => i.recreated(),
            Search::Meili(_) => false,
        }
    }

    /// Prepares the backend (Meilisearch: creates the index and applies its settings).
    pub async fn prepare(&self) -> SearchResult<()> {
        match self {
            Search::Embedded(_) => Ok(()),
            Search::Meili(m) => m.ensure_settings().await,
        }
    }

    /// Starts a full rebuild and returns the index to fill. The embedded index is cleared and
    /// filled in place (searches meanwhile see it filling); Meilisearch gets a fresh index
    /// beside the live one, which keeps answering until [`Search::finish_rebuild`] swaps them.
    pub async fn begin_rebuild(&self) -> SearchResult<Search> {
        match self {
            Search::Embedded(i) => {
                i.clear().await?;
                Ok(Search::Embedded(i.clone()))
            }
            Search::Meili(m) => Ok(Search::Meili(Box::new(m.begin_rebuild().await?))),
        }
    }

    /// Puts a filled rebuild in service (Meilisearch: one atomic swap, then the old index is
    /// deleted).
    pub async fn finish_rebuild(&self, rebuilt: Search) -> SearchResult<()> {
        match (self, rebuilt) {
            (Search::Meili(m), Search::Meili(staging)) => m.finish_rebuild(&staging).await,
            _ => Ok(()),
        }
    }

    /// Drops a rebuild that failed half-way (Meilisearch: deletes the fresh index; the live
    /// one was never touched).
    pub async fn abandon_rebuild(&self, rebuilt: Search) {
        if let Search::Meili(staging) = rebuilt
            && let Err(e) = staging.delete_index().await
        {
            tracing::warn!(error = %e, index = staging.index_uid(), "could not delete an abandoned rebuild");
        }
    }
}

impl SearchIndex for Search {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> SearchResult<()> {
        match self {
            Search::Embedded(i) => i.upsert(docs).await,
            Search::Meili(i) => i.upsert(docs).await,
        }
    }
    async fn delete(&self, ids: Vec<String>) -> SearchResult<()> {
        match self {
            Search::Embedded(i) => i.delete(ids).await,
            Search::Meili(i) => i.delete(ids).await,
        }
    }
    async fn delete_draft_kind(&self, draft_id: i64, kind: DocKind) -> SearchResult<()> {
        match self {
            Search::Embedded(i) => i.delete_draft_kind(draft_id, kind).await,
            Search::Meili(i) => i.delete_draft_kind(draft_id, kind).await,
        }
    }
    async fn search(&self, query: &SearchQuery) -> SearchResult<SearchResults> {
        match self {
            Search::Embedded(i) => i.search(query).await,
            Search::Meili(i) => i.search(query).await,
        }
    }
    async fn similar_drafts(
        &self,
        draft_id: i64,
        text: &str,
        limit: usize,
    ) -> SearchResult<Vec<(i64, f32)>> {
        match self {
            Search::Embedded(i) => i.similar_drafts(draft_id, text, limit).await,
            Search::Meili(i) => i.similar_drafts(draft_id, text, limit).await,
        }
    }
    async fn count(&self, kind: Option<DocKind>) -> SearchResult<u64> {
        match self {
            Search::Embedded(i) => i.count(kind).await,
            Search::Meili(i) => i.count(kind).await,
        }
    }
    async fn clear(&self) -> SearchResult<()> {
        match self {
            Search::Embedded(i) => i.clear().await,
            Search::Meili(i) => i.clear().await,
        }
    }
}
