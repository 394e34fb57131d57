//! The drafts list and a draft's page: its facts, its consultations, a table of contents by
//! chapter (หมวด) and every provision with a stable anchor (`#s5`).

use std::sync::Arc;

use askama::Template;
use domain::{
    entity::{consultation, draft_version},
    ids::DraftId,
    provisions::Provision,
    service::{
        drafts::{self, DraftFilter, DraftView, VersionRef},
        page::PageRequest,
    },
    types::{DraftStatus, LawType},
};
use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Query},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    Chrome, PageId,
    consultations::{Choice, choices},
    given,
    i18n::Lang,
    link, render,
    texts::TextKey,
    visitor,
};
use crate::{AppState, caching};

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    law_type: Option<String>,
    agency: Option<String>,
    topic: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/drafts/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<DraftView>,
    statuses: Vec<Choice>,
    law_types: Vec<Choice>,
    agencies: Vec<Choice>,
    topic: String,
    next: Option<String>,
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Query(q): Query<ListQuery>) -> Response {
    let status = given(&q.status).and_then(|s| DraftStatus::parse(&s));
    let law_type = given(&q.law_type).and_then(|s| LawType::parse(&s));
    let Ok(page) = PageRequest::parse(Some(50), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let agency = given(&q.agency);
    let topic = super::topic(&q.topic);
    let filter = DraftFilter {
        status,
        law_type,
        agency: agency.clone(),
        topic: topic.clone(),
        updated_since: None,
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        Ok::<_, domain::DomainError>((
            drafts::list_drafts(conn, None, filter, page).await?,
            super::agencies::all(conn).await?,
        ))
    };
    let (found, all_agencies) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let chrome = Chrome::new(req, "nav-drafts");
    let next = found.next_cursor.map(|c| {
        let filters = [
            ("status", status.map(DraftStatus::as_str)),
            ("law_type", law_type.map(LawType::as_str)),
            ("agency", agency.as_deref()),
            ("topic", topic.as_deref()),
            ("cursor", Some(c.as_str())),
        ];
        link(&chrome, "/drafts", &filters)
    });
    let page = ListPage {
        statuses: choices(&chrome, "draft-status", DraftStatus::ALL, status),
        law_types: choices(&chrome, "law-type", LawType::ALL, law_type),
        agencies: super::agencies::choices(&chrome, &all_agencies, agency.as_deref()),
        topic: topic.unwrap_or_default(),
        chrome,
        items: found.items,
        next,
    };
    render(req, StatusCode::OK, page)
}

/// The provisions under one chapter heading (or none, before the first chapter).
pub struct Section {
    pub title: Option<String>,
    pub anchor: String,
    pub provisions: Vec<Provision>,
}

/// Groups provisions by their chapter, in order.
fn sections(provisions: Vec<Provision>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for p in provisions {
        match out.last_mut() {
            Some(s) if s.title == p.chapter => s.provisions.push(p),
            _ => out.push(Section {
                anchor: format!("part-{}", out.len() + 1),
                title: p.chapter.clone(),
                provisions: vec![p],
            }),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "pages/drafts/show.html")]
struct ShowPage {
    chrome: Chrome,
    facts: ShowFacts,
    /// The version's table of contents and provisions, rendered once (see [`super::texts`]).
    text: Arc<str>,
}

/// What a draft page is made of besides its version's text (which the version's row id names,
/// as versions never change): its `ETag` is a hash of these, taken before anything is rendered.
#[derive(Debug)]
struct ShowFacts {
    view: DraftView,
    version: Option<VersionRef>,
    consultations: Vec<consultation::Model>,
    /// The consultation open now on the shown version: each provision links to comment on it.
    open_consultation: Option<i64>,
    /// Every published version (number, publication time), for the version selector.
    versions: Vec<(i32, i64)>,
    /// When the impact assessment was published, if it was.
    assessment_published: Option<i64>,
    timeline: Vec<Step>,
}

/// One step of a draft's way to becoming law, and whether it is done.
#[derive(Debug)]
pub struct Step {
    pub key: &'static str,
    pub done: bool,
    pub current: bool,
}

/// Preparation, hearing, summary, impact assessment, submitted: what is done at `now`.
fn timeline(
    status: DraftStatus,
    consultations: &[consultation::Model],
    assessment_published: Option<i64>,
    now: i64,
) -> Vec<Step> {
    let heard = consultations.iter().any(|c| c.closes_at <= now);
    let summarised = consultations
        .iter()
        .any(|c| c.summary_published_at.is_some());
    let submitted = matches!(status, DraftStatus::Submitted | DraftStatus::Enacted);
    let done = [
        ("timeline-preparation", true),
        ("timeline-hearing", heard),
        ("timeline-summary", summarised),
        ("timeline-assessment", assessment_published.is_some()),
        ("timeline-submitted", submitted),
    ];
    let current = done.iter().position(|(_, d)| !d);
    done.iter()
        .enumerate()
        .map(|(i, (key, d))| Step {
            key,
            done: *d,
            current: Some(i) == current,
        })
        .collect()
}

/// A version's table of contents and provisions (`pages/drafts/text.html`).
#[derive(Template)]
#[template(path = "pages/drafts/text.html")]
struct VersionText<'a> {
    chrome: &'a Chrome,
    sections: Vec<Section>,
    open_consultation: Option<i64>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowQuery {
    version: Option<String>,
}

/// A draft's page. Its `ETag` comes from the draft's rows without the version's text, so a
/// revalidation is answered before the page is rendered; the version's text is rendered once
/// per version, language and open consultation, and kept ([`super::texts`]).
#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let wanted = match given(&q.version).map(|v| v.parse::<i32>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return super::not_found(req),
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let view = drafts::get_draft(conn, None, DraftId(id)).await?;
        let refs = drafts::version_refs(conn, DraftId(id)).await?;
        let version = match wanted.or(view.draft.current_version) {
            Some(n) => Some(
                *refs
                    .iter()
                    .find(|v| v.number == n)
                    .ok_or(domain::DomainError::NotFound("version"))?,
            ),
            None => None,
        };
        let consultations = consultation::Entity::find()
            .filter(consultation::Column::DraftId.eq(id))
            .order_by_asc(consultation::Column::OpensAt)
            .all(conn)
            .await?;
        let assessment_published =
            domain::service::assessments::published_at(conn, DraftId(id)).await?;
        let versions = refs.iter().map(|v| (v.number, v.published_at)).collect();
        Ok::<_, domain::DomainError>((view, version, consultations, versions, assessment_published))
    };
    let (view, version, consultations, versions, assessment_published) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let now = domain::time::now_ms();
    let open_consultation = consultations
        .iter()
        .find(|c| {
            domain::service::consultations::status_at(c, now)
                == domain::types::ConsultationStatus::Open
                && Some(c.version_number) == version.map(|v| v.number)
        })
        .map(|c| c.id);
    let facts = ShowFacts {
        timeline: timeline(view.status, &consultations, assessment_published, now),
        view,
        version,
        consultations,
        open_consultation,
        versions,
        assessment_published,
    };
    // Everything the page shows: the facts, the address (language, query, the other
    // language's link) and who is signed in (the header).
    let account = visitor::signed_in(req).map(|s| s.display_name);
    let etag = caching::etag_of(format!("{}\n{account:?}\n{facts:?}", req.uri()).as_bytes());
    if account.is_none() && caching::fresh(req, &etag) {
        return caching::not_modified(etag);
    }
    let (lang, _) = Lang::of_path(req.uri().path());
    let key = facts.version.map(|v| TextKey {
        version_id: v.id,
        lang,
        open_consultation: facts.open_consultation,
    });
    let kept = key.and_then(|key| state.texts.get(&key));
    let unrendered = match (key, &kept) {
        (Some(key), None) => {
            match draft_version::Entity::find_by_id(key.version_id)
                .one(conn)
                .await
            {
                Ok(Some(row)) => Some(row.provisions.0),
                Ok(None) => return super::not_found(req),
                Err(e) => return super::error_page(req, e.into()),
            }
        }
        _ => None,
    };
    let mut chrome = Chrome::new(req, "nav-drafts");
    chrome.title = facts.view.draft.title_th.clone();
    let text = match (kept, unrendered, key) {
        (Some(text), _, _) => text,
        (None, Some(provisions), Some(key)) => {
            let page = VersionText {
                chrome: &chrome,
                sections: sections(provisions),
                open_consultation: facts.open_consultation,
            };
            match page.render() {
                Ok(text) => {
                    let text: Arc<str> = text.into();
                    state.texts.keep(key, Arc::clone(&text));
                    text
                }
                Err(e) => {
                    let e = domain::DomainError::Internal(anyhow::anyhow!("rendering: {e}"));
                    return super::error_page(req, e);
                }
            }
        }
        _ => Arc::from(""),
    };
    let mut response = render(
        req,
        StatusCode::OK,
        ShowPage {
            chrome,
            facts,
            text,
        },
    );
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// One provision's change between two versions, ready to show.
pub struct Change {
    pub id: String,
    pub label: String,
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// The words, each with `ins`, `del` or nothing.
    pub words: Vec<(Option<&'static str>, String)>,
}

#[derive(Template)]
#[template(path = "pages/drafts/changes.html")]
struct ChangesPage {
    chrome: Chrome,
    view: DraftView,
    versions: Vec<(i32, i64)>,
    from: i32,
    to: i32,
    changes: Vec<Change>,
    unchanged: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ChangesQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The changes between two versions as a redline per provision (by default, the last two).
#[handler]
pub async fn changes(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ChangesQuery>,
) -> Response {
    use domain::diff::{ChangeKind, WordOp};
    let number = |v: &Option<String>| given(v).map(|v| v.parse::<i32>());
    let (from, to) = match (number(&q.from), number(&q.to)) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => return super::not_found(req),
        (from, to) => (from.and_then(Result::ok), to.and_then(Result::ok)),
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let view = drafts::get_draft(conn, None, DraftId(id)).await?;
        let versions: Vec<(i32, i64)> = drafts::list_versions(conn, None, DraftId(id))
            .await?
            .into_iter()
            .map(|v| (v.number, v.published_at))
            .collect();
        let to = to
            .or(view.draft.current_version)
            .ok_or(domain::DomainError::NotFound("version"))?;
        let from = from.unwrap_or((to - 1).max(1));
        let diff = drafts::diff_versions(conn, None, DraftId(id), to, from)
            .await
            .map_err(|e| match e {
                domain::DomainError::Validation(_) => domain::DomainError::NotFound("version"),
                other => other,
            })?;
        // Added and removed provisions are shown whole, from their version's text.
        let mut texts = std::collections::HashMap::new();
        for n in [from, to] {
            for p in drafts::get_version(conn, None, DraftId(id), n)
                .await?
                .provisions
                .0
            {
                texts.insert((n, p.id), p.text);
            }
        }
        Ok::<_, domain::DomainError>((view, versions, from, to, diff, texts))
    };
    let (view, versions, from, to, diff, mut texts) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let unchanged = diff
        .iter()
        .filter(|d| d.change == ChangeKind::Unchanged)
        .count();
    let changes = diff
        .into_iter()
        .filter(|d| d.change != ChangeKind::Unchanged)
        .map(|d| Change {
            kind: match d.change {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                _ => "changed",
            },
            words: match d.change {
                ChangeKind::Added => vec![(
                    Some("ins"),
                    texts.remove(&(to, d.id.clone())).unwrap_or_default(),
                )],
                ChangeKind::Removed => vec![(
                    Some("del"),
                    texts.remove(&(from, d.id.clone())).unwrap_or_default(),
                )],
                _ => Vec::new(),
            }
            .into_iter()
            .chain(d.words.into_iter().map(|w| {
                let mark = match w.op {
                    WordOp::Equal => None,
                    WordOp::Insert => Some("ins"),
                    WordOp::Delete => Some("del"),
                };
                (mark, w.text)
            }))
            .collect(),
            id: d.id,
            label: d.label,
        })
        .collect();
    let mut chrome = Chrome::new(req, "changes-title");
    chrome.title = format!(
        "{} · {}",
        chrome.t.get("changes-title"),
        view.draft.title_th
    );
    let page = ChangesPage {
        chrome,
        view,
        versions,
        from,
        to,
        changes,
        unchanged,
    };
    render(req, StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "pages/drafts/assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    view: DraftView,
    row: domain::entity::impact_assessment::Model,
}

/// The published regulatory impact assessment of a draft, as a readable page.
#[handler]
pub async fn assessment(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let view = drafts::get_draft(conn, None, DraftId(id)).await?;
        let a = domain::service::assessments::get(conn, None, DraftId(id)).await?;
        Ok::<_, domain::DomainError>((view, a.row))
    };
    let (view, row) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "assessment-title");
    chrome.title = format!(
        "{} · {}",
        chrome.t.get("assessment-title"),
        view.draft.title_th
    );
    render(req, StatusCode::OK, AssessmentPage { chrome, view, row })
}
