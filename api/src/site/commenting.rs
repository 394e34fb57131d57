//! Commenting from the consultation page, the receipt, and tracking a comment.
//!
//! The form posts to `/consultations/:id/comments`. What was typed is checked by the same
//! services as the API (all problems at once, see `comments::precheck`); a refused form is
//! shown again with an error summary, each problem at its field and everything typed kept, and
//! nothing is stored. The form carries an idempotency key, so a double click or a reload after
//! posting stores one comment and shows its receipt.

use askama::Template;
use domain::{
    DomainError,
    error::FieldError,
    ids::ConsultationId,
    service::{
        comments::{self, NewComment},
        consultations,
        subscriptions::new_secret,
        tracking::{self, Tracked},
    },
    types::{
        Answer, Channel, Decision, ModerationStatus, Publication, Question, QuestionKind,
        RespondentType, Stance,
    },
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Query},
};

use super::{
    Chrome, PageId,
    forms::{Errors, code_message},
    render, see_other,
    visitor::FormData,
};
use crate::AppState;

/// The comment form's state: what was typed (nothing at first), its problems, and the
/// idempotency key that makes sending it twice store one comment.
pub struct CommentForm {
    pub values: FormData,
    pub errors: Errors,
    pub key: String,
    /// The provisions one may comment on: id and label.
    pub provisions: Vec<(String, String)>,
    /// Shown for the first time: defaults apply.
    fresh: bool,
}

impl CommentForm {
    pub fn blank(provisions: Vec<(String, String)>, provision: Option<&str>) -> CommentForm {
        let mut values = FormData::default();
        if let Some(p) = provision {
            values.0.push(("provision".into(), p.to_string()));
        }
        CommentForm {
            values,
            errors: Errors::default(),
            key: new_secret(),
            provisions,
            fresh: true,
        }
    }

