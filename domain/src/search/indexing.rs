//! Keeping the index in step with the database. Services enqueue a `search_index` job in the
//! same transaction as each change to public content; the worker applies them in batches
//! ([`apply`]). `rabfang search reindex` rebuilds everything from the database ([`reindex`]).

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::{DocKind, SearchIndex, documents};
use crate::{
    entity::{comment, consultation, draft},
    error::DomainResult,
    jobs::{self, JobPayload},
};

/// What a `search_index` job refreshes: one draft (with its provisions), consultation or comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "doc", content = "id", rename_all = "snake_case")]
pub enum IndexTarget {
    Draft(i64),
    Consultation(i64),
    Comment(i64),
}

impl JobPayload for IndexTarget {
    const KIND: &'static str = "search_index";
}

/// `search_reindex`: rebuild the whole index from the database ([`reindex`]). `rabfang search
/// reindex` asks for it when another process (a running `rabfang serve` or worker) holds the
/// embedded index, so that the rebuild runs where the index is written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchReindexJob {}

impl JobPayload for SearchReindexJob {
    const KIND: &'static str = "search_reindex";
    const MAX_ATTEMPTS: i32 = 3;
}

/// Enqueues a refresh of `target` inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, target: IndexTarget) -> DomainResult<()> {
    jobs::enqueue(conn, &target).await.map(|_| ())
}

/// Errors of applying a batch: the database (retry) or the index (retry with backoff).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Db(#[from] crate::DomainError),
    #[error(transparent)]
    Search(#[from] super::SearchError),
}

/// Brings the index in line with the database for every target: public documents are
/// upserted, everything else is removed. Safe to run twice.
pub async fn apply<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
    targets: &[IndexTarget],
) -> Result<(), ApplyError> {
    let targets: BTreeSet<IndexTarget> = targets.iter().copied().collect();
    let mut upserts = Vec::new();
    let mut deletes = Vec::new();
    let mut comment_ids = Vec::new();
    for target in &targets {
        match *target {
            IndexTarget::Draft(id) => {
                // Provisions of an earlier version may be gone from the current one.
                index.delete_draft_kind(id, DocKind::Provision).await?;
                match documents::draft_documents(conn, id).await? {
                    Some(docs) => upserts.extend(docs),
                    None => deletes.push(documents::draft_doc_id(id)),
                }
            }
            IndexTarget::Consultation(id) => {
                match documents::consultation_document(conn, id).await? {
                    Some(doc) => upserts.push(doc),
                    None => deletes.push(documents::consultation_doc_id(id)),
                }
            }
            IndexTarget::Comment(id) => comment_ids.push(id),
        }
    }
    if !comment_ids.is_empty() {
        let rows = comment::Entity::find()
            .filter(comment::Column::Id.is_in(comment_ids.clone()))
            .all(conn)
            .await
            .map_err(crate::DomainError::from)?;
        let docs = documents::comment_documents(conn, &rows).await?;
        let indexed: BTreeSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        for id in &comment_ids {
            let doc_id = documents::comment_doc_id(*id);
            if !indexed.contains(doc_id.as_str()) {
                deletes.push(doc_id);
            }
        }
        upserts.extend(docs);
    }
    if !deletes.is_empty() {
        index.delete(deletes).await?;
    }
    if !upserts.is_empty() {
        index.upsert(upserts).await?;
    }
    Ok(())
}

/// Counts of documents written by [`reindex`].
#[derive(Debug, Default, Clone, Copy)]
pub struct ReindexProgress {
    pub done: u64,
    pub total: u64,
}

