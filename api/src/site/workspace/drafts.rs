//! A draft in the workspace: create it, edit its facts (a second editor's save is refused, not
//! silently overwritten), add versions by pasting Markdown (a preview shows the parsed
//! provisions and what looks wrong before anything is published; publishing asks for a
//! changelog and refuses when someone else published meanwhile), and submit it once the
//! checklist the law sets holds.

use askama::Template;
use domain::{
    DomainError,
    entity::draft_version,
    ids::DraftId,
    provisions::{self, Provision},
    service::{
        assessments::{self, Checklist},
        consultations::{self, ConsultationView},
        drafts::{self, DraftPatch, DraftView, NewDraft},
    },
    types::{Actor, LawType, Role},
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Me, me};
use crate::{
    AppState,
    site::{
        Chrome, PageId,
        consultations::{Choice, choices},
        error_page,
        forms::Errors,
        render, see_other,
        visitor::{self, FormData},
    },
};

/// The fields of the draft form, as typed.
#[derive(Default)]
struct DraftFields {
    title_th: String,
    title_en: String,
    law_type: String,
    summary_th: String,
    summary_en: String,
    topics: String,
    agency: String,
    /// The draft's `updated_at` when the form was opened (editing only).
    seen: String,
}

impl DraftFields {
    fn of_form(form: &FormData) -> DraftFields {
        DraftFields {
            title_th: form.raw("title_th").into(),
            title_en: form.raw("title_en").into(),
            law_type: form.raw("law_type").into(),
            summary_th: form.raw("summary_th").into(),
            summary_en: form.raw("summary_en").into(),
            topics: form.raw("topics").into(),
            agency: form.raw("agency").into(),
            seen: form.raw("seen").into(),
        }
    }

    fn of_draft(d: &DraftView) -> DraftFields {
        let m = &d.draft;
        DraftFields {
            title_th: m.title_th.clone(),
            title_en: m.title_en.clone().unwrap_or_default(),
            law_type: m.law_type.to_string(),
            summary_th: m.summary_th.clone().unwrap_or_default(),
            summary_en: m.summary_en.clone().unwrap_or_default(),
            topics: m.topics.0.join(", "),
            agency: d.agency_slug.clone(),
            seen: m.updated_at.to_string(),
        }
    }

