//! Laws in force and their ex-post evaluation (Act on Legislative Drafting and Evaluation of
//! Law B.E. 2562, s.34): every law is evaluated at least every five years. The worker's
//! scheduler raises a reminder once, [`REMINDER_BEFORE_MS`] before the evaluation falls due.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::OnConflict,
};

use super::{
    agencies,
    page::{Page, PageRequest},
    validate::Checks,
};
use crate::{
    audit::{self, AuditRecord},
    db::Db,
    entity::{account, evaluation_request, law_in_force},
    error::{DomainError, DomainResult},
    ids::AgencyId,
    jobs::MailJob,
    time::{DAY_MS, now_ms},
    types::{Actor, LawType, Role},
};

/// A law is evaluated again within this many calendar years (on Bangkok's calendar; see
/// [`evaluation_due_at`]).
pub const EVALUATION_EVERY_YEARS: u32 = 5;
/// Reminders go out 90 days before an evaluation falls due.
pub const REMINDER_BEFORE_MS: i64 = 90 * DAY_MS;

/// When the next evaluation of a law falls due: [`EVALUATION_EVERY_YEARS`] calendar years after
/// `base` (its entry into force or its last evaluation), the same date and time in Bangkok;
/// from a 29 February, the 28th.
pub fn evaluation_due_at(base: i64) -> i64 {
    crate::time::add_years_bangkok(base, EVALUATION_EVERY_YEARS)
}

#[derive(Debug, Clone)]
pub struct NewLaw {
    pub title_th: String,
    pub title_en: Option<String>,
    pub law_type: LawType,
    pub in_force_since: i64,
    pub last_evaluated_at: Option<i64>,
}

/// Registers a law in force of the officer's agency; its evaluation falls due five years after
/// it came into force or was last evaluated.
pub async fn register(db: &Db, actor: &Actor, input: NewLaw) -> DomainResult<law_in_force::Model> {
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agency officers and administrators register laws".into(),
        ));
    }
    let mut checks = Checks::new();
    let title_th = checks.title("title_th", &input.title_th, 500);
    let title_en = checks.optional_title("title_en", input.title_en.as_deref(), 500);
    if input
        .last_evaluated_at
        .is_some_and(|t| t < input.in_force_since)
    {
        checks.push(
            "last_evaluated_at",
            "invalid_value",
            "a law is evaluated after it comes into force",
        );
    }
    if actor.agency_id.is_none() {
        checks.push(
            "agency",
            "required",
            "register laws as an officer of their agency",
        );
    }
    checks.finish()?;
    let agency_id = actor.agency_id.map_or(0, AgencyId::get);
    agencies::find_by_id(&db.conn, agency_id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let base = input.last_evaluated_at.unwrap_or(input.in_force_since);
    let tx = db.write().await?;
    let law = law_in_force::Entity::insert(law_in_force::ActiveModel {
        agency_id: Set(agency_id),
        draft_id: Set(None),
        title_th: Set(title_th),
        title_en: Set(title_en),
        law_type: Set(input.law_type),
        in_force_since: Set(input.in_force_since),
        evaluation_due_at: Set(evaluation_due_at(base)),
        last_evaluated_at: Set(input.last_evaluated_at),
        evaluation_reminded_at: Set(None),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    audit::record(&*tx, AuditRecord {
        actor: Some(actor.account_id),
        action: "law.register",
        entity_type: "law_in_force",
        entity_id: law.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"title_th": law.title_th, "evaluation_due_at": law.evaluation_due_at})),
    })
    .await?;
    tx.commit().await?;
    Ok(law)
}

/// One law in force.
pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> DomainResult<law_in_force::Model> {
    law_in_force::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("law"))
}

/// The shortest reason accepted for an evaluation request, in characters.
pub const MIN_REASON_CHARS: usize = 20;

