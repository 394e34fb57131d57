//! Tamper evidence: checks that the audit trail and the published documents are as they were
//! written, and records the result.
//!
//! - The audit chain is walked in id order, a page at a time (never all at once): each event
//!   must link to the hash of the event before it and hash to its stored `hash`. After a broken
//!   event the walk goes on from its stored hash, so later, independent breaks are counted too.
//!   The chain head (`audit_chain_head`) must name the event at its stored length, so removing
//!   the newest events is noticed as well.
//! - A published hearing summary's stored Markdown must hash to its `content_hash` (the same
//!   SHA-256 as `reports::publish` stores), and that hash must be the one the audit trail
//!   recorded at publication, so rewriting text and hash together is noticed too.
//! - A published impact assessment's text is rendered from its stored fields, as
//!   `assessments::publish` does, and must hash to its `content_hash`. The draft's title is part
//!   of that text and may change after publication; when the hash differs, the stored fields
//!   are compared with the hash the audit trail recorded when they were saved, and only fields
//!   that differ from it are reported. Its `content_hash` is compared with the audit trail's too.
//!
//! Each run is stored in `integrity_checks`; `rabfang audit verify`, the worker's daily run
//! (`verify_integrity` job) and the administrators' routes all go through [`verify_and_record`].

use std::fmt;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{expected_hash, genesis_hash, sha256_hex, value_hash},
    db::Db,
    entity::{audit_event, draft, impact_assessment, integrity_check, job, report},
    error::{DomainError, DomainResult},
    jobs::{BackgroundJob, VerifyIntegrityJob},
    time::{DAY_MS, now_ms},
    types::{Actor, JobState, Role},
};

/// Events read per query.
const EVENT_PAGE: u64 = 1_000;
/// Documents read per query (they carry whole texts).
const DOCUMENT_PAGE: u64 = 50;
/// Problems kept in a stored result; the counts stay exact.
const MAX_PROBLEMS: usize = 100;

/// What was found broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `audit_event`, `audit_chain_head`, `hearing_summary` or `impact_assessment`.
    pub kind: String,
    /// The row's id (the audit event, the report, the assessment; 1 for the chain head).
    pub id: i64,
    /// What the row is about, e.g. `draft.update on draft 3`.
    pub subject: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.replace('_', " ");
        write!(f, "{kind} {} ({}): {}", self.id, self.subject, self.message)
    }
}

/// How far a verification has come (for progress bars).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// The audit chain as walked.
#[derive(Debug, Default)]
pub struct ChainReport {
    pub verified: u64,
    pub broken: u64,
    pub first_broken: Option<audit_event::Model>,
    pub problems: Vec<Problem>,
    /// More problems than were kept.
    pub more_problems: u64,
}

/// A whole verification.
#[derive(Debug, Default)]
pub struct Verification {
    pub started_at: i64,
    pub events_verified: u64,
    pub broken_events: u64,
    pub documents_checked: u64,
    /// Every problem, the first broken audit event (if any) first.
    pub problems: Vec<Problem>,
    /// More problems than were kept.
    pub more_problems: u64,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn event_subject(e: &audit_event::Model) -> String {
    format!("{} on {} {}", e.action, e.entity_type, e.entity_id)
}

fn push(problems: &mut Vec<Problem>, more: &mut u64, problem: Problem) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(problem);
    } else {
        *more += 1;
    }
}

async fn chain_head<C: ConnectionTrait>(conn: &C) -> DomainResult<(String, i64)> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT last_hash, length FROM audit_chain_head WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("audit_chain_head row is missing"))?;
    Ok((row.try_get("", "last_hash")?, row.try_get("", "length")?))
}