    fn topics(&self) -> Vec<String> {
        self.topics
            .split([',', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    }

    fn law_type(&self, errors: &mut Errors, t: &crate::site::i18n::Messages) -> Option<LawType> {
        let parsed = LawType::parse(self.law_type.trim());
        if parsed.is_none() {
            errors.push("law_type", crate::site::forms::code_message(t, "required"));
        }
        parsed
    }

    fn optional(text: &str) -> Option<String> {
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(String::from)
    }
}

#[derive(Template)]
#[template(path = "workspace/draft_form.html")]
struct DraftFormPage {
    chrome: Chrome,
    f: DraftFields,
    law_types: Vec<Choice>,
    /// The agencies an administrator chooses from (empty for an officer).
    agencies: Vec<Choice>,
    action: String,
    errors: Errors,
}

async fn form_page(
    req: &Request,
    state: &AppState,
    title_key: &str,
    action: String,
    f: DraftFields,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let chrome = Chrome::new(req, title_key);
    let agencies = if me.actor.role == Role::Admin {
        match crate::site::agencies::all(&state.ctx.db.conn).await {
            Ok(all) => all
                .into_iter()
                .map(|a| Choice {
                    selected: a.slug == f.agency,
                    value: a.slug,
                    label: a.name_th,
                })
                .collect(),
            Err(e) => return error_page(req, e),
        }
    } else {
        Vec::new()
    };
    let page = DraftFormPage {
        law_types: choices(
            &chrome,
            "law-type",
            LawType::ALL,
            LawType::parse(&f.law_type),
        ),
        agencies,
        chrome,
        f,
        action,
        errors,
    };
    render(req, status, page)
}

/// Maps a service's field names to the form's element ids (`topics[2]` → `topics`).
fn field_id(f: &domain::error::FieldError) -> Option<String> {
    f.field.split('[').next().map(String::from)
}

#[handler]
pub async fn new_form(req: &Request, state: Data<&AppState>) -> Response {
    let action = Chrome::new(req, "ws-new-draft-title").href("/workspace/drafts/new");
    form_page(
        req,
        &state,
        "ws-new-draft-title",
        action,
        DraftFields::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[handler]
pub async fn create(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    let chrome = Chrome::new(req, "ws-new-draft-title");
    let f = DraftFields::of_form(&visitor::form(req));
    let mut errors = Errors::default();
    let action = chrome.href("/workspace/drafts/new");
    let Some(law_type) = f.law_type(&mut errors, &chrome.t) else {
        if f.title_th.trim().is_empty() {
            errors.push(
                "title_th",
                crate::site::forms::code_message(&chrome.t, "required"),
            );
        }
        return form_page(
            req,
            &state,
            "ws-new-draft-title",
            action,
            f,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let input = NewDraft {
        agency: DraftFields::optional(&f.agency),
        title_th: f.title_th.clone(),
        title_en: DraftFields::optional(&f.title_en),
        law_type,
        summary_th: DraftFields::optional(&f.summary_th),
        summary_en: DraftFields::optional(&f.summary_en),
        topics: f.topics(),
        body_markdown: None,
        changelog: None,
    };
    match drafts::create_draft(&state.ctx.db, &me.actor, input).await {
        Ok(view) => see_other(&chrome.href(&format!("/workspace/drafts/{}", view.draft.id))),
        Err(err) => match Errors::from_domain(&chrome.t, &err, field_id) {
            Some(errors) => {
                form_page(
                    req,
                    &state,
                    "ws-new-draft-title",
                    action,
                    f,
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => error_page(req, err),
        },
    }
}

#[derive(Template)]
#[template(path = "workspace/draft.html")]
struct DraftPage {
    chrome: Chrome,
    view: DraftView,
    versions: Vec<draft_version::Model>,
    consultations: Vec<ConsultationView>,
    checklist: Checklist,
    errors: Errors,
}

async fn draft_page(
    req: &Request,
    state: &AppState,
    actor: &Actor,
    id: i64,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let d = drafts::find_managed(conn, actor, DraftId(id)).await?;
        let view = drafts::view_of(conn, d).await?;
        let versions = draft_version::Entity::find()
            .filter(draft_version::Column::DraftId.eq(id))
            .order_by_desc(draft_version::Column::Number)
            .all(conn)
            .await?;
        let rows = domain::entity::consultation::Entity::find()
            .filter(domain::entity::consultation::Column::DraftId.eq(id))
            .order_by_asc(domain::entity::consultation::Column::OpensAt)
            .all(conn)
            .await?;
        let consultations = consultations::views(conn, rows).await?;
        let checklist = assessments::checklist(conn, DraftId(id)).await?;
        Ok::<_, DomainError>((view, versions, consultations, checklist))
    };
    match loaded.await {
        Ok((view, versions, consultations, checklist)) => {
            let mut chrome = Chrome::new(req, "ws-draft-title");
            chrome.title = view.draft.title_th.clone();
            render(
                req,
                status,
                DraftPage {
                    chrome,
                    view,
                    versions,
                    consultations,
                    checklist,
                    errors,
                },
            )
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    draft_page(
        req,
        &state,
        &me.actor,
        id,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[handler]
pub async fn edit_form(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let conn = &state.ctx.db.conn;
    let view = async {
        let d = drafts::find_managed(conn, &me.actor, DraftId(id)).await?;
        drafts::view_of(conn, d).await
    };
    match view.await {
        Ok(view) => {
            let action = Chrome::new(req, "ws-edit-draft-title")
                .href(&format!("/workspace/drafts/{id}/edit"));
            form_page(
                req,
                &state,
                "ws-edit-draft-title",
                action,
                DraftFields::of_draft(&view),
                Errors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn edit(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-edit-draft-title");
    let f = DraftFields::of_form(&visitor::form(req));
    let mut errors = Errors::default();
    let law_type = f.law_type(&mut errors, &chrome.t);
    let action = chrome.href(&format!("/workspace/drafts/{id}/edit"));
    if !errors.is_empty() {
        return form_page(
            req,
            &state,
            "ws-edit-draft-title",
            action,
            f,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let patch = DraftPatch {
        title_th: Some(f.title_th.clone()),
        title_en: Some(f.title_en.clone()),
        law_type,
        summary_th: Some(f.summary_th.clone()),
        summary_en: Some(f.summary_en.clone()),
        topics: Some(f.topics()),
        // A form without the time it was opened is refused as a conflict, never saved blind.
        expected_updated_at: Some(f.seen.trim().parse().unwrap_or(-1)),
    };
    match drafts::update_draft(&state.ctx.db, &me.actor, DraftId(id), patch).await {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/drafts/{id}"))),
        Err(DomainError::Conflict(_)) => {
            let mut errors = Errors::default();
            errors.push("title_th", chrome.t.get("ws-edit-conflict"));
            form_page(
                req,
                &state,
                "ws-edit-draft-title",
                action,
                f,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, field_id) {
            Some(errors) => {
                form_page(
                    req,
                    &state,
                    "ws-edit-draft-title",
                    action,
                    f,
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => error_page(req, err),
        },
    }
}

/// The version form, and its preview.
#[derive(Template)]
#[template(path = "workspace/version_form.html")]
struct VersionPage {
    chrome: Chrome,
    view: DraftView,
    body: String,
    changelog: String,
    /// The latest version number when the author began (`none` before the first).
    based_on: String,
    /// The parsed provisions, once previewed.
    preview: Option<Vec<Provision>>,
    warnings: Vec<String>,
    errors: Errors,
}

async fn version_page(
    req: &Request,
    state: &AppState,
    id: i64,
    typed: Option<(String, String, String)>,
    preview: bool,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let d = drafts::find_managed(conn, &me.actor, DraftId(id)).await?;
        let view = drafts::view_of(conn, d).await?;
        let latest = match view.draft.current_version {
            Some(n) => draft_version::Entity::find()
                .filter(draft_version::Column::DraftId.eq(id))
                .filter(draft_version::Column::Number.eq(n))
                .one(conn)
                .await?
                .map(|v| v.body_markdown),
            None => None,
        };
        Ok::<_, DomainError>((view, latest))
    };
    let (view, latest) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(req, e),
    };
    let (body, changelog, based_on) = typed.unwrap_or_else(|| {
        (
            latest.unwrap_or_default(),
            String::new(),
            view.draft
                .current_version
                .map_or("none".into(), |n| n.to_string()),
        )
    });
    let (preview, warnings) = if preview {
        let parsed = provisions::parse_body(&body);
        let chrome = Chrome::new(req, "ws-version-title");
        let warnings = body_warnings(&chrome, &body, &parsed.provisions);
        (Some(parsed.provisions), warnings)
    } else {
        (None, Vec::new())
    };
    let mut chrome = Chrome::new(req, "ws-version-title");
    chrome.title = format!("{} · {}", chrome.title, view.draft.title_th);
    let page = VersionPage {
        chrome,
        view,
        body,
        changelog,
        based_on,
        preview,
        warnings,
        errors,
    };
    render(req, status, page)
}

/// What looks wrong in a body about to be published, in words (see `provisions::warnings`).
fn body_warnings(chrome: &Chrome, body: &str, provisions: &[Provision]) -> Vec<String> {
    use domain::provisions::BodyWarning;
    let mut out: Vec<String> = provisions::warnings(body)
        .iter()
        .map(|w| {
            let label = match w {
                BodyWarning::DuplicateNumber { label, .. }
                | BodyWarning::EmptyProvision { label, .. } => label.clone(),
                BodyWarning::SkippedNumber { expected, .. } => expected.clone(),
                BodyWarning::TextOutsideProvision { excerpt, .. } => excerpt.clone(),
            };
            let text = chrome
                .t
                .with(&format!("ws-warning-{}", w.code()), "label", label);
            format!("{}: {text}", chrome.t.with("ws-line", "n", w.line()))
        })
        .collect();
    if provisions.is_empty() {
        out.push(chrome.t.get("ws-warning-no-provisions"));
    }
    out
}

#[handler]
pub async fn version_form(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    version_page(
        req,
        &state,
        id,
        None,
        false,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Previews (`action=preview`) or publishes (`action=publish`) the typed text.
#[handler]
pub async fn version_post(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let typed = (
        form.raw("body").to_string(),
        form.raw("changelog").to_string(),
        form.raw("based_on").to_string(),
    );
    let chrome = Chrome::new(req, "ws-version-title");
    let mut errors = Errors::default();
    if form.get("body").is_none() {
        errors.push(
            "body",
            crate::site::forms::code_message(&chrome.t, "required"),
        );
    }
    if form.get("action") != Some("publish") || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        return version_page(
            req,
            &state,
            id,
            Some(typed),
            errors.is_empty(),
            errors,
            status,
        )
        .await;
    }
    if form.get("changelog").is_none() {
        errors.push("changelog", chrome.t.get("ws-changelog-required"));
        return version_page(
            req,
            &state,
            id,
            Some(typed),
            true,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let based_on = match typed.2.trim() {
        "none" => Some(None),
        n => Some(Some(n.parse().unwrap_or(-1))),
    };
    let result = drafts::add_version(
        &state.ctx.db,
        &me.actor,
        DraftId(id),
        typed.0.clone(),
        Some(typed.1.clone()),
        None,
        based_on,
    )
    .await;
    match result {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/drafts/{id}"))),
        Err(DomainError::Conflict(_)) => {
            errors.push("body", chrome.t.get("ws-version-conflict"));
            version_page(
                req,
                &state,
                id,
                Some(typed),
                true,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(DomainError::NoChange(_)) => {
            errors.push("body", chrome.t.get("ws-version-no-change"));
            version_page(
                req,
                &state,
                id,
                Some(typed),
                true,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |f| {
            Some(if f.field.starts_with("body") {
                "body".into()
            } else {
                f.field.clone()
            })
        }) {
            Some(errors) => {
                version_page(
                    req,
                    &state,
                    id,
                    Some(typed),
                    true,
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None if matches!(err, DomainError::PayloadTooLarge { .. }) => {
                errors.push("body", chrome.t.get("ws-body-too-large"));
                version_page(
                    req,
                    &state,
                    id,
                    Some(typed),
                    false,
                    errors,
                    StatusCode::PAYLOAD_TOO_LARGE,
                )
                .await
            }
            None => error_page(req, err),
        },
    }
}

/// The largest upload form: a `.docx` at the converter's limit, plus the form's fields.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// Converts an uploaded Word document into the version form's text and shows its preview;
/// nothing is stored until the officer publishes. A file that is not a plain `.docx` (not a
/// zip, a zip bomb, too large, macro-enabled) is refused with a message saying why.
#[handler]
pub async fn upload(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let form = visitor::form(req);
    let chrome = Chrome::new(req, "ws-version-title");
    let based_on = form.raw("based_on").to_string();
    let file = visitor::files(req)
        .into_iter()
        .find(|f| f.field == "document" && !f.bytes.is_empty());
    let Some(file) = file else {
        let mut errors = Errors::default();
        errors.push("document", chrome.t.get("ws-docx-none"));
        return version_page(
            req,
            &state,
            id,
            None,
            false,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let converted = tokio::task::spawn_blocking(move || {
        domain::docx::to_markdown(&file.bytes, &domain::docx::DocxLimits::default())
    })
    .await;
    match converted {
        Ok(Ok(markdown)) => {
            version_page(
                req,
                &state,
                id,
                Some((markdown, String::new(), based_on)),
                true,
                Errors::default(),
                StatusCode::OK,
            )
            .await
        }
        Ok(Err(e)) => {
            let mut errors = Errors::default();
            errors.push("document", chrome.t.get(&format!("ws-docx-{}", e.code())));
            let status = if e.code() == "docx_too_large" {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            version_page(req, &state, id, None, false, errors, status).await
        }
        Err(e) => error_page(
            req,
            DomainError::Internal(anyhow::anyhow!("converting a document failed: {e}")),
        ),
    }
}

/// Submits the draft; the server refuses unless every point of the checklist holds.
#[handler]
pub async fn submit(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-draft-title");
    match assessments::submit(&state.ctx.db, &me.actor, DraftId(id)).await {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/drafts/{id}"))),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("submit", chrome.t.get("ws-submit-refused"));
            draft_page(req, &state, &me.actor, id, errors, StatusCode::CONFLICT).await
        }
        Err(e) => error_page(req, e),
    }
}
