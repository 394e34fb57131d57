//! Turning database rows into search documents. This is the one place that decides what is
//! public enough to index: published drafts and the provisions of their current version,
//! consultations of published drafts, and published comments whose author did not choose
//! `private` — with no author name, account or e-mail.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{DocKind, SearchDoc};
use crate::{
    entity::{agency, comment, consultation, draft, draft_version},
    error::DomainResult,
    service::{consultations, drafts},
    time::now_ms,
    types::{ModerationStatus, Publication},
};

/// How much of a draft's text goes into its own document (its provisions are indexed whole).
const MAX_DRAFT_TEXT: usize = 60_000;

pub fn draft_doc_id(id: i64) -> String {
    format!("draft-{id}")
}
pub fn consultation_doc_id(id: i64) -> String {
    format!("consultation-{id}")
}
pub fn comment_doc_id(id: i64) -> String {
    format!("comment-{id}")
}
pub fn provision_doc_id(draft_id: i64, provision_id: &str) -> String {
    format!("provision-{draft_id}-{provision_id}")
}

async fn agency_slugs<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> DomainResult<HashMap<i64, String>> {
    Ok(crate::service::agencies::by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, a): (i64, agency::Model)| (id, a.slug))
        .collect())
}

/// The documents of a draft (the draft and the provisions of its current version), or `None`
/// when the draft is not public and must not be in the index.
pub async fn draft_documents<C: ConnectionTrait>(
    conn: &C,
    draft_id: i64,
) -> DomainResult<Option<Vec<SearchDoc>>> {
    let Some(d) = draft::Entity::find_by_id(draft_id).one(conn).await? else {
        return Ok(None);
    };
    let (Some(published_at), Some(current)) = (d.published_at, d.current_version) else {
        return Ok(None);
    };
    let view = drafts::view_of(conn, d.clone()).await?;
    let status = view.status.as_str().to_string();
    let title = [Some(d.title_th.clone()), d.title_en.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let version = draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(d.id))
        .filter(draft_version::Column::Number.eq(current))
        .one(conn)
        .await?;
    // The draft's own document carries its whole text too, so that a draft matches (and is
    // related to others) by everything it says, not only by its summary.
    let text: String = version
        .as_ref()
        .map(|v| v.body_markdown.chars().take(MAX_DRAFT_TEXT).collect())
        .unwrap_or_default();
    let body = [
        d.summary_th.clone(),
        d.summary_en.clone(),
        Some(d.topics.join(" ")),
        Some(text),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    let base = SearchDoc {
        id: draft_doc_id(d.id),
        kind: DocKind::Draft,
        draft_id: d.id,
        consultation_id: None,
        provision_id: None,
        title: title.clone(),
        body,
        agency: view.agency_slug.clone(),
        status: Some(status.clone()),
        law_type: Some(d.law_type.as_str().to_string()),
        topics: d.topics.0.clone(),
        stance: None,
        respondent_type: None,
        province: None,
        date: published_at,
    };
    let mut docs = vec![base.clone()];
    if let Some(v) = version {
        for p in &v.provisions.0 {
            let heading = p
                .heading
                .clone()
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            docs.push(SearchDoc {
                id: provision_doc_id(d.id, &p.id),
                kind: DocKind::Provision,
                provision_id: Some(p.id.clone()),
                title: format!("{}{heading} · {}", p.label, d.title_th),
                body: p.text.clone(),
                date: v.published_at,
                ..base.clone()
            });
        }
    }
    Ok(Some(docs))
}

fn consultation_doc(
    c: &consultation::Model,
    d: &draft::Model,
    agency: &str,
    now: i64,
) -> SearchDoc {
    let topics: Vec<String> = d.topics.0.clone();
    let questions = c
        .questions
        .iter()
        .map(|q| q.prompt_th.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    SearchDoc {
        id: consultation_doc_id(c.id),
        kind: DocKind::Consultation,
        draft_id: d.id,
        consultation_id: Some(c.id),
        provision_id: None,
        title: [Some(d.title_th.clone()), d.title_en.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        body: [c.short_period_reason.clone().unwrap_or_default(), questions].join("\n"),
        agency: agency.to_string(),
        status: Some(consultations::status_at(c, now).as_str().to_string()),
        law_type: Some(d.law_type.as_str().to_string()),
        topics,
        stance: None,
        respondent_type: None,
        province: None,
        date: c.opens_at,
    }
}

pub async fn consultation_document<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<SearchDoc>> {
    let Some(c) = consultation::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let Some(d) = draft::Entity::find_by_id(c.draft_id).one(conn).await? else {
        return Ok(None);
    };
    if d.published_at.is_none() {
        return Ok(None);
    }
    let agencies = agency_slugs(conn, [d.agency_id]).await?;
    Ok(Some(consultation_doc(
        &c,
        &d,
        agencies.get(&d.agency_id).map_or("", String::as_str),
        now_ms(),
    )))
}

fn is_public(c: &comment::Model) -> bool {
    c.moderation_status == ModerationStatus::Published && c.publication != Publication::Private
}

/// Search documents for the given comments; comments that are not public are left out.
pub async fn comment_documents<C: ConnectionTrait>(
    conn: &C,
    comments: &[comment::Model],
) -> DomainResult<Vec<SearchDoc>> {
    let public: Vec<&comment::Model> = comments.iter().filter(|c| is_public(c)).collect();
    let consultation_ids: Vec<i64> = public.iter().map(|c| c.consultation_id).collect();
    let cons: HashMap<i64, consultation::Model> = if consultation_ids.is_empty() {
        HashMap::new()
    } else {
        consultation::Entity::find()
            .filter(consultation::Column::Id.is_in(consultation_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let draft_ids: Vec<i64> = cons.values().map(|c| c.draft_id).collect();
    let drafts: HashMap<i64, draft::Model> = if draft_ids.is_empty() {
        HashMap::new()
    } else {
        draft::Entity::find()
            .filter(draft::Column::Id.is_in(draft_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let agencies = agency_slugs(conn, drafts.values().map(|d| d.agency_id)).await?;
    let now = now_ms();
    let mut docs = Vec::new();
    for c in public {
        let Some(con) = cons.get(&c.consultation_id) else {
            continue;
        };
        let Some(d) = drafts
            .get(&con.draft_id)
            .filter(|d| d.published_at.is_some())
        else {
            continue;
        };
        docs.push(SearchDoc {
            id: comment_doc_id(c.id),
            kind: DocKind::Comment,
            draft_id: d.id,
            consultation_id: Some(con.id),
            provision_id: c.provision_id.clone(),
            title: d.title_th.clone(),
            body: c.body.clone(),
            agency: agencies.get(&d.agency_id).cloned().unwrap_or_default(),
            status: Some(consultations::status_at(con, now).as_str().to_string()),
            law_type: Some(d.law_type.as_str().to_string()),
            topics: d.topics.0.clone(),
            stance: Some(c.stance.as_str().to_string()),
            respondent_type: Some(c.respondent_type.as_str().to_string()),
            province: c.province.clone(),
            date: c.received_at,
        });
    }
    Ok(docs)
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
