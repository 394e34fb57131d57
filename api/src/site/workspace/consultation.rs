//! One consultation in the workspace: its comments newest first (every one, hidden and private
//! ones too) with filters and the moderation forms (hide or publish again, with a reason chosen
//! from a short list plus free text; the author is told by e-mail and reads the reason on the
//! tracking page), its campaign clusters with a sample of their members, and the hearing
//! summary: compile (by the worker), preview, publish.

use askama::Template;
use domain::{
    DomainError,
    entity::{comment, consultation, report},
    ids::{CommentId, ConsultationId},
    service::{
        comments,
        consultations::{self, ConsultationView},
        moderation::{self, ClusterSample, HIDE_REASONS, ModerationFilter},
        reports,
    },
    types::{ModerationStatus, Stance},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Query},
};

use super::{Me, me};
use crate::{
    AppState,
    site::{
        Chrome, PageId, error_page, forms::Errors, given, i18n::Lang, link, not_found, render,
        see_other, visitor,
    },
};

/// Comments per page of the moderation queue.
const PAGE: u64 = 50;
/// Members shown per campaign cluster.
const SAMPLE: u64 = 3;

#[derive(Debug, Default, serde::Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    stance: Option<String>,
    provision: Option<String>,
    before: Option<i64>,
    compiling: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace/consultation.html")]
struct ConsultationPage {
    chrome: Chrome,
    view: ConsultationView,
    comments: Vec<comment::Model>,
    clusters: Vec<ClusterSample>,
    report: Option<report::Model>,
    status: String,
    stance: String,
    provision: String,
    reasons: &'static [&'static str],
    compiling: bool,
    closed: bool,
    /// The newest comment (what "mark as reviewed" marks up to).
    newest: i64,
    next: Option<String>,
    errors: Errors,
}

impl ConsultationPage {
    fn excerpt(&self, c: &comment::Model) -> String {
        let text: String = c.body.chars().take(280).collect();
        if text.len() < c.body.len() {
            format!("{text}…")
        } else {
            text
        }
    }
}

async fn page(
    req: &Request,
    state: &AppState,
    id: i64,
    q: QueueQuery,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let filter = ModerationFilter {
        status: given(&q.status).and_then(|s| ModerationStatus::parse(&s)),
        stance: given(&q.stance).and_then(|s| Stance::parse(&s)),
        provision: given(&q.provision),
        before: q.before,
    };
    let loaded = async {
        let c = moderation::managed(conn, &me.actor, ConsultationId(id)).await?;
        let view = consultations::views(conn, vec![c]).await?.pop();
        let comments =
            moderation::comments(conn, &me.actor, ConsultationId(id), &filter, PAGE).await?;
        let clusters = moderation::clusters(conn, &me.actor, ConsultationId(id), SAMPLE).await?;
        let newest = moderation::newest_comment(conn, ConsultationId(id)).await?;
        let report = match reports::get(conn, Some(&me.actor), ConsultationId(id)).await {
            Ok(r) => Some(r),
            Err(DomainError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        Ok::<_, DomainError>((view, comments, clusters, report, newest))
    };
    let (view, comments, clusters, report, newest) = match loaded.await {
        Ok((Some(view), comments, clusters, report, newest)) => {
            (view, comments, clusters, report, newest)
        }
        Ok((None, ..)) => return not_found(req),
        Err(e) => return error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "ws-consultation-page-title");
    chrome.title = format!("{} · {}", chrome.title, view.draft_title_th);
    let next = (comments.len() as u64 == PAGE)
        .then(|| comments.last().map(|c| c.id.to_string()))
        .flatten()
        .map(|before| {
            link(
                &chrome,
                &format!("/workspace/consultations/{id}"),
                &[
                    ("status", filter.status.map(ModerationStatus::as_str)),
                    ("stance", filter.stance.map(Stance::as_str)),
                    ("provision", filter.provision.as_deref()),
                    ("before", Some(&before)),
                ],
            )
        });
    let closed = view.consultation.closes_at <= domain::time::now_ms();
    let page = ConsultationPage {
        chrome,
        comments,
        clusters,
        report,
        status: filter.status.map(|s| s.to_string()).unwrap_or_default(),
        stance: filter.stance.map(|s| s.to_string()).unwrap_or_default(),
        provision: filter.provision.unwrap_or_default(),
        reasons: HIDE_REASONS,
        compiling: q.compiling.is_some(),
        closed,
        newest,
        next,
        errors,
        view,
    };
    render(req, status, page)
}

#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<QueueQuery>,
) -> Response {
    page(req, &state, id, q, Errors::default(), StatusCode::OK).await
}

/// Hides a comment (`action=hide`, with a reason from the list and a note) or publishes it
/// again (`action=publish`, with a note).
#[handler]
pub async fn moderate(
    req: &Request,
    state: Data<&AppState>,
    Path((id, comment_id)): Path<(String, String)>,
) -> Response {
    let (Ok(id), Ok(comment_id)) = (id.parse::<i64>(), comment_id.parse::<i64>()) else {
        return not_found(req);
    };
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let form = visitor::form(req);
    let chrome = Chrome::new(req, "ws-consultation-page-title");
    let note = form.get("note").unwrap_or_default();
    let (status, reason) = match form.get("action") {
        Some("hide") => {
            let Some(code) = form.get("reason").filter(|r| HIDE_REASONS.contains(r)) else {
                let mut errors = Errors::default();
                errors.push(
                    format!("reason-{comment_id}"),
                    chrome.t.get("ws-choose-reason"),
                );
                return page(
                    req,
                    &state,
                    id,
                    QueueQuery::default(),
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await;
            };
            // Said in both languages: the author reads it on the tracking page in either.
            let th = reason_label(Lang::Th, code);
            let en = reason_label(Lang::En, code);
            let reason = if note.is_empty() {
                format!("{th} ({en})")
            } else {
                format!("{th} ({en}): {note}")
            };
            (ModerationStatus::Hidden, reason)
        }
        _ => (ModerationStatus::Published, note.to_string()),
    };
    match comments::moderate(
        &state.ctx.db,
        &me.actor,
        ConsultationId(id),
        CommentId(comment_id),
        status,
        &reason,
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "{}#comment-{comment_id}",
            chrome.href(&format!("/workspace/consultations/{id}"))
        )),
        Err(err) => {
            match Errors::from_domain(&chrome.t, &err, |_| Some(format!("note-{comment_id}"))) {
                Some(errors) => {
                    page(
                        req,
                        &state,
                        id,
                        QueueQuery::default(),
                        errors,
                        StatusCode::BAD_REQUEST,
                    )
                    .await
                }
                None => error_page(req, err),
            }
        }
    }
}

