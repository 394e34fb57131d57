//! Keeping the search index in step with the database. Services enqueue a `search_index` job
//! (`jobs::IndexTarget`) in the same transaction as each change to public content; the worker
//! applies a batch of them as one [`Refresh`] ([`apply`]). `rabfang search reindex` rebuilds everything from the
//! database ([`reindex`]). This module loads the rows; `search::documents` decides what of
//! them is public and builds the documents.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{agencies, consultations, drafts};
use crate::{
    entity::{comment, consultation, draft, draft_version},
    error::DomainResult,
    search::{
        DocKind, SearchDoc, SearchError, SearchIndex,
        backend::Search,
        documents::{self, DraftFacts},
    },
    time::now_ms,
    types::{ModerationStatus, Publication},
};

async fn agency_slugs<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> DomainResult<HashMap<i64, String>> {
    Ok(agencies::by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, a)| (id, a.slug))
        .collect())
}

/// The documents of a draft and of the provisions of its current version, or `None` when the
/// draft is not public.
pub async fn draft_documents<C: ConnectionTrait>(
    conn: &C,
    draft_id: i64,
) -> DomainResult<Option<Vec<SearchDoc>>> {
    let Some(d) = draft::Entity::find_by_id(draft_id).one(conn).await? else {
        return Ok(None);
    };
    let (Some(_), Some(current)) = (d.published_at, d.current_version) else {
        return Ok(None);
    };
    let view = drafts::view_of(conn, d.clone()).await?;
    let version = draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(d.id))
        .filter(draft_version::Column::Number.eq(current))
        .one(conn)
        .await?;
    Ok(documents::draft_documents(
        &d,
        DraftFacts {
            status: view.status.as_str(),
            agency: &view.agency_slug,
            topics: &d.topics,
            version: version.as_ref().map(|v| (v, v.provisions.as_slice())),
        },
    ))
}

async fn consultation_document<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<SearchDoc>> {
    let Some(c) = consultation::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let Some(d) = draft::Entity::find_by_id(c.draft_id).one(conn).await? else {
        return Ok(None);
    };
    let agencies = agency_slugs(conn, [d.agency_id]).await?;
    let questions: Vec<String> = c.questions.iter().map(|q| q.prompt_th.clone()).collect();
    Ok(documents::consultation_document(
        &c,
        &d,
        agencies.get(&d.agency_id).map_or("", String::as_str),
        consultations::status_at(&c, now_ms()).as_str(),
        &d.topics,
        &questions,
    ))
}

/// Search documents for the given comments; comments that are not public are left out.
async fn comment_documents<C: ConnectionTrait>(
    conn: &C,
    comments: &[comment::Model],
) -> DomainResult<Vec<SearchDoc>> {
    let public: Vec<&comment::Model> = comments
        .iter()
        .filter(|c| documents::is_public(c))
        .collect();
    let cons = super::by_ids::<consultation::Entity, _>(
        conn,
        consultation::Column::Id,
        public.iter().map(|c| c.consultation_id),
        |c| c.id,
    )
    .await?;
    let drafts = super::by_ids::<draft::Entity, _>(
        conn,
        draft::Column::Id,
        cons.values().map(|c| c.draft_id),
        |d| d.id,
    )
    .await?;
    let agencies = agency_slugs(conn, drafts.values().map(|d| d.agency_id)).await?;
    let now = now_ms();
    Ok(public
        .into_iter()
        .filter_map(|c| {
            let con = cons.get(&c.consultation_id)?;
            let d = drafts.get(&con.draft_id)?;
            documents::comment_document(
                c,
                con,
                d,
                agencies.get(&d.agency_id).map_or("", String::as_str),
                consultations::status_at(con, now).as_str(),
                &d.topics,
            )
        })
        .collect())
}

/// Errors of applying a batch: the database (retry) or the index (retry with backoff).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Db(#[from] crate::DomainError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// What [`apply`] brings in line with the database, by id: drafts (with the provisions of
/// their current version), consultations and comments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refresh {
    pub drafts: BTreeSet<i64>,
    pub consultations: BTreeSet<i64>,
    pub comments: BTreeSet<i64>,
}

