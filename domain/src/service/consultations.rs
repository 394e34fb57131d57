//! Consultations (hearings) on a draft. The law (Act on Legislative Drafting and Evaluation of
//! Law B.E. 2562, s.14) wants announced dates and at least 15 days online; a shorter hearing
//! needs a reason, which is stored and shown publicly. Status is derived from the server clock.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, sea_query::Query,
};
use serde::{Deserialize, Serialize};

use super::{
    agencies, drafts,
    page::{Page, PageRequest},
    validate::Checks,
};
use crate::{
    audit::{self, AuditRecord},
    db::Db,
    entity::{consultation, draft},
    error::{DomainError, DomainResult},
    search::indexing::{self as index, IndexTarget},
    time::{DAY_MS, now_ms},
    types::{Actor, ConsultationKind, ConsultationStatus, QuestionKind},
};

pub const MIN_HEARING_MS: i64 = 15 * DAY_MS;

/// A question as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: String,
    pub prompt_th: String,
    pub prompt_en: Option<String>,
    pub options: Vec<String>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub kind: String,
    pub prompt_th: String,
    pub prompt_en: Option<String>,
    pub options: Vec<String>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub kind: String,
    pub opens_at: i64,
    pub closes_at: i64,
    pub version: Option<i32>,
    pub questions: Vec<NewQuestion>,
    pub invited_stakeholders: Vec<String>,
    pub short_period_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ConsultationFilter {
    pub status: Option<ConsultationStatus>,
    pub agency: Option<String>,
    pub kind: Option<ConsultationKind>,
    pub draft_id: Option<i64>,
}

/// A consultation as shown: the row, its derived status, and its draft's public facts.
#[derive(Debug, Clone)]
pub struct ConsultationView {
    pub consultation: consultation::Model,
    pub status: ConsultationStatus,
    pub questions: Vec<Question>,
    pub invited_stakeholders: Vec<String>,
    pub draft_title_th: String,
    pub draft_title_en: Option<String>,
    pub agency_slug: String,
}

pub fn status_at(c: &consultation::Model, now: i64) -> ConsultationStatus {
    if c.summary_published_at.is_some() {
        ConsultationStatus::Concluded
    } else if now < c.opens_at {
        ConsultationStatus::Scheduled
    } else if now < c.closes_at {
        ConsultationStatus::Open
    } else {
        ConsultationStatus::Closed
    }
}

pub fn questions_of(c: &consultation::Model) -> Vec<Question> {
    serde_json::from_str(&c.questions).unwrap_or_default()
}

pub async fn create_consultation(
    db: &Db,
    actor: &Actor,
    draft_id: i64,
    input: NewConsultation,
) -> DomainResult<ConsultationView> {
    let mut checks = Checks::new();
    let kind = checks.one_of(
        "kind",
        &input.kind,
        ConsultationKind::parse,
        &["principles", "draft", "evaluation"],
    );
    if input.closes_at <= input.opens_at {
        checks.push(
            "closes_at",
            "invalid_value",
            "closes_at must be after opens_at",
        );
    }
    let reason = checks.optional_text(
        "short_period_reason",
        input.short_period_reason.as_deref(),
        2000,
    );
    if input.questions.len() > 50 {
        checks.push("questions", "too_many", "at most 50 questions");
    }
    let mut questions = Vec::new();
    for (i, q) in input.questions.iter().enumerate() {
        let field = format!("questions[{i}]");
        let kind = checks.one_of(
            &format!("{field}.kind"),
            &q.kind,
            QuestionKind::parse,
            &["single_choice", "multiple_choice", "scale", "text"],
        );
        let prompt_th = checks.text(&format!("{field}.prompt_th"), &q.prompt_th, 1000);
        let prompt_en =
            checks.optional_text(&format!("{field}.prompt_en"), q.prompt_en.as_deref(), 1000);
        let mut options = Vec::new();
        for (j, o) in q.options.iter().enumerate() {
            options.push(checks.text(&format!("{field}.options[{j}]"), o, 300));
        }
        match kind {
            Some(QuestionKind::SingleChoice | QuestionKind::MultipleChoice)
                if options.len() < 2 || options.len() > 30 =>
            {
                checks.push(
                    format!("{field}.options"),
                    "invalid_value",
                    "a choice question has 2 to 30 options",
                );
            }
            Some(QuestionKind::Scale | QuestionKind::Text) if !options.is_empty() => {
                checks.push(
                    format!("{field}.options"),
                    "invalid_value",
                    "only choice questions have options",
                );
            }
            _ => {}
        }
        questions.push(Question {
            id: format!("q{}", i + 1),
            kind: kind.map(|k| k.as_str()).unwrap_or_default().into(),
            prompt_th,
            prompt_en,
            options,
            required: q.required,
        });
    }
    let mut stakeholders = Vec::new();
    for (i, s) in input.invited_stakeholders.iter().enumerate() {
        stakeholders.push(checks.text(&format!("invited_stakeholders[{i}]"), s, 300));
    }
    checks.finish()?;
    if input.closes_at - input.opens_at < MIN_HEARING_MS && reason.is_none() {
        return Err(DomainError::HearingTooShort);
    }

    let tx = db.write().await?;
    let draft = drafts::find_managed(&*tx, actor, draft_id).await?;
    let Some(current) = draft.current_version else {
        return Err(DomainError::InvalidState(
            "publish a version of the draft before opening a consultation".into(),
        ));
    };
    let version = input.version.unwrap_or(current);
    if version < 1 || version > current {
        return Err(DomainError::invalid(
            "version",
            "not_found",
            format!("this draft has no version {version}"),
        ));
    }
    let model = consultation::Entity::insert(consultation::ActiveModel {
        draft_id: Set(draft.id),
        version_number: Set(version),
        kind: Set(kind.map(|k| k.as_str()).unwrap_or_default().into()),
        opens_at: Set(input.opens_at),
        closes_at: Set(input.closes_at),
        short_period_reason: Set(reason),
        questions: Set(serde_json::to_string(&questions).map_err(anyhow::Error::from)?),
        invited_stakeholders: Set(
            serde_json::to_string(&stakeholders).map_err(anyhow::Error::from)?
        ),
        summary_published_at: Set(None),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "consultation.create",
            entity_type: "consultation",
            entity_id: model.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "id": model.id, "draft_id": model.draft_id, "version_number": model.version_number,
                "kind": model.kind, "opens_at": model.opens_at, "closes_at": model.closes_at,
                "short_period_reason": model.short_period_reason, "questions": model.questions,
            })),
        },
    )
    .await?;
    // The draft's status changes with its consultations, so both are refreshed.
    index::enqueue(&*tx, IndexTarget::Consultation(model.id)).await?;
    index::enqueue(&*tx, IndexTarget::Draft(model.draft_id)).await?;
    let view = views(&*tx, vec![model]).await?.remove(0);
    tx.commit().await?;
    Ok(view)
}

