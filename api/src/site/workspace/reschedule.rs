//! Moving the dates of a scheduled hearing. Until it opens, its agency may move it (the public
//! page and the subscribers are told the new dates); once it has opened, its dates are fixed,
//! because people have been told when they may comment, and the page says so instead of
//! offering the form.

use askama::Template;
use domain::{
    DomainError,
    ids::ConsultationId,
    service::{
        consultations::{self, ConsultationView, NewDates},
        moderation,
    },
    types::ConsultationStatus,
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
        forms::Errors,
        not_found, render, see_other,
        visitor::{self},
    },
};

/// The form as typed.
struct DateFields {
    opens: DateParts,
    closes: DateParts,
    reason: String,
}

#[derive(Template)]
#[template(path = "workspace/reschedule.html")]
struct ReschedulePage {
    chrome: Chrome,
    view: ConsultationView,
    f: DateFields,
    errors: Errors,
}

impl ReschedulePage {
    /// Whether the hearing can still be moved.
    fn scheduled(&self) -> bool {
        self.view.status == ConsultationStatus::Scheduled
    }

    /// The two dates of the form (see [`dates::hearing_fields`]).
    fn dates(&self) -> Vec<(&'static str, DateParts, &'static str)> {
        dates::hearing_fields(&self.f.opens, &self.f.closes)
    }
}

async fn page(
    req: &Request,
    state: &AppState,
    id: i64,
    f: Option<DateFields>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let view = async {
        let c = moderation::managed(conn, &me.actor, ConsultationId(id)).await?;
        Ok::<_, DomainError>(consultations::views(conn, vec![c]).await?.pop())
    };
    let view = match view.await {
        Ok(Some(view)) => view,
        Ok(None) => return not_found(req),
        Err(e) => return error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "ws-reschedule-title");
    chrome.title = format!("{} · {}", chrome.title, view.draft_title_th);
    let thai = chrome.lang.tag() == "th";
    let c = &view.consultation;
    let f = f.unwrap_or_else(|| DateFields {
        opens: dates::parts_of(c.opens_at, thai),
        closes: dates::parts_of(c.closes_at, thai),
        reason: c.short_period_reason.clone().unwrap_or_default(),
    });
    render(
        req,
        status,
        ReschedulePage {
            chrome,
            view,
            f,
            errors,
        },
    )
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    page(req, &state, id, None, Errors::default(), StatusCode::OK).await
}

#[handler]
pub async fn save(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let f = DateFields {
        opens: dates::of_form(&form, "opens"),
        closes: dates::of_form(&form, "closes"),
        reason: form.raw("short_period_reason").into(),
    };
    let chrome = Chrome::new(req, "ws-reschedule-title");
    let mut errors = Errors::default();
    let opens = dates::checked(&f.opens, "opens", false, &chrome.t, &mut errors).flatten();
    let closes = dates::checked(&f.closes, "closes", false, &chrome.t, &mut errors).flatten();
    let (Some(opens), Some(closes)) = (opens, closes) else {
        return page(req, &state, id, Some(f), errors, StatusCode::BAD_REQUEST).await;
    };
    let input = NewDates {
        opens_at: dates::opening(opens),
        closes_at: dates::closing(closes),
        short_period_reason: Some(f.reason.trim())
            .filter(|r| !r.is_empty())
            .map(String::from),
    };
    let refused = |field: &str, key: &str| {
        let mut errors = Errors::default();
        errors.push(field, chrome.t.get(key));
        errors
    };
    match consultations::reschedule_consultation(
        &state.ctx.db,
        &me.actor,
        ConsultationId(id),
        input,
    )
    .await
    {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/consultations/{id}"))),
        Err(DomainError::HearingTooShort) => {
            let errors = refused("short_period_reason", "ws-hearing-too-short");
            page(req, &state, id, Some(f), errors, StatusCode::BAD_REQUEST).await
        }
        Err(DomainError::InvalidState(_)) => {
            let errors = refused("opens_day", "ws-dates-fixed");
            page(req, &state, id, Some(f), errors, StatusCode::CONFLICT).await
        }
        Err(err) => {
            let field_id = |e: &domain::error::FieldError| dates::hearing_field_id(&e.field);
            match Errors::from_domain(&chrome.t, &err, field_id) {
                Some(errors) => {
                    page(req, &state, id, Some(f), errors, StatusCode::BAD_REQUEST).await
                }
                None => error_page(req, err),
            }
        }
    }
}
