//! Opening a consultation on a draft, without JavaScript: kind, dates (Thai pages take Buddhist
//! Era years; a year of 2400 or more is read as BE anywhere, a smaller one as CE), the 15-day
//! rule with its reason field, invited stakeholders, and a questionnaire builder. The builder
//! shows blank question blocks; "add another question" posts the form back to show one more,
//! keeping everything typed, and saves nothing. Blocks left without a prompt are ignored.

use askama::Template;
use domain::{
    DomainError,
    ids::DraftId,
    service::{
        consultations::{self, NewConsultation, NewQuestion},
        drafts::{self, DraftView},
    },
    types::{ConsultationKind, QuestionKind},
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{
    Me,
    dates::{self, DateParts},
    me,
};
use crate::{
    AppState,
    site::{
        Chrome, PageId, error_page,
        forms::{Errors, code_message},
        render, see_other,
        visitor::{self, FormData},
    },
};

/// Blank question blocks on a new form.
const FIRST_QUESTIONS: usize = 2;
/// The most blocks the form shows (the service accepts 50 questions).
const MAX_QUESTIONS: usize = 50;

#[derive(Default, Clone)]
pub struct QuestionFields {
    pub kind: String,
    pub prompt_th: String,
    pub prompt_en: String,
    /// One option per line.
    pub options: String,
    pub required: bool,
}

/// The form as typed.
#[derive(Default)]
pub struct SetupFields {
    pub kind: String,
    pub opens: DateParts,
    pub closes: DateParts,
    pub reason: String,
    pub stakeholders: String,
    pub questions: Vec<QuestionFields>,
}

impl SetupFields {
    fn blank() -> SetupFields {
        SetupFields {
            kind: "draft".into(),
            questions: vec![QuestionFields::default(); FIRST_QUESTIONS],
            ..Default::default()
        }
    }

    fn of_form(form: &FormData) -> SetupFields {
        let count = form
            .get("question_count")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(FIRST_QUESTIONS)
            .min(MAX_QUESTIONS);
        SetupFields {
            kind: form.raw("kind").into(),
            opens: dates::of_form(form, "opens"),
            closes: dates::of_form(form, "closes"),
            reason: form.raw("short_period_reason").into(),
            stakeholders: form.raw("stakeholders").into(),
            questions: (0..count)
                .map(|i| QuestionFields {
                    kind: form.raw(&format!("q{i}_kind")).into(),
                    prompt_th: form.raw(&format!("q{i}_prompt_th")).into(),
                    prompt_en: form.raw(&format!("q{i}_prompt_en")).into(),
                    options: form.raw(&format!("q{i}_options")).into(),
                    required: form.get(&format!("q{i}_required")).is_some(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "workspace/consultation_form.html")]
struct SetupPage {
    chrome: Chrome,
    view: DraftView,
    f: SetupFields,
    kinds: &'static [ConsultationKind],
    question_kinds: &'static [QuestionKind],
    errors: Errors,
}

impl SetupPage {
    /// The two dates of the form (see [`dates::hearing_fields`]).
    fn dates(&self) -> Vec<(&'static str, DateParts, &'static str)> {
        dates::hearing_fields(&self.f.opens, &self.f.closes)
    }
}

async fn setup_page(
    req: &Request,
    state: &AppState,
    id: i64,
    f: SetupFields,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let view = async {
        let d = drafts::find_managed(conn, &me.actor, DraftId(id)).await?;
        drafts::view_of(conn, d).await
    };
    match view.await {
        Ok(view) => {
            let mut chrome = Chrome::new(req, "ws-consultation-title");
            chrome.title = format!("{} · {}", chrome.title, view.draft.title_th);
            let page = SetupPage {
                chrome,
                view,
                f,
                kinds: ConsultationKind::ALL,
                question_kinds: QuestionKind::ALL,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn new_form(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    setup_page(
        req,
        &state,
        id,
        SetupFields::blank(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Adds a question block (`action=add_question`) or opens the consultation.
#[handler]
pub async fn create(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let mut f = SetupFields::of_form(&form);
    if form.get("action") == Some("add_question") {
        if f.questions.len() < MAX_QUESTIONS {
            f.questions.push(QuestionFields::default());
        }
        return setup_page(req, &state, id, f, Errors::default(), StatusCode::OK).await;
    }
    let chrome = Chrome::new(req, "ws-consultation-title");
    let mut errors = Errors::default();
    let kind = ConsultationKind::parse(f.kind.trim());
    if kind.is_none() {
        errors.push("kind", code_message(&chrome.t, "required"));
    }
    let opens = dates::checked(&f.opens, "opens", false, &chrome.t, &mut errors).flatten();
    let closes = dates::checked(&f.closes, "closes", false, &chrome.t, &mut errors).flatten();
    // The questions that were written, with the block each came from.
    let mut blocks = Vec::new();
    let mut questions = Vec::new();
    for (i, q) in f.questions.iter().enumerate() {
        if q.prompt_th.trim().is_empty()
            && q.prompt_en.trim().is_empty()
            && q.options.trim().is_empty()
        {
            continue;
        }
        let Some(kind) = QuestionKind::parse(q.kind.trim()) else {
            errors.push(format!("q{i}_kind"), code_message(&chrome.t, "required"));
            continue;
        };
        blocks.push(i);
        questions.push(NewQuestion {
            kind,
            prompt_th: q.prompt_th.clone(),
            prompt_en: Some(q.prompt_en.trim())
                .filter(|p| !p.is_empty())
                .map(String::from),
            options: q
                .options
                .lines()
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(String::from)
                .collect(),
            required: q.required,
        });
    }
    let (Some(kind), Some(opens), Some(closes), true) = (kind, opens, closes, errors.is_empty())
    else {
        return setup_page(req, &state, id, f, errors, StatusCode::BAD_REQUEST).await;
    };
    let (opens_at, closes_at) = (dates::opening(opens), dates::closing(closes));
    let input = NewConsultation {
        kind,
        opens_at,
        closes_at,
        version: None,
        questions,
        invited_stakeholders: f
            .stakeholders
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        short_period_reason: Some(f.reason.trim())
            .filter(|r| !r.is_empty())
            .map(String::from),
    };
    match consultations::create_consultation(&state.ctx.db, &me.actor, DraftId(id), input).await {
        Ok(view) => see_other(&chrome.href(&format!(
            "/workspace/consultations/{}",
            view.consultation.id
        ))),
        Err(DomainError::HearingTooShort) => {
            let mut errors = Errors::default();
            errors.push("short_period_reason", chrome.t.get("ws-hearing-too-short"));
            setup_page(req, &state, id, f, errors, StatusCode::BAD_REQUEST).await
        }
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("kind", chrome.t.get("ws-publish-a-version-first"));
            setup_page(req, &state, id, f, errors, StatusCode::CONFLICT).await
        }
        Err(err) => {
            let field_id = |e: &domain::error::FieldError| -> Option<String> {
                let name = e.field.as_str();
                if let Some(id) = dates::hearing_field_id(name) {
                    return Some(id);
                }
                if name.starts_with("invited_stakeholders") {
                    return Some("stakeholders".into());
                }
                let rest = name.strip_prefix("questions[")?;
                let (n, field) = rest.split_once("].")?;
                let block = blocks.get(n.parse::<usize>().ok()?)?;
                let field = field.split(['[', '.']).next()?;
                Some(format!("q{block}_{field}"))
            };
            match Errors::from_domain(&chrome.t, &err, field_id) {
                Some(errors) => {
                    setup_page(req, &state, id, f, errors, StatusCode::BAD_REQUEST).await
                }
                None => error_page(req, err),
            }
        }
    }
}
