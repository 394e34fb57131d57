//! The agency's laws in force: when each is due for its ex-post evaluation (five years after it
//! came into force or was last evaluated, then every five years), whether its reminder went
//! out, and how many people asked for an early evaluation; and the form that registers a law
//! of the agency that is already in force (dates as day, month and year; BE on Thai pages).

use askama::Template;
use domain::{
    service::{
        laws::{self, NewLaw},
        workspace::{self, AgencyLaw},
    },
    types::LawType,
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
        Chrome,
        consultations::{Choice, choices},
        error_page,
        forms::{Errors, code_message},
        render, see_other, visitor,
    },
};

/// The registration form as typed.
#[derive(Default)]
struct LawFields {
    title_th: String,
    title_en: String,
    law_type: String,
    in_force: DateParts,
    evaluated: DateParts,
}

#[derive(Template)]
#[template(path = "workspace/laws.html")]
struct LawsPage {
    chrome: Chrome,
    laws: Vec<AgencyLaw>,
    now: i64,
    soon: i64,
    /// Whether the person registers laws (an officer; an administrator has no agency of their
    /// own and registers through the API as an agency's officer).
    registers: bool,
    f: LawFields,
    law_types: Vec<Choice>,
    errors: Errors,
}

impl LawsPage {
    /// The two dates of the form: (field prefix, [day, month, year] as typed, legend key).
    fn dates(&self) -> Vec<(&'static str, DateParts, &'static str)> {
        vec![
            ("in_force", self.f.in_force.clone(), "ws-law-in-force-since"),
            (
                "evaluated",
                self.f.evaluated.clone(),
                "ws-law-last-evaluated",
            ),
        ]
    }
}

async fn page(
    req: &Request,
    state: &AppState,
    f: LawFields,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    match workspace::laws(&state.ctx.db.conn, &me.actor).await {
        Ok(laws) => {
            let now = domain::time::now_ms();
            let chrome = Chrome::new(req, "ws-laws-title");
            let page = LawsPage {
                law_types: choices(
                    &chrome,
                    "law-type",
                    LawType::ALL,
                    LawType::parse(&f.law_type),
                ),
                chrome,
                laws,
                now,
                soon: now + workspace::EVALUATION_HORIZON_MS,
                registers: me.actor.agency_id.is_some(),
                f,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn list(req: &Request, state: Data<&AppState>) -> Response {
    page(
        req,
        &state,
        LawFields::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Registers a law in force of the officer's agency.
#[handler]
pub async fn register(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    let form = visitor::form(req);
    let f = LawFields {
        title_th: form.raw("title_th").into(),
        title_en: form.raw("title_en").into(),
        law_type: form.raw("law_type").into(),
        in_force: dates::of_form(&form, "in_force"),
        evaluated: dates::of_form(&form, "evaluated"),
    };
    let chrome = Chrome::new(req, "ws-laws-title");
    let mut errors = Errors::default();
    let law_type = LawType::parse(f.law_type.trim());
    if law_type.is_none() {
        errors.push("law_type", code_message(&chrome.t, "required"));
    }
    let in_force = dates::checked(&f.in_force, "in_force", false, &chrome.t, &mut errors).flatten();
    let evaluated = dates::checked(&f.evaluated, "evaluated", true, &chrome.t, &mut errors);
    let (Some(law_type), Some(in_force), Some(evaluated), true) =
        (law_type, in_force, evaluated, errors.is_empty())
    else {
        return page(req, &state, f, errors, StatusCode::BAD_REQUEST).await;
    };
    let input = NewLaw {
        title_th: f.title_th.clone(),
        title_en: Some(f.title_en.trim())
            .filter(|t| !t.is_empty())
            .map(String::from),
        law_type,
        in_force_since: domain::calendar::bangkok_midnight(in_force),
        last_evaluated_at: evaluated.map(domain::calendar::bangkok_midnight),
    };
    match laws::register(&state.ctx.db, &me.actor, input).await {
        Ok(law) => see_other(&chrome.href(&format!("/workspace/laws#law-{}", law.id))),
        Err(err) => {
            let field_id = |e: &domain::error::FieldError| -> Option<String> {
                match e.field.as_str() {
                    "in_force_since" => Some("in_force_day".into()),
                    "last_evaluated_at" => Some("evaluated_day".into()),
                    _ => None,
                }
            };
            match Errors::from_domain(&chrome.t, &err, field_id) {
                Some(errors) => page(req, &state, f, errors, StatusCode::BAD_REQUEST).await,
                None => error_page(req, err),
            }
        }
    }
}