/// Rebuilds the whole index from the database, reporting progress after each batch.
pub async fn reindex<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
    mut progress: impl FnMut(ReindexProgress),
) -> Result<(), ApplyError> {
    use sea_orm::PaginatorTrait;
    let total = draft::Entity::find()
        .count(conn)
        .await
        .map_err(crate::DomainError::from)?
        + consultation::Entity::find()
            .count(conn)
            .await
            .map_err(crate::DomainError::from)?
        + comment::Entity::find()
            .count(conn)
            .await
            .map_err(crate::DomainError::from)?;
    let mut state = ReindexProgress { done: 0, total };
    index.clear().await?;
    progress(state);
    // Drafts (with provisions) and consultations, by id.
    let mut report = |n: usize| {
        state.done += n as u64;
        progress(state);
    };
    reindex_ids::<draft::Entity, _, _>(
        conn,
        index,
        draft::Column::Id,
        200,
        IndexTarget::Draft,
        &mut report,
    )
    .await?;
    reindex_ids::<consultation::Entity, _, _>(
        conn,
        index,
        consultation::Column::Id,
        500,
        IndexTarget::Consultation,
        &mut report,
    )
    .await?;
    let mut after = 0;
    loop {
        let rows = comment::Entity::find()
            .filter(comment::Column::Id.gt(after))
            .order_by_asc(comment::Column::Id)
            .limit(2000)
            .all(conn)
            .await
            .map_err(crate::DomainError::from)?;
        let Some(last) = rows.last().map(|c| c.id) else {
            break;
        };
        after = last;
        let docs = documents::comment_documents(conn, &rows).await?;
        index.upsert(docs).await?;
        report(rows.len());
    }
    Ok(())
}

/// Indexes every row of entity `E` by id, `batch` at a time, as `target(id)`; reports each batch.
async fn reindex_ids<E, C, I>(
    conn: &C,
    index: &I,
    id: E::Column,
    batch: u64,
    target: fn(i64) -> IndexTarget,
    report: &mut impl FnMut(usize),
) -> Result<(), ApplyError>
where
    E: EntityTrait,
    C: ConnectionTrait,
    I: SearchIndex,
{
    let mut after = 0;
    loop {
        let ids: Vec<i64> = E::find()
            .select_only()
            .column(id)
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(batch)
            .into_tuple()
            .all(conn)
            .await
            .map_err(crate::DomainError::from)?;
        let Some(&last) = ids.last() else {
            return Ok(());
        };
        after = last;
        let targets: Vec<IndexTarget> = ids.into_iter().map(target).collect();
        apply(conn, index, &targets).await?;
        report(targets.len());
    }
}

/// Whether every public row is in the index: (kind, in database, in index).
pub async fn compare_counts<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
) -> Result<Vec<(DocKind, u64, u64)>, ApplyError> {
    let db = documents::public_counts(conn).await?;
    let mut out = Vec::new();
    for kind in DocKind::ALL {
        out.push((
            kind,
            db.get(&kind).copied().unwrap_or(0),
            index.count(Some(kind)).await?,
        ));
    }
    Ok(out)
}

/// Published drafts whose text overlaps most with draft `id` (which `actor` must be able to
/// see), best first.
pub async fn related_drafts<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
    actor: Option<&crate::types::Actor>,
    id: i64,
    limit: usize,
) -> DomainResult<Vec<(crate::service::drafts::DraftView, f32)>> {
    use crate::service::drafts;
    let d = drafts::find_visible(conn, actor, crate::ids::DraftId(id)).await?;
    let mut text = [
        Some(d.title_th.clone()),
        d.title_en.clone(),
        d.summary_th.clone(),
        d.summary_en.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    if let Some(number) = d.current_version {
        let v = drafts::get_version(conn, actor, crate::ids::DraftId(id), number).await?;
        text.push('\n');
        text.push_str(&v.body_markdown);
    }
    let found = index.similar_drafts(id, &text, limit).await?;
    let ids: Vec<i64> = found.iter().map(|(i, _)| *i).collect();
    let rows = draft::Entity::find()
        .filter(draft::Column::Id.is_in(ids))
        .filter(draft::Column::PublishedAt.is_not_null())
        .all(conn)
        .await?;
    let views = drafts::views(conn, rows).await?;
    Ok(found
        .into_iter()
        .filter_map(|(i, score)| {
            views
                .iter()
                .find(|v| v.draft.id == i)
                .map(|v| (v.clone(), score))
        })
        .collect())
}
