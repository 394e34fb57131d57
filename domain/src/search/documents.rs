//! Turning database rows into search documents. This is the one place that decides what is
//! public enough to index: published drafts and the provisions of their current version,
//! consultations of published drafts, and published comments whose author did not choose
//! `private` — with no author name, account or e-mail. The functions here only build: they take
//! entities and values derived from them (a status, an agency's slug) and read nothing, so the
//! search module depends on no service; `service::indexing` loads the rows.

use super::{DocKind, SearchDoc};
use crate::{
    entity::{comment, consultation, draft, draft_version},
    provisions::Provision,
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

/// What a draft's documents carry besides its own row.
pub struct DraftFacts<'a> {
    /// The derived draft status (`in_consultation`, ...).
    pub status: &'a str,
    pub agency: &'a str,
    pub topics: &'a [String],
    /// The current version and its provisions.
    pub version: Option<(&'a draft_version::Model, &'a [Provision])>,
}

fn titles(d: &draft::Model) -> String {
    [Some(d.title_th.clone()), d.title_en.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The documents of a draft (the draft and the provisions of its current version), or `None`
/// when the draft is not public and must not be in the index.
pub fn draft_documents(d: &draft::Model, facts: DraftFacts<'_>) -> Option<Vec<SearchDoc>> {
    let (Some(published_at), Some(_)) = (d.published_at, d.current_version) else {
        return None;
    };
    // The draft's own document carries its whole text too, so that a draft matches (and is
    // related to others) by everything it says, not only by its summary.
    let text: String = facts
        .version
        .map(|(v, _)| v.body_markdown.chars().take(MAX_DRAFT_TEXT).collect())
        .unwrap_or_default();
    let body = [
        d.summary_th.clone(),
        d.summary_en.clone(),
        Some(facts.topics.join(" ")),
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
        title: titles(d),
        body,
        agency: facts.agency.to_string(),
        status: Some(facts.status.to_string()),
        law_type: Some(d.law_type.to_string()),
        topics: facts.topics.to_vec(),
        stance: None,
        respondent_type: None,
        province: None,
        date: published_at,
    };
    let mut docs = vec![base.clone()];
    if let Some((v, provisions)) = facts.version {
        for p in provisions {
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
    Some(docs)
}

/// The document of consultation `c` of draft `d`, or `None` when the draft is not public.
/// `status` is the consultation's status now; `questions` are the prompts of its questions.
pub fn consultation_document(
    c: &consultation::Model,
    d: &draft::Model,
    agency: &str,
    status: &str,
    topics: &[String],
    questions: &[String],
) -> Option<SearchDoc> {
    d.published_at?;
    Some(SearchDoc {
        id: consultation_doc_id(c.id),
        kind: DocKind::Consultation,
        draft_id: d.id,
        consultation_id: Some(c.id),
        provision_id: None,
        title: titles(d),
        body: [
            c.short_period_reason.clone().unwrap_or_default(),
            questions.join("\n"),
        ]
        .join("\n"),
        agency: agency.to_string(),
        status: Some(status.to_string()),
        law_type: Some(d.law_type.to_string()),
        topics: topics.to_vec(),
        stance: None,
        respondent_type: None,
        province: None,
        date: c.opens_at,
    })
}

/// Whether a comment may be indexed (and shown publicly).
pub fn is_public(c: &comment::Model) -> bool {
    c.moderation_status == ModerationStatus::Published && c.publication != Publication::Private
}

/// The document of comment `c` on consultation `con` of draft `d`, or `None` when the comment
/// or the draft is not public. `status` is the consultation's status now.
pub fn comment_document(
    c: &comment::Model,
    con: &consultation::Model,
    d: &draft::Model,
    agency: &str,
    status: &str,
    topics: &[String],
) -> Option<SearchDoc> {
    if !is_public(c) || d.published_at.is_none() {
        return None;
    }
    Some(SearchDoc {
        id: comment_doc_id(c.id),
        kind: DocKind::Comment,
        draft_id: d.id,
        consultation_id: Some(con.id),
        provision_id: c.provision_id.clone(),
        title: d.title_th.clone(),
        body: c.body.clone(),
        agency: agency.to_string(),
        status: Some(status.to_string()),
        law_type: Some(d.law_type.to_string()),
        topics: topics.to_vec(),
        stance: Some(c.stance.to_string()),
        respondent_type: Some(c.respondent_type.to_string()),
        province: c.province.clone(),
        date: c.received_at,
    })
}