/// Records a reasoned request to evaluate a law before its five years are up (s.34), one per
/// account and law. The reason is public; who asked is not.
pub async fn request_evaluation(
    db: &Db,
    actor: &Actor,
    law_id: i64,
    reason: &str,
) -> DomainResult<evaluation_request::Model> {
    let mut checks = Checks::new();
    let reason = checks.text("reason", reason, 5000);
    if !reason.is_empty() && reason.chars().count() < MIN_REASON_CHARS {
        checks.push(
            "reason",
            "too_short",
            format!("give your reason in at least {MIN_REASON_CHARS} characters"),
        );
    }
    checks.finish()?;
    let tx = db.write().await?;
    get(&*tx, law_id).await?;
    let inserted = evaluation_request::Entity::insert(evaluation_request::ActiveModel {
        law_id: Set(law_id),
        account_id: Set(actor.account_id.get()),
        reason: Set(reason),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            evaluation_request::Column::LawId,
            evaluation_request::Column::AccountId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    if inserted == 0 {
        return Err(DomainError::Conflict(
            "you have already asked for this law to be evaluated".into(),
        ));
    }
    let request = evaluation_request::Entity::find()
        .filter(evaluation_request::Column::LawId.eq(law_id))
        .filter(evaluation_request::Column::AccountId.eq(actor.account_id))
        .one(&*tx)
        .await?
        .ok_or(DomainError::NotFound("evaluation request"))?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "law.evaluation_request",
            entity_type: "law_in_force",
            entity_id: law_id.to_string(),
            before: None,
            after: Some(serde_json::json!({"evaluation_request": request.id})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// The evaluation requests of a law, oldest first.
pub async fn evaluation_requests<C: ConnectionTrait>(
    conn: &C,
    law_id: i64,
    since: Option<i64>,
    page: PageRequest,
) -> DomainResult<Page<evaluation_request::Model>> {
    get(conn, law_id).await?;
    let mut q = evaluation_request::Entity::find()
        .filter(evaluation_request::Column::LawId.eq(law_id))
        .order_by_asc(evaluation_request::Column::Id);
    if let Some(since) = since {
        q = q.filter(evaluation_request::Column::CreatedAt.gte(since));
    }
    if let Some(after) = page.after {
        q = q.filter(evaluation_request::Column::Id.gt(after));
    }
    let rows = q.limit(page.fetch()).all(conn).await?;
    Ok(Page::from_rows(rows, page, |r| r.id))
}

/// How many evaluation requests each of `law_ids` has (laws without any are left out).
pub async fn request_counts<C: ConnectionTrait>(
    conn: &C,
    law_ids: &[i64],
) -> DomainResult<std::collections::HashMap<i64, u64>> {
    if law_ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, i64)> = evaluation_request::Entity::find()
        .select_only()
        .column(evaluation_request::Column::LawId)
        .column_as(evaluation_request::Column::Id.count(), "n")
        .filter(evaluation_request::Column::LawId.is_in(law_ids.iter().copied()))
        .group_by(evaluation_request::Column::LawId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(law, n)| (law, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// Laws in force, by id; with `reminded_only`, those whose evaluation reminder has been raised;
/// with `updated_since` (ms), those registered, asked to be evaluated or falling due since.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    reminded_only: bool,
    updated_since: Option<i64>,
    page: PageRequest,
) -> DomainResult<Page<law_in_force::Model>> {
    let mut q = law_in_force::Entity::find().order_by_asc(law_in_force::Column::Id);
    if let Some(since) = updated_since {
        q = q.filter(
            law_in_force::Column::Id.in_subquery(super::changes::changed_since(
                super::changes::ObjectType::Law,
                since,
            )),
        );
    }
    if reminded_only {
        q = q.filter(law_in_force::Column::EvaluationRemindedAt.is_not_null());
    }
    if let Some(after) = page.after {
        q = q.filter(law_in_force::Column::Id.gt(after));
    }
    let rows = q.limit(page.fetch()).all(conn).await?;
    Ok(Page::from_rows(rows, page, |l| l.id))
}

/// Raises the evaluation reminder of every law due within [`REMINDER_BEFORE_MS`], once each
/// (a conditional UPDATE claims each reminder, so several workers never raise it twice), and
/// in the same transaction enqueues the reminder mail to each officer of the law's agency.
pub async fn raise_due_reminders(db: &Db) -> DomainResult<usize> {
    let now = now_ms();
    let due: Vec<i64> = law_in_force::Entity::find()
        .select_only()
        .column(law_in_force::Column::Id)
        .filter(law_in_force::Column::EvaluationRemindedAt.is_null())
        .filter(law_in_force::Column::EvaluationDueAt.lte(now + REMINDER_BEFORE_MS))
        .limit(500)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let mut raised = 0;
    for id in due {
        let tx = db.write().await?;
        let claimed = law_in_force::Entity::update_many()
            .col_expr(
                law_in_force::Column::EvaluationRemindedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(law_in_force::Column::Id.eq(id))
            .filter(law_in_force::Column::EvaluationRemindedAt.is_null())
            .exec(&*tx)
            .await?;
        if claimed.rows_affected == 1 {
            let law = law_in_force::Entity::find_by_id(id)
                .one(&*tx)
                .await?
                .ok_or(DomainError::NotFound("law"))?;
            let officers: Vec<i64> = account::Entity::find()
                .select_only()
                .column(account::Column::Id)
                .filter(account::Column::AgencyId.eq(law.agency_id))
                .filter(account::Column::Role.eq(Role::Officer))
                .order_by_asc(account::Column::Id)
                .into_tuple()
                .all(&*tx)
                .await?;
            let mails: Vec<MailJob> = officers
                .into_iter()
                .map(|account_id| MailJob::EvaluationDue {
                    law_id: id,
                    account_id,
                })
                .collect();
            crate::jobs::enqueue_many(&*tx, &mails).await?;
            audit::record(
                &*tx,
                AuditRecord {
                    actor: None,
                    action: "law.evaluation_due",
                    entity_type: "law_in_force",
                    entity_id: id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({"reminded_at": now})),
                },
            )
            .await?;
            raised += 1;
        }
        tx.commit().await?;
    }
    Ok(raised)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn evaluation_falls_due_five_calendar_years_on_in_bangkok() {
        let bkk = crate::time::bangkok();
        let at = |y, m, d| {
            bkk.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .unwrap()
                .timestamp_millis()
        };
        // 1 January 00:00 in Bangkok is 31 December in UTC: the Bangkok date counts.
        assert_eq!(evaluation_due_at(at(2024, 1, 1)), at(2029, 1, 1));
        assert_eq!(evaluation_due_at(at(2024, 2, 29)), at(2029, 2, 28));
        assert_eq!(evaluation_due_at(at(2019, 5, 28)), at(2024, 5, 28));
    }
}