/// Walks the audit chain a page at a time. `progress` gets the number of events walked and the
/// number there were when the walk began.
pub async fn verify_chain<C: ConnectionTrait>(
    conn: &C,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> DomainResult<ChainReport> {
    // The head first: events appended during the walk come after the one it names.
    let (head_hash, head_length) = chain_head(conn).await?;
    let total = audit_event::Entity::find().count(conn).await?;
    let mut report = ChainReport::default();
    let mut more = 0;
    let mut prev = genesis_hash();
    let mut head_seen = head_length == 0;
    let mut after = None;
    loop {
        let mut query = audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Id)
            .limit(EVENT_PAGE);
        if let Some(id) = after {
            query = query.filter(audit_event::Column::Id.gt(id));
        }
        let events = query.all(conn).await?;
        let Some(last) = events.last() else { break };
        after = Some(last.id);
        for event in events {
            let message = if event.prev_hash != prev {
                Some(
                    "it does not link to the event before it: an event before it was removed or changed",
                )
            } else if event.hash != expected_hash(&prev, &event) {
                Some("its contents do not match its hash: it was changed after it was written")
            } else {
                None
            };
            report.verified += 1;
            if let Some(message) = message {
                report.broken += 1;
                push(
                    &mut report.problems,
                    &mut more,
                    Problem {
                        kind: "audit_event".into(),
                        id: event.id,
                        subject: event_subject(&event),
                        message: message.into(),
                    },
                );
                if report.first_broken.is_none() {
                    report.first_broken = Some(event.clone());
                }
            }
            if report.verified == head_length as u64 {
                head_seen = true;
                if event.hash != head_hash {
                    push(
                        &mut report.problems,
                        &mut more,
                        Problem {
                            kind: "audit_chain_head".into(),
                            id: 1,
                            subject: format!("{head_length} events"),
                            message: format!(
                                "the chain head does not name event {}, the last of its {head_length} events: events were added, removed or changed outside the audit trail",
                                event.id
                            ),
                        },
                    );
                }
            }
            // Go on from the stored hash, so that the next event is judged on its own.
            prev = event.hash;
        }
        progress(Progress {
            done: report.verified,
            total: total.max(report.verified),
        });
    }
    if !head_seen {
        push(
            &mut report.problems,
            &mut more,
            Problem {
                kind: "audit_chain_head".into(),
                id: 1,
                subject: format!("{head_length} events"),
                message: format!(
                    "the chain head counts {head_length} events but only {} are stored: events were removed",
                    report.verified
                ),
            },
        );
    }
    report.more_problems = more;
    Ok(report)
}

/// The `after_hash` of the newest audit event of `action` on one entity, if there is one.
async fn recorded_after_hash<C: ConnectionTrait>(
    conn: &C,
    action: &str,
    entity_type: &str,
    entity_id: i64,
) -> DomainResult<Option<Option<String>>> {
    Ok(audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::EntityType.eq(entity_type))
        .filter(audit_event::Column::EntityId.eq(entity_id.to_string()))
        .order_by_desc(audit_event::Column::Id)
        .one(conn)
        .await?
        .map(|e| e.after_hash))
}

/// Problems of one published hearing summary.
async fn check_report<C: ConnectionTrait>(
    conn: &C,
    r: &report::Model,
) -> DomainResult<Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |message: &str| Problem {
        kind: "hearing_summary".into(),
        id: r.id,
        subject: format!("consultation {}", r.consultation_id),
        message: message.into(),
    };
    let text = r.body_markdown.as_deref().unwrap_or_default();
    if r.content_hash.as_deref() != Some(sha256_hex(text.as_bytes()).as_str()) {
        problems.push(problem(
            "its text does not match its content hash: it was changed after publication",
        ));
    }
    // What `reports::publish` records.
    let published =
        value_hash(&serde_json::json!({"report_id": r.id, "content_hash": r.content_hash}));
    if let Some(recorded) = recorded_after_hash(
        conn,
        "hearing_summary.publish",
        "consultation",
        r.consultation_id,
    )
    .await?
        && recorded.as_deref() != Some(published.as_str())
    {
        problems.push(problem(
            "its content hash is not the one the audit trail recorded at publication",
        ));
    }
    Ok(problems)
}

