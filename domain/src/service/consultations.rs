//! Consultations (hearings) on a draft. The law (Act on Legislative Drafting and Evaluation of
//! Law B.E. 2562, s.14) wants announced dates and at least 15 days online; a shorter hearing
//! needs a reason, which is stored and shown publicly. Status is derived from the server clock.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
    sea_query::{Expr, Query},
};

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
    ids::{AgencyId, ConsultationId, DraftId},
    jobs::{self, IndexTarget},
    time::{DAY_MS, now_ms},
    types::{Actor, ConsultationKind, ConsultationStatus, Question, QuestionKind},
};

pub const MIN_HEARING_MS: i64 = 15 * DAY_MS;

/// How far in the past `opens_at` may lie when a hearing is announced: the clocks of an
/// officer's machine and of the server may disagree by this much.
pub const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// The announced dates of a hearing, checked against the clock at the moment they are
/// announced: a hearing is announced before it opens and cannot be dated in the past, so
/// nobody can record a hearing at which no one could have commented.
fn check_dates(checks: &mut Checks, opens_at: i64, closes_at: i64, now: i64) {
    if opens_at < now - CLOCK_SKEW_MS {
        checks.push(
            "opens_at",
            "in_the_past",
            "opens_at must not be earlier than now: a hearing is announced before it opens",
        );
    }
    if closes_at <= now {
        checks.push(
            "closes_at",
            "in_the_past",
            "closes_at must be in the future",
        );
    } else if closes_at <= opens_at {
        checks.push(
            "closes_at",
            "invalid_value",
            "closes_at must be after opens_at",
        );
    }
}

#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt_th: String,
    pub prompt_en: Option<String>,
    pub options: Vec<String>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub kind: ConsultationKind,
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
    pub draft_id: Option<DraftId>,
    /// Only consultations on drafts of this type of law.
    pub law_type: Option<crate::types::LawType>,
    /// Only consultations on drafts with this topic (a slug).
    pub topic: Option<String>,
    /// Only consultations with a public change at or after this time (ms): opened, moved,
    /// concluded with a published summary.
    pub updated_since: Option<i64>,
}

/// A consultation as shown: the row, its derived status, and its draft's public facts.
#[derive(Debug, Clone)]
pub struct ConsultationView {
    pub consultation: consultation::Model,
    pub status: ConsultationStatus,
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

pub async fn create_consultation(
    db: &Db,
    actor: &Actor,
    draft_id: DraftId,
    input: NewConsultation,
) -> DomainResult<ConsultationView> {
    let mut checks = Checks::new();
    let now = now_ms();
    check_dates(&mut checks, input.opens_at, input.closes_at, now);
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
        let prompt_th = checks.text(&format!("{field}.prompt_th"), &q.prompt_th, 1000);
        let prompt_en =
            checks.optional_text(&format!("{field}.prompt_en"), q.prompt_en.as_deref(), 1000);
        let mut options = Vec::new();
        for (j, o) in q.options.iter().enumerate() {
            options.push(checks.text(&format!("{field}.options[{j}]"), o, 300));
        }
        match q.kind {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
                if options.len() < 2 || options.len() > 30 =>
            {
                checks.push(
                    format!("{field}.options"),
                    "invalid_value",
                    "a choice question has 2 to 30 options",
                );
            }
            QuestionKind::Scale | QuestionKind::Text if !options.is_empty() => {
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
            kind: q.kind,
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
        kind: Set(input.kind),
        opens_at: Set(input.opens_at),
        closes_at: Set(input.closes_at),
        short_period_reason: Set(reason),
        questions: Set(questions.into()),
        invited_stakeholders: Set(stakeholders.into()),
        summary_published_at: Set(None),
        created_at: Set(now),
        announced_at: Set(Some(now)),
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
    jobs::enqueue(&*tx, &IndexTarget::Consultation(model.id)).await?;
    jobs::enqueue(&*tx, &IndexTarget::Draft(model.draft_id)).await?;
    let view = view_of(&*tx, model).await?;
    tx.commit().await?;
    Ok(view)
}

/// New dates for a hearing that has not opened yet.
#[derive(Debug, Clone)]
pub struct NewDates {
    pub opens_at: i64,
    pub closes_at: i64,
    /// Replaces the stored reason for a period under 15 days; `None` keeps it.
    pub short_period_reason: Option<String>,
}

/// Moves the dates of a scheduled hearing and announces them again (officers of its agency).
/// Once a hearing has opened its dates are fixed: people have been told when they may comment.
pub async fn reschedule_consultation(
    db: &Db,
    actor: &Actor,
    id: ConsultationId,
    input: NewDates,
) -> DomainResult<ConsultationView> {
    let mut checks = Checks::new();
    let now = now_ms();
    check_dates(&mut checks, input.opens_at, input.closes_at, now);
    let new_reason = checks.optional_text(
        "short_period_reason",
        input.short_period_reason.as_deref(),
        2000,
    );
    checks.finish()?;
    let tx = db.write().await?;
    let c = find_visible(&*tx, Some(actor), id).await?;
    match drafts::find_managed(&*tx, actor, DraftId(c.draft_id)).await {
        Ok(_) => {}
        Err(DomainError::NotFound(_)) => return Err(DomainError::NotFound("consultation")),
        Err(e) => return Err(e),
    }
    let status = status_at(&c, now);
    if status != ConsultationStatus::Scheduled {
        return Err(DomainError::InvalidState(format!(
            "the dates of a hearing that is {} cannot change; only a scheduled hearing is rescheduled",
            status.as_str()
        )));
    }
    let reason = new_reason.or_else(|| c.short_period_reason.clone());
    if input.closes_at - input.opens_at < MIN_HEARING_MS && reason.is_none() {
        return Err(DomainError::HearingTooShort);
    }
    let before = serde_json::json!({
        "opens_at": c.opens_at, "closes_at": c.closes_at,
        "short_period_reason": c.short_period_reason, "announced_at": c.announced_at,
    });
    // Conditional on the dates read, so two changes at once cannot both pass the check.
    let changed = consultation::Entity::update_many()
        .col_expr(consultation::Column::OpensAt, Expr::value(input.opens_at))
        .col_expr(consultation::Column::ClosesAt, Expr::value(input.closes_at))
        .col_expr(
            consultation::Column::ShortPeriodReason,
            Expr::value(reason.clone()),
        )
        .col_expr(consultation::Column::AnnouncedAt, Expr::value(now))
        .filter(consultation::Column::Id.eq(c.id))
        .filter(consultation::Column::OpensAt.eq(c.opens_at))
        .filter(consultation::Column::OpensAt.gt(now))
        .exec(&*tx)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(DomainError::InvalidState(
            "the hearing opened or changed meanwhile; read it again".into(),
        ));
    }
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "consultation.reschedule",
            entity_type: "consultation",
            entity_id: c.id.to_string(),
            before: Some(before),
            after: Some(serde_json::json!({
                "opens_at": input.opens_at, "closes_at": input.closes_at,
                "short_period_reason": reason, "announced_at": now,
            })),
        },
    )
    .await?;
    jobs::enqueue(&*tx, &IndexTarget::Consultation(c.id)).await?;
    jobs::enqueue(&*tx, &IndexTarget::Draft(c.draft_id)).await?;
    let model = consultation::Entity::find_by_id(c.id)
        .one(&*tx)
        .await?
        .ok_or(DomainError::NotFound("consultation"))?;
    let view = view_of(&*tx, model).await?;
    tx.commit().await?;
    Ok(view)
}