    /// The form as it was posted, with its problems, to show again.
    pub fn posted(
        values: FormData,
        errors: Errors,
        key: String,
        provisions: Vec<(String, String)>,
    ) -> CommentForm {
        CommentForm {
            values,
            errors,
            key,
            provisions,
            fresh: false,
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.raw(name)
    }

    /// Whether option `value` of field `name` is chosen; `default` is chosen on a blank form.
    pub fn chosen(&self, name: &str, value: &str, default: bool) -> bool {
        (self.fresh && default) || self.values.all(name).iter().any(|v| v == value)
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.of(field)
    }
}

/// The element id of question `q`'s answer.
pub fn question_field(q: &Question) -> String {
    format!("q-{}", q.id)
}

/// Reads the form into a comment; problems only the form can have (no stance, a choice not
/// one of the offered ones) go to `errors`, and the comment is then only fit for
/// `comments::precheck` (its stance is a stand-in). Returns also which question each answer is
/// for.
fn read(
    t: &super::i18n::Messages,
    form: &FormData,
    questions: &[Question],
    errors: &mut Errors,
) -> (NewComment, Vec<String>) {
    let stance = match form.get("stance") {
        Some(s) => Stance::parse(s),
        None => None,
    };
    if stance.is_none() {
        errors.push(
            "stance",
            format!("{}: {}", t.get("field-stance"), code_message(t, "required")),
        );
    }
    let respondent_type = form.get("respondent_type").map(RespondentType::parse);
    if respondent_type == Some(None) {
        errors.push(
            "respondent_type",
            format!(
                "{}: {}",
                t.get("field-respondent_type"),
                code_message(t, "invalid_value")
            ),
        );
    }
    let publication = form.get("publication").map(Publication::parse);
    if publication == Some(None) {
        errors.push(
            "publication",
            format!(
                "{}: {}",
                t.get("field-publication"),
                code_message(t, "invalid_value")
            ),
        );
    }
    let mut answers = Vec::new();
    let mut answered = Vec::new();
    for q in questions {
        let field = question_field(q);
        let mut a = Answer {
            question_id: q.id.clone(),
            ..Default::default()
        };
        let given = match q.kind {
            QuestionKind::SingleChoice => {
                a.choice = form.get(&field).map(str::to_string);
                a.choice.is_some()
            }
            QuestionKind::MultipleChoice => {
                let all = form.all(&field);
                let any = !all.is_empty();
                a.choices = Some(all);
                any
            }
            QuestionKind::Scale => match form.get(&field) {
                Some(v) => {
                    a.scale = Some(v.parse().unwrap_or(0));
                    true
                }
                None => false,
            },
            QuestionKind::Text => {
                a.text = form.get(&field).map(str::to_string);
                a.text.is_some()
            }
        };
        if given {
            answers.push(a);
            answered.push(field);
        } else if q.required {
            errors.push(
                field,
                format!("{}: {}", question_label(q), code_message(t, "required")),
            );
        }
    }
    let comment = NewComment {
        body: form.raw("body").to_string(),
        stance: stance.unwrap_or(Stance::Neutral),
        provision_id: form.get("provision").map(str::to_string),
        answers,
        respondent_type: respondent_type.flatten(),
        organisation_name: form.get("organisation_name").map(str::to_string),
        province: form.get("province").map(str::to_string),
        publication: publication.flatten(),
        notify: form.get("notify").is_some(),
    };
    (comment, answered)
}

/// A question's prompt, shortened for the error summary.
fn question_label(q: &Question) -> String {
    q.prompt_th.chars().take(60).collect()
}

/// The form's element id for a service's field name.
fn field_id(answered: &[String], f: &FieldError) -> Option<String> {
    if let Some(rest) = f.field.strip_prefix("answers[") {
        let i: usize = rest.split(']').next()?.parse().ok()?;
        return answered.get(i).cloned();
    }
    Some(match f.field.as_str() {
        "provision_id" => "provision".into(),
        other => other.into(),
    })
}

#[handler]
pub async fn post(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let chrome = Chrome::new(req, "consultations-title");
    let Some(actor) = super::visitor::actor(req) else {
        return see_other(&chrome.sign_in_href_to(&format!("/consultations/{id}#comment")));
    };
    let form = super::visitor::form(req);
    let conn = &state.ctx.db.conn;
    let view = match consultations::get_consultation(conn, Some(&actor), ConsultationId(id)).await {
        Ok(v) => v,
        Err(e) => return super::error_page(req, e),
    };
    let questions = view.consultation.questions.0.clone();
    let mut errors = Errors::default();
    let (comment, answered) = read(&chrome.t, &form, &questions, &mut errors);
    let again = |errors: Errors, status: StatusCode| {
        let key = form
            .get("key")
            .map(str::to_string)
            .unwrap_or_else(new_secret);
        super::consultations::page(
            req,
            &state,
            ConsultationId(id),
            Some(actor),
            Some((form.clone(), errors, key)),
            status,
        )
    };
    if !errors.is_empty() {
        // Show every problem at once: the services' checks too.
        let problems = comments::precheck(&actor, ConsultationId(id), &comment, &questions);
        if let Some(more) =
            Errors::from_domain(&chrome.t, &DomainError::Validation(problems), |f| {
                field_id(&answered, f)
            })
        {
            for p in more.0 {
                errors.push(p.field, p.message);
            }
        }
        return again(errors, StatusCode::BAD_REQUEST).await;
    }
    let key = form.get("key").map(str::to_string);
    match state
        .ctx
        .comments
        .submit(&actor, ConsultationId(id), Channel::Web, key, comment)
        .await
    {
        Ok(receipt) => {
            see_other(&chrome.href(&format!("/comments/{}/receipt", receipt.tracking_number)))
        }
        Err(err @ DomainError::Validation(_)) => {
            let more = Errors::from_domain(&chrome.t, &err, |f| field_id(&answered, f))
                .unwrap_or_default();
            for p in more.0 {
                errors.push(p.field, p.message);
            }
            again(errors, StatusCode::BAD_REQUEST).await
        }
        Err(DomainError::IdempotencyKeyReused) => {
            errors.push("body", chrome.t.get("comment-already-sent"));
            again(errors, StatusCode::CONFLICT).await
        }
        Err(DomainError::ConsultationNotOpen(_)) => again(errors, StatusCode::CONFLICT).await,
        Err(e) => super::error_page(req, e),
    }
}

#[derive(Template)]
#[template(path = "pages/comments/receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    tracked: Tracked,
    secret: String,
}