impl Refresh {
    pub fn len(&self) -> usize {
        self.drafts.len() + self.consultations.len() + self.comments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Brings the index in line with the database for everything in `refresh`: public documents
/// are upserted, everything else is removed. Safe to run twice.
pub async fn apply<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
    refresh: &Refresh,
) -> Result<(), ApplyError> {
    let mut upserts = Vec::new();
    let mut deletes = Vec::new();
    for &id in &refresh.drafts {
        // Provisions of an earlier version may be gone from the current one.
        index.delete_draft_kind(id, DocKind::Provision).await?;
        match draft_documents(conn, id).await? {
            Some(docs) => upserts.extend(docs),
            None => deletes.push(documents::draft_doc_id(id)),
        }
    }
    for &id in &refresh.consultations {
        match consultation_document(conn, id).await? {
            Some(doc) => upserts.push(doc),
            None => deletes.push(documents::consultation_doc_id(id)),
        }
    }
    let comment_ids: Vec<i64> = refresh.comments.iter().copied().collect();
    if !comment_ids.is_empty() {
        let rows = comment::Entity::find()
            .filter(comment::Column::Id.is_in(comment_ids.clone()))
            .all(conn)
            .await
            .map_err(crate::DomainError::from)?;
        let docs = comment_documents(conn, &rows).await?;
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

/// Queues a rebuild of the search index when opening it found an index of another version
/// and emptied it ([`Search::needs_reindex`]): `serve` and `rabfang-worker` call this once the
/// database is current, so whichever process opened the index first queues the rebuild.
/// Returns the job's id when one was queued.
pub async fn rebuild_if_emptied(ctx: &crate::Context) -> DomainResult<Option<i64>> {
    if !ctx.search.needs_reindex() {
        return Ok(None);
    }
    let id = crate::jobs::enqueue(&ctx.db.conn, &crate::jobs::SearchReindexJob::default()).await?;
    tracing::warn!(job = id, "the search index is rebuilt from the database");
    Ok(Some(id))
}

/// Rebuilds the whole index from the database, reporting progress after each batch. On
/// Meilisearch the documents go to a fresh index that replaces the live one in one swap at the
/// end, so searches never see a half-filled index (see [`Search::begin_rebuild`]). A
/// `search_index` job that ran during the rebuild wrote the index that was then replaced; so,
/// after the swap, every such job of the rebuild's time is applied again to the new index
/// (the jobs table keeps them, and applying is idempotent): no change is lost.
pub async fn reindex<C: ConnectionTrait>(
    conn: &C,
    search: &Search,
    progress: impl FnMut(ReindexProgress),
) -> Result<(), ApplyError> {
    let started = now_ms();
    let target = search.begin_rebuild().await?;
    match fill(conn, &target, progress).await {
        Ok(()) => {
            search.finish_rebuild(target).await?;
            apply(conn, search, &indexed_since(conn, started).await?).await
        }
        Err(e) => {
            search.abandon_rebuild(target).await;
            Err(e)
        }
    }
}

/// What the `search_index` jobs updated (or enqueued) since `since` refreshed.
async fn indexed_since<C: ConnectionTrait>(conn: &C, since: i64) -> DomainResult<Refresh> {
    use crate::jobs::{BackgroundJob, IndexTarget};
    let rows = crate::entity::job::Entity::find()
        .filter(crate::entity::job::Column::Kind.eq(IndexTarget::KIND))
        .filter(crate::entity::job::Column::UpdatedAt.gte(since))
        .all(conn)
        .await?;
    let mut refresh = Refresh::default();
    for row in rows {
        match serde_json::from_str::<IndexTarget>(&row.payload) {
            Ok(IndexTarget::Draft(id)) => refresh.drafts.insert(id),
            Ok(IndexTarget::Consultation(id)) => refresh.consultations.insert(id),
            Ok(IndexTarget::Comment(id)) => refresh.comments.insert(id),
            Err(_) => false,
        };
    }
    Ok(refresh)
}

/// Writes every public document of the database into `index`.
async fn fill<C: ConnectionTrait, I: SearchIndex>(
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
        |r| &mut r.drafts,
        &mut report,
    )
    .await?;
    reindex_ids::<consultation::Entity, _, _>(
        conn,
        index,
        consultation::Column::Id,
        500,
        |r| &mut r.consultations,
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
        let docs = comment_documents(conn, &rows).await?;
        index.upsert(docs).await?;
        report(rows.len());
    }
    Ok(())
}

/// Indexes every row of entity `E` by id, `batch` at a time, as the ids of `kind` of a
/// [`Refresh`]; reports each batch.
async fn reindex_ids<E, C, I>(
    conn: &C,
    index: &I,
    id: E::Column,
    batch: u64,
    kind: fn(&mut Refresh) -> &mut BTreeSet<i64>,
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
        let mut refresh = Refresh::default();
        kind(&mut refresh).extend(ids);
        apply(conn, index, &refresh).await?;
        report(refresh.len());
    }
}

/// Whether every public row is in the index: (kind, in database, in index).
pub async fn compare_counts<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
) -> Result<Vec<(DocKind, u64, u64)>, ApplyError> {
    let db = public_counts(conn).await?;
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

/// Refreshes what carries a consultation's status in the index: the consultation, its draft
/// and its comments (after it opened or closed).
pub async fn apply_consultation<C: ConnectionTrait, I: SearchIndex>(
    conn: &C,
    index: &I,
    c: &consultation::Model,
) -> Result<(), ApplyError> {
    apply(
        conn,
        index,
        &Refresh {
            drafts: [c.draft_id].into(),
            consultations: [c.id].into(),
            ..Default::default()
        },
    )
    .await?;
    let mut after = 0;
    loop {
        let ids: Vec<i64> = comment::Entity::find()
            .select_only()
            .column(comment::Column::Id)
            .filter(comment::Column::ConsultationId.eq(c.id))
            .filter(comment::Column::Id.gt(after))
            .order_by_asc(comment::Column::Id)
            .limit(2000)
            .into_tuple()
            .all(conn)
            .await
            .map_err(crate::DomainError::from)?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let comments = ids.into_iter().collect();
        apply(
            conn,
            index,
            &Refresh {
                comments,
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// Public counts in the database, by kind: what a complete index must hold.
pub async fn public_counts<C: ConnectionTrait>(conn: &C) -> DomainResult<HashMap<DocKind, u64>> {
    let mut counts = HashMap::new();
    let mut drafts_n = 0;
    let mut provisions_n = 0;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = draft::Entity::find()
            .select_only()
            .column(draft::Column::Id)
            .filter(draft::Column::Id.gt(after))
            .filter(draft::Column::PublishedAt.is_not_null())
            .order_by_asc(draft::Column::Id)
            .limit(500)
            .into_tuple()
            .all(conn)
            .await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids {
            if let Some(docs) = draft_documents(conn, id).await? {
                drafts_n += 1;
                provisions_n += docs.len() as u64 - 1;
            }
        }
    }
    counts.insert(DocKind::Draft, drafts_n);
    counts.insert(DocKind::Provision, provisions_n);
    use sea_orm::PaginatorTrait;
    let published_drafts = sea_orm::sea_query::Query::select()
        .column(draft::Column::Id)
        .from(draft::Entity)
        .and_where(draft::Column::PublishedAt.is_not_null())
        .to_owned();
    counts.insert(
        DocKind::Consultation,
        consultation::Entity::find()
            .filter(consultation::Column::DraftId.in_subquery(published_drafts.clone()))
            .count(conn)
            .await?,
    );
    let public_consultations = sea_orm::sea_query::Query::select()
        .column(consultation::Column::Id)
        .from(consultation::Entity)
        .and_where(consultation::Column::DraftId.in_subquery(published_drafts))
        .to_owned();
    counts.insert(
        DocKind::Comment,
        comment::Entity::find()
            .filter(comment::Column::ModerationStatus.eq(ModerationStatus::Published.as_str()))
            .filter(comment::Column::Publication.ne(Publication::Private.as_str()))
            .filter(comment::Column::ConsultationId.in_subquery(public_consultations))
            .count(conn)
            .await?,
    );
    Ok(counts)
}