/// The view of one consultation.
async fn view_of<C: ConnectionTrait>(
    conn: &C,
    model: consultation::Model,
) -> DomainResult<ConsultationView> {
    views(conn, vec![model])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("consultation"))
}

/// A consultation `actor` may see: its draft must be visible to them.
pub async fn find_visible<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: ConsultationId,
) -> DomainResult<consultation::Model> {
    let c = consultation::Entity::find_by_id(id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("consultation"))?;
    match drafts::find_visible(conn, actor, DraftId(c.draft_id)).await {
        Ok(_) => Ok(c),
        Err(DomainError::NotFound(_)) => Err(DomainError::NotFound("consultation")),
        Err(e) => Err(e),
    }
}

pub async fn get_consultation<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: ConsultationId,
) -> DomainResult<ConsultationView> {
    let c = find_visible(conn, actor, id).await?;
    view_of(conn, c).await
}

pub async fn views<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<consultation::Model>,
) -> DomainResult<Vec<ConsultationView>> {
    let drafts = super::by_ids::<draft::Entity, _>(
        conn,
        draft::Column::Id,
        rows.iter().map(|c| c.draft_id),
        |d| d.id,
    )
    .await?;
    let agencies = agencies::by_ids(conn, drafts.values().map(|d| d.agency_id)).await?;
    let now = now_ms();
    Ok(rows
        .into_iter()
        .map(|c| {
            let draft = drafts.get(&c.draft_id);
            ConsultationView {
                status: status_at(&c, now),
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

/// The `limit` hearings whose summaries were published last, newest first (public ones only).
pub async fn recently_concluded<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> DomainResult<Vec<ConsultationView>> {
    let published = Query::select()
        .column(draft::Column::Id)
        .from(draft::Entity)
        .and_where(draft::Column::PublishedAt.is_not_null())
        .to_owned();
    let rows = consultation::Entity::find()
        .filter(consultation::Column::SummaryPublishedAt.is_not_null())
        .filter(consultation::Column::DraftId.in_subquery(published))
        .order_by_desc(consultation::Column::SummaryPublishedAt)
        .order_by_desc(consultation::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    views(conn, rows).await
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
                    .or(draft::Column::AgencyId.eq(a.agency_id.map_or(-1, AgencyId::get))),
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
        query = query.filter(consultation::Column::Kind.eq(kind));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(
            consultation::Column::Id.in_subquery(super::changes::changed_since(
                super::changes::ObjectType::Consultation,
                since,
            )),
        );
    }
    if filter.law_type.is_some() || filter.topic.is_some() {
        let mut drafts = Query::select()
            .column(draft::Column::Id)
            .from(draft::Entity)
            .to_owned();
        if let Some(t) = filter.law_type {
            drafts.and_where(draft::Column::LawType.eq(t));
        }
        if let Some(topic) = &filter.topic {
            // The same match as the drafts list: a topic is a slug inside the JSON list.
            drafts.and_where(draft::Column::Topics.like(format!("%\"{topic}\"%")));
        }
        query = query.filter(consultation::Column::DraftId.in_subquery(drafts));
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
