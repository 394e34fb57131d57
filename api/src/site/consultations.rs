//! The consultations list (filters, paging without a cap) and a consultation's page.

use askama::Template;
use domain::{
    ids::{ConsultationId, DraftId},
    service::{
        consultations::{self, ConsultationFilter, ConsultationView},
        drafts,
        page::PageRequest,
    },
    time::DAY_MS,
    types::{
        Actor, ConsultationKind, ConsultationStatus, LawType, Publication, Question, QuestionKind,
        RespondentType, Stance,
    },
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{
    Chrome, PageId,
    commenting::{CommentForm, question_field},
    forms::Errors,
    given, link, render,
    visitor::FormData,
};
use crate::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    agency: Option<String>,
    law_type: Option<String>,
    topic: Option<String>,
    cursor: Option<String>,
}

/// A choice of a filter: its value, its label, and whether it is the one chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn choices<T: Copy + std::fmt::Display + PartialEq>(
    chrome: &Chrome,
    prefix: &str,
    all: &[T],
    chosen: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: chrome.term(prefix, v),
            selected: chosen == Some(*v),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/consultations/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<ConsultationView>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    agencies: Vec<Choice>,
    law_types: Vec<Choice>,
    topic: String,
    next: Option<String>,
}

impl ListPage {
    fn status_tag(&self, v: &ConsultationView) -> String {
        self.chrome.term("status", v.status)
    }
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>, Query(q): Query<ListQuery>) -> Response {
    let status = given(&q.status).and_then(|s| ConsultationStatus::parse(&s));
    let kind = given(&q.kind).and_then(|k| ConsultationKind::parse(&k));
    let Ok(page) = PageRequest::parse(Some(50), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let agency = given(&q.agency);
    let law_type = given(&q.law_type).and_then(|t| LawType::parse(&t));
    let topic = super::topic(&q.topic);
    let filter = ConsultationFilter {
        status,
        kind,
        agency: agency.clone(),
        law_type,
        topic: topic.clone(),
        ..Default::default()
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        Ok::<_, domain::DomainError>((
            consultations::list_consultations(conn, None, filter, page).await?,
            super::agencies::all(conn).await?,
        ))
    };
    let (found, all_agencies) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let chrome = Chrome::new(req, "consultations-title");
    let next = found.next_cursor.map(|c| {
        let filters = [
            ("status", status.map(ConsultationStatus::as_str)),
            ("kind", kind.map(ConsultationKind::as_str)),
            ("agency", agency.as_deref()),
            ("law_type", law_type.map(LawType::as_str)),
            ("topic", topic.as_deref()),
            ("cursor", Some(c.as_str())),
        ];
        link(&chrome, "/consultations", &filters)
    });
    let page = ListPage {
        statuses: choices(&chrome, "status", ConsultationStatus::ALL, status),
        kinds: choices(&chrome, "kind", ConsultationKind::ALL, kind),
        agencies: super::agencies::choices(&chrome, &all_agencies, agency.as_deref()),
        law_types: choices(&chrome, "law-type", LawType::ALL, law_type),
        topic: topic.unwrap_or_default(),
        chrome,
        items: found.items,
        next,
    };
    render(req, StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "pages/consultations/show.html")]
struct ShowPage {
    chrome: Chrome,
    view: ConsultationView,
    questions: Vec<Question>,
    days: i64,
    short: bool,
    /// The comment form, for a signed-in visitor while the consultation is open.
    form: Option<CommentForm>,
}

impl ShowPage {
    fn not_open_message(&self) -> Option<String> {
        let c = &self.view.consultation;
        let t = &self.chrome.t;
        match self.view.status {
            ConsultationStatus::Open => None,
            ConsultationStatus::Scheduled => Some(t.with(
                "consultation-not-open-scheduled",
                "date",
                self.chrome.date_time(c.opens_at),
            )),
            ConsultationStatus::Closed => Some(t.get("consultation-not-open-closed")),
            ConsultationStatus::Concluded => Some(t.get("consultation-not-open-concluded")),
        }
    }

    fn open(&self) -> bool {
        self.view.status == ConsultationStatus::Open
    }

    fn field(&self, q: &Question) -> String {
        question_field(q)
    }

    fn stances(&self) -> Vec<Choice> {
        choices(&self.chrome, "stance", Stance::ALL, None)
    }

    fn respondent_types(&self) -> Vec<Choice> {
        choices(&self.chrome, "respondent", RespondentType::ALL, None)
    }

    fn publications(&self) -> Vec<Choice> {
        choices(&self.chrome, "publication", Publication::ALL, None)
    }

    /// Signing in, then back to this page's form (keeping the chosen provision).
    fn sign_in_to_comment(&self) -> String {
        super::link(
            &self.chrome,
            "/sign-in",
            &[("next", Some(&format!("{}#comment", self.chrome.here())))],
        )
    }

    fn max_chars(&self) -> usize {
        domain::service::comments::MAX_COMMENT_CHARS
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowQuery {
    provision: Option<String>,
}

#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ShowQuery>,
) -> Response {
    let actor = super::visitor::actor(req);
    let form = given(&q.provision).map(|p| {
        (
            FormData(vec![("provision".into(), p)]),
            Errors::default(),
            String::new(),
        )
    });
    page(req, &state, ConsultationId(id), actor, form, StatusCode::OK).await
}

/// The consultation's page; with the comment form for a signed-in `actor` while it is open,
/// filled with `form` (what was posted, its problems and its key) when given.
pub(crate) async fn page(
    req: &Request,
    state: &AppState,
    id: ConsultationId,
    actor: Option<Actor>,
    form: Option<(FormData, Errors, String)>,
    status: StatusCode,
) -> Response {
    let conn = &state.ctx.db.conn;
    let view = match consultations::get_consultation(conn, actor.as_ref(), id).await {
        Ok(v) => v,
        Err(e) => return super::error_page(req, e),
    };
    let open = view.status == ConsultationStatus::Open;
    let comment_form = match actor {
        Some(actor) if open => {
            let c = &view.consultation;
            let version =
                drafts::get_version(conn, Some(&actor), DraftId(c.draft_id), c.version_number)
                    .await;
            let provisions = match version {
                Ok(v) => v
                    .provisions
                    .0
                    .into_iter()
                    .map(|p| (p.id, p.label))
                    .collect(),
                Err(e) => return super::error_page(req, e),
            };
            Some(match form {
                Some((values, errors, key)) if !key.is_empty() => {
                    CommentForm::posted(values, errors, key, provisions)
                }
                Some((values, _, _)) => CommentForm::blank(provisions, values.get("provision")),
                None => CommentForm::blank(provisions, None),
            })
        }
        _ => None,
    };
    let mut chrome = Chrome::new(req, "consultations-title");
    chrome.title = view.draft_title_th.clone();
    let c = &view.consultation;
    let length = c.closes_at - c.opens_at;
    let page = ShowPage {
        chrome,
        questions: c.questions.0.clone(),
        days: length / DAY_MS,
        short: length < consultations::MIN_HEARING_MS,
        form: comment_form,
        view,
    };
    render(req, status, page)
}