/// Problems of one published impact assessment.
async fn check_assessment<C: ConnectionTrait>(
    conn: &C,
    a: &impact_assessment::Model,
) -> DomainResult<Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |message: &str| Problem {
        kind: "impact_assessment".into(),
        id: a.id,
        subject: format!("draft {}", a.draft_id),
        message: message.into(),
    };
    let title = draft::Entity::find_by_id(a.draft_id)
        .one(conn)
        .await?
        .map(|d| d.title_th);
    let rendered = match (a.assessment(), title) {
        (Ok(fields), Some(title)) => Some(
            tokio::task::spawn_blocking(move || fields.render(&title).0)
                .await
                .map_err(|e| DomainError::Internal(anyhow::anyhow!("rendering failed: {e}")))?,
        ),
        _ => None,
    };
    let matches = rendered.as_ref().is_some_and(|text| {
        a.content_hash.as_deref() == Some(sha256_hex(text.as_bytes()).as_str())
    });
    if !matches {
        // The draft may have been retitled since; the fields themselves are what must hold.
        let saved = value_hash(&serde_json::json!({
            "draft_id": a.draft_id,
            "fields_sha256": sha256_hex(a.fields.as_str().as_bytes()),
        }));
        let recorded =
            recorded_after_hash(conn, "impact_assessment.save", "impact_assessment", a.id).await?;
        if recorded.flatten().as_deref() != Some(saved.as_str()) {
            problems.push(problem(
                "its stored text does not match its content hash: it was changed after publication",
            ));
        }
    }
    if let Some(hash) = &a.content_hash {
        let published =
            value_hash(&serde_json::json!({"draft_id": a.draft_id, "content_hash": hash}));
        if let Some(recorded) =
            recorded_after_hash(conn, "impact_assessment.publish", "impact_assessment", a.id)
                .await?
            && recorded.as_deref() != Some(published.as_str())
        {
            problems.push(problem(
                "its content hash is not the one the audit trail recorded at publication",
            ));
        }
    } else {
        problems.push(problem("it is published without a content hash"));
    }
    Ok(problems)
}

/// The next page of published rows of `E` (summaries or assessments) after id `after`.
async fn published_page<E, C>(
    conn: &C,
    published_at: E::Column,
    id: E::Column,
    after: Option<i64>,
) -> DomainResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut query = E::find()
        .filter(published_at.is_not_null())
        .order_by_asc(id)
        .limit(DOCUMENT_PAGE);
    if let Some(after) = after {
        query = query.filter(id.gt(after));
    }
    Ok(query.all(conn).await?)
}