/// A consultation `actor` may see: its draft must be visible to them.
pub async fn find_visible<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: i64,
) -> DomainResult<consultation::Model> {
    let c = consultation::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("consultation"))?;
    match drafts::find_visible(conn, actor, c.draft_id).await {
        Ok(_) => Ok(c),
        Err(DomainError::NotFound(_)) => Err(DomainError::NotFound("consultation")),
        Err(e) => Err(e),
    }
}

pub async fn get_consultation<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: i64,
) -> DomainResult<ConsultationView> {
    let c = find_visible(conn, actor, id).await?;
    Ok(views(conn, vec![c]).await?.remove(0))
}

pub async fn views<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<consultation::Model>,
) -> DomainResult<Vec<ConsultationView>> {
    let draft_ids: Vec<i64> = rows.iter().map(|c| c.draft_id).collect();
    let drafts: std::collections::HashMap<i64, draft::Model> = if draft_ids.is_empty() {
        Default::default()
    } else {
        draft::Entity::find()
            .filter(draft::Column::Id.is_in(draft_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let agencies = agencies::by_ids(conn, drafts.values().map(|d| d.agency_id)).await?;
    let now = now_ms();
    Ok(rows
        .into_iter()
        .map(|c| {
            let draft = drafts.get(&c.draft_id);
            ConsultationView {
                status: status_at(&c, now),
                questions: questions_of(&c),
                invited_stakeholders: serde_json::from_str(&c.invited_stakeholders)
                    .unwrap_or_default(),
                draft_title_th: draft.map(|d| d.title_th.clone()).unwrap_or_default(),
                draft_title_en: draft.and_then(|d| d.title_en.clone()),
                agency_slug: draft
                    .and_then(|d| agencies.get(&d.agency_id))
                    .map(|a| a.slug.clone())
                    .unwrap_or_default(),
                consultation: c,
            }
        })
        .collect())
}

pub async fn list_consultations<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    filter: ConsultationFilter,
    page: PageRequest,
) -> DomainResult<Page<ConsultationView>> {
    // Consultations exist only on published drafts (a version is required to open one), but
    // the visibility rule is applied anyway so that it holds however they were created.
    let mut visible = Query::select()
        .column(draft::Column::Id)
        .from(draft::Entity)
        .to_owned();
    match actor {
        Some(a) if a.role == crate::types::Role::Admin => {}
        Some(a) if a.role == crate::types::Role::Officer => {
            visible.cond_where(
                draft::Column::PublishedAt
                    .is_not_null()
                    .or(draft::Column::AgencyId.eq(a.agency_id.unwrap_or(-1))),
            );
        }
        _ => {
            visible.and_where(draft::Column::PublishedAt.is_not_null());
        }
    }
    let mut query = consultation::Entity::find()
        .order_by_asc(consultation::Column::Id)
        .filter(consultation::Column::DraftId.in_subquery(visible));
    if let Some(after) = page.after {
        query = query.filter(consultation::Column::Id.gt(after));
    }
    if let Some(draft_id) = filter.draft_id {
        query = query.filter(consultation::Column::DraftId.eq(draft_id));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(consultation::Column::Kind.eq(kind.as_str()));
    }
    if let Some(slug) = &filter.agency {
        let id = agencies::find_by_slug(conn, slug)
            .await?
            .map(|a| a.id)
            .unwrap_or(-1);
        query = query.filter(
            consultation::Column::DraftId.in_subquery(
                Query::select()
                    .column(draft::Column::Id)
                    .from(draft::Entity)
                    .and_where(draft::Column::AgencyId.eq(id))
                    .to_owned(),
            ),
        );
    }
    if let Some(status) = filter.status {
        let now = now_ms();
        use consultation::Column as C;
        query = match status {
            ConsultationStatus::Concluded => query.filter(C::SummaryPublishedAt.is_not_null()),
            ConsultationStatus::Scheduled => query
                .filter(C::SummaryPublishedAt.is_null())
                .filter(C::OpensAt.gt(now)),
            ConsultationStatus::Open => query
                .filter(C::SummaryPublishedAt.is_null())
                .filter(C::OpensAt.lte(now))
                .filter(C::ClosesAt.gt(now)),
            ConsultationStatus::Closed => query
                .filter(C::SummaryPublishedAt.is_null())
                .filter(C::ClosesAt.lte(now)),
        };
    }
    let rows = query.limit(page.fetch()).all(conn).await?;
    let page = Page::from_rows(rows, page, |c| c.id);
    let items = views(conn, page.items).await?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}