/// The receipt, for the signed-in author: tracking number, the secret to track it without
/// signing in, and what happens next. Printable.
#[handler]
pub async fn show_receipt(
    req: &Request,
    state: Data<&AppState>,
    Path(number): Path<String>,
) -> Response {
    let actor = super::visitor::actor(req);
    let found = tracking::track(
        &state.ctx.db.conn,
        &state.ctx.keys,
        actor.as_ref(),
        &number,
        None,
    )
    .await;
    match found {
        Ok(tracked) => {
            let page = ReceiptPage {
                chrome: Chrome::new(req, "receipt-title"),
                secret: tracking::secret(&state.ctx.keys, &tracked.comment.tracking_number),
                tracked,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => super::error_page(req, e),
    }
}

#[derive(Template)]
#[template(path = "pages/comments/track.html")]
struct TrackPage {
    chrome: Chrome,
    number: String,
    errors: Errors,
    tracked: Option<Tracked>,
}

impl TrackPage {
    fn published(&self, t: &Tracked) -> bool {
        t.comment.moderation_status == ModerationStatus::Published
            && t.comment.publication != Publication::Private
    }

    fn hidden(&self, t: &Tracked) -> bool {
        t.comment.moderation_status != ModerationStatus::Published
    }

    fn private(&self, t: &Tracked) -> bool {
        t.comment.publication == Publication::Private
    }

    fn decision(&self, d: &Decision) -> String {
        self.chrome.term("decision", d)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TrackQuery {
    number: Option<String>,
}

/// The tracking form; a signed-in author who names their own comment sees it at once.
#[handler]
pub async fn track_form(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<TrackQuery>,
) -> Response {
    let actor = super::visitor::actor(req);
    let number = q.number.unwrap_or_default();
    let tracked = match (&actor, number.trim()) {
        (Some(actor), n) if !n.is_empty() => {
            tracking::track(&state.ctx.db.conn, &state.ctx.keys, Some(actor), n, None)
                .await
                .ok()
        }
        _ => None,
    };
    let page = TrackPage {
        chrome: Chrome::new(req, "track-title"),
        number,
        errors: Errors::default(),
        tracked,
    };
    render(req, StatusCode::OK, page)
}

/// Tracking with the number and the receipt's secret (posted, so the secret stays out of
/// addresses and logs).
#[handler]
pub async fn track_post(req: &Request, state: Data<&AppState>) -> Response {
    let form = super::visitor::form(req);
    let actor = super::visitor::actor(req);
    let chrome = Chrome::new(req, "track-title");
    let number = form.raw("tracking_number").trim().to_string();
    let found = tracking::track(
        &state.ctx.db.conn,
        &state.ctx.keys,
        actor.as_ref(),
        &number,
        form.get("secret"),
    )
    .await;
    let (tracked, errors, status) = match found {
        Ok(t) => (Some(t), Errors::default(), StatusCode::OK),
        Err(DomainError::NotFound(_)) => {
            let mut errors = Errors::default();
            errors.push("tracking_number", chrome.t.get("track-not-found"));
            (None, errors, StatusCode::NOT_FOUND)
        }
        Err(e) => return super::error_page(req, e),
    };
    let page = TrackPage {
        chrome,
        number,
        errors,
        tracked,
    };
    render(req, status, page)
}