/// Checks the audit chain and every published summary and assessment, a page at a time.
pub async fn verify<C: ConnectionTrait>(
    conn: &C,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> DomainResult<Verification> {
    let started_at = now_ms();
    let reports_total = report::Entity::find()
        .filter(report::Column::PublishedAt.is_not_null())
        .count(conn)
        .await?;
    let assessments_total = impact_assessment::Entity::find()
        .filter(impact_assessment::Column::PublishedAt.is_not_null())
        .count(conn)
        .await?;
    let documents = reports_total + assessments_total;
    let chain = verify_chain(conn, &mut |p| {
        progress(Progress {
            done: p.done,
            total: p.total + documents,
        })
    })
    .await?;
    let mut v = Verification {
        started_at,
        events_verified: chain.verified,
        broken_events: chain.broken,
        problems: chain.problems,
        ..Default::default()
    };
    let base = chain.verified;
    let mut more = chain.more_problems;
    let mut after = None;
    loop {
        let rows = published_page::<report::Entity, _>(
            conn,
            report::Column::PublishedAt,
            report::Column::Id,
            after,
        )
        .await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        for r in &rows {
            for p in check_report(conn, r).await? {
                push(&mut v.problems, &mut more, p);
            }
            v.documents_checked += 1;
        }
        progress(Progress {
            done: base + v.documents_checked,
            total: base + documents.max(v.documents_checked),
        });
    }
    let mut after = None;
    loop {
        let rows = published_page::<impact_assessment::Entity, _>(
            conn,
            impact_assessment::Column::PublishedAt,
            impact_assessment::Column::Id,
            after,
        )
        .await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        for a in &rows {
            for p in check_assessment(conn, a).await? {
                push(&mut v.problems, &mut more, p);
            }
            v.documents_checked += 1;
        }
        progress(Progress {
            done: base + v.documents_checked,
            total: base + documents.max(v.documents_checked),
        });
    }
    v.more_problems = more;
    Ok(v)
}

/// Stores the result of a verification run by `checked_by`.
pub async fn record(
    db: &Db,
    checked_by: &str,
    v: &Verification,
) -> DomainResult<integrity_check::Model> {
    let tx = db.write().await?;
    let row = integrity_check::Entity::insert(integrity_check::ActiveModel {
        started_at: Set(v.started_at),
        finished_at: Set(now_ms()),
        checked_by: Set(checked_by.into()),
        ok: Set(v.ok()),
        events_verified: Set(v.events_verified as i64),
        broken_events: Set(v.broken_events as i64),
        documents_checked: Set(v.documents_checked as i64),
        first_problem: Set(v.problems.first().map(ToString::to_string)),
        problems: Set(v.problems.clone().into()),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Verifies everything and stores the result.
pub async fn verify_and_record(
    db: &Db,
    checked_by: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> DomainResult<(Verification, integrity_check::Model)> {
    let v = verify(&db.conn, progress).await?;
    let row = record(db, checked_by, &v).await?;
    Ok((v, row))
}

/// The latest verification (administrators).
pub async fn last_check<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
) -> DomainResult<Option<integrity_check::Model>> {
    if !actor.is_some_and(|a| a.role == Role::Admin) {
        return Err(DomainError::Forbidden(
            "only administrators see integrity checks".into(),
        ));
    }
    Ok(integrity_check::Entity::find()
        .order_by_desc(integrity_check::Column::Id)
        .one(conn)
        .await?)
}

/// Enqueues the daily verification when the last one began a day ago or more. With none yet,
/// the first comes a day after the first audit event, so a fresh installation (or a test) is
/// not verified in its first minutes. One pending job covers every worker that asks.
pub async fn enqueue_if_due(db: &Db) -> DomainResult<bool> {
    let now = now_ms();
    let since = match integrity_check::Entity::find()
        .order_by_desc(integrity_check::Column::Id)
        .one(&db.conn)
        .await?
    {
        Some(last) => last.started_at,
        None => match audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Id)
            .one(&db.conn)
            .await?
        {
            Some(first) => first.created_at,
            None => return Ok(false),
        },
    };
    if now - since < DAY_MS {
        return Ok(false);
    }
    enqueue_once(db, VerifyIntegrityJob::default()).await
}

/// Queues a verification (administrators); the worker runs it and records it as theirs. A
/// verification already waiting or running answers the request instead.
pub async fn request_verification(db: &Db, actor: Option<&Actor>) -> DomainResult<()> {
    let Some(admin) = actor.filter(|a| a.role == Role::Admin) else {
        return Err(DomainError::Forbidden(
            "only administrators run integrity checks".into(),
        ));
    };
    enqueue_once(
        db,
        VerifyIntegrityJob {
            requested_by: Some(admin.account_id.get()),
        },
    )
    .await?;
    Ok(())
}

/// Queues `job` unless a verification is waiting or running; true if it was queued.
async fn enqueue_once(db: &Db, job: VerifyIntegrityJob) -> DomainResult<bool> {
    let tx = db.write().await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        // Two workers ticking at once would both find no pending job; the lock orders them.
        tx.execute_unprepared("LOCK TABLE integrity_checks IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    // A run in progress has not stored its result yet, so it counts as well as a pending one.
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(VerifyIntegrityJob::KIND))
        .filter(job::Column::State.is_in([JobState::Pending, JobState::Running]))
        .count(&*tx)
        .await?;
    if waiting > 0 {
        return Ok(false);
    }
    crate::jobs::enqueue(&*tx, &job).await?;
    tx.commit().await?;
    Ok(true)
}