fn reason_label(lang: Lang, code: &str) -> String {
    lang.messages().get(&format!("ws-reason-{code}"))
}

/// Asks the worker to compile the hearing summary (after the hearing closed).
#[handler]
pub async fn compile(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-consultation-page-title");
    match reports::request_compile(&state.ctx.db, &me.actor, ConsultationId(id), None).await {
        Ok(()) => see_other(&format!(
            "{}?compiling=1#summary",
            chrome.href(&format!("/workspace/consultations/{id}"))
        )),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("summary", chrome.t.get("ws-summary-not-now"));
            page(
                req,
                &state,
                id,
                QueueQuery::default(),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(req, e),
    }
}

/// Publishes the compiled summary: final, and the consultation is concluded.
#[handler]
pub async fn publish(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-consultation-page-title");
    match reports::publish(&state.ctx.db, &me.actor, ConsultationId(id)).await {
        Ok(_) => see_other(&format!(
            "{}#summary",
            chrome.href(&format!("/workspace/consultations/{id}"))
        )),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("summary", chrome.t.get("ws-summary-not-now"));
            page(
                req,
                &state,
                id,
                QueueQuery::default(),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(req, e),
    }
}

#[derive(Template)]
#[template(path = "workspace/summary_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    consultation: consultation::Model,
    report: report::Model,
}

/// The compiled summary as it will be published.
#[handler]
pub async fn preview(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let c = moderation::managed(conn, &me.actor, ConsultationId(id)).await?;
        let r = reports::get(conn, Some(&me.actor), ConsultationId(id)).await?;
        Ok::<_, DomainError>((c, r))
    };
    match loaded.await {
        Ok((consultation, report)) => {
            let page = PreviewPage {
                chrome: Chrome::new(req, "ws-summary-preview-title"),
                consultation,
                report,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => error_page(req, e),
    }
}

/// Marks the comments shown (up to the newest when the page was shown) as reviewed.
#[handler]
pub async fn reviewed(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-consultation-page-title");
    let up_to = visitor::form(req)
        .get("up_to")
        .and_then(|n| n.parse::<i64>().ok())
        .unwrap_or(0);
    match moderation::mark_reviewed(&state.ctx.db, &me.actor, ConsultationId(id), up_to).await {
        Ok(()) => see_other(&format!(
            "{}#comments",
            chrome.href(&format!("/workspace/consultations/{id}"))
        )),
        Err(e) => error_page(req, e),
    }
}
