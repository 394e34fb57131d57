//! Dispositions: the agency's answer to each comment, campaign cluster or provision ("you
//! said, we did"). One per target; recording again replaces it, until the hearing summary is
//! published, after which they are part of an immutable record.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};

use super::{consultations, drafts, validate::Checks};
use crate::{
    audit::{self, AuditRecord},
    db::Db,
    entity::{comment, disposition, draft_version},
    error::{DomainError, DomainResult},
    ids::{ConsultationId, DraftId},
    time::now_ms,
    types::{Actor, Decision, DispositionTarget, ModerationStatus, Publication},
};

#[derive(Debug, Clone)]
pub struct NewDisposition {
    pub target_kind: DispositionTarget,
    pub target_id: String,
    pub decision: Decision,
    pub reason: String,
}

pub async fn record_disposition(
    db: &Db,
    actor: &Actor,
    consultation_id: ConsultationId,
    input: NewDisposition,
) -> DomainResult<disposition::Model> {
    let mut checks = Checks::new();
    let (kind, decision) = (input.target_kind, input.decision);
    let target_id = checks.text("target_id", &input.target_id, 64);
    let reason = checks.text("reason", &input.reason, 10_000);
    checks.finish()?;
    let tx = db.write().await?;
    let c = consultations::find_visible(&*tx, Some(actor), consultation_id).await?;
    drafts::find_managed(&*tx, actor, DraftId(c.draft_id))
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("consultation"),
            other => other,
        })?;
    if c.summary_published_at.is_some() {
        return Err(DomainError::InvalidState(
            "the hearing summary is published; its dispositions no longer change".into(),
        ));
    }
    let exists = match kind {
        DispositionTarget::Comment => match target_id.parse::<i64>() {
            Ok(id) => comment::Entity::find_by_id(id)
                .one(&*tx)
                .await?
                .is_some_and(|m| m.consultation_id == consultation_id.get()),
            Err(_) => false,
        },
        DispositionTarget::Cluster => match target_id.parse::<i64>() {
            Ok(id) => crate::service::clusters::cluster_of(&*tx, consultation_id, id)
                .await?
                .is_some(),
            Err(_) => false,
        },
        DispositionTarget::Provision => {
            let version = draft_version::Entity::find()
                .filter(draft_version::Column::DraftId.eq(c.draft_id))
                .filter(draft_version::Column::Number.eq(c.version_number))
                .one(&*tx)
                .await?;
            version.is_some_and(|v| v.provisions.iter().any(|p| p.id == target_id))
        }
    };
    if !exists {
        return Err(DomainError::invalid(
            "target_id",
            "not_found",
            format!("this consultation has no {kind} {target_id}"),
        ));
    }
    let now = now_ms();
    disposition::Entity::insert(disposition::ActiveModel {
        consultation_id: Set(consultation_id.get()),
        target_kind: Set(kind),
        target_id: Set(target_id.clone()),
        decision: Set(decision),
        reason: Set(reason),
        decided_by: Set(actor.account_id.get()),
        decided_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            disposition::Column::ConsultationId,
            disposition::Column::TargetKind,
            disposition::Column::TargetId,
        ])
        .update_columns([
            disposition::Column::Decision,
            disposition::Column::Reason,
            disposition::Column::DecidedBy,
            disposition::Column::DecidedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    let saved = disposition::Entity::find()
        .filter(disposition::Column::ConsultationId.eq(consultation_id))
        .filter(disposition::Column::TargetKind.eq(kind))
        .filter(disposition::Column::TargetId.eq(&target_id))
        .one(&*tx)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a recorded disposition is missing"))?;
    audit::record(&*tx, AuditRecord {
        actor: Some(actor.account_id),
        action: "disposition.record",
        entity_type: "disposition",
        entity_id: saved.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"consultation_id": consultation_id, "target_kind": saved.target_kind, "target_id": saved.target_id, "decision": saved.decision, "reason_sha256": audit::sha256_hex(saved.reason.as_bytes())})),
    })
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Dispositions anyone may read: those on provisions, clusters, and public comments.
pub async fn list_dispositions<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    consultation_id: ConsultationId,
) -> DomainResult<Vec<disposition::Model>> {
    consultations::find_visible(conn, actor, consultation_id).await?;
    let all = disposition::Entity::find()
        .filter(disposition::Column::ConsultationId.eq(consultation_id))
        .order_by_asc(disposition::Column::Id)
        .all(conn)
        .await?;
    let comment_ids: Vec<i64> = all
        .iter()
        .filter(|d| d.target_kind == DispositionTarget::Comment)
        .filter_map(|d| d.target_id.parse().ok())
        .collect();
    let public: std::collections::HashSet<i64> = if comment_ids.is_empty() {
        Default::default()
    } else {
        comment::Entity::find()
            .filter(comment::Column::Id.is_in(comment_ids))
            .filter(comment::Column::ModerationStatus.eq(ModerationStatus::Published))
            .filter(comment::Column::Publication.ne(Publication::Private))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    Ok(all
        .into_iter()
        .filter(|d| {
            d.target_kind != DispositionTarget::Comment
                || d.target_id
                    .parse()
                    .is_ok_and(|id: i64| public.contains(&id))
        })
        .collect())
}

/// One disposition as the public sees it, if the public sees it: on a consultation the public
/// may see, and, when it answers a comment, on a published comment that is not private (the
/// rules of [`list_dispositions`]).
pub async fn public_disposition<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<disposition::Model>> {
    let Some(d) = disposition::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    match consultations::find_visible(conn, None, ConsultationId(d.consultation_id)).await {
        Ok(_) => {}
        Err(DomainError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    }
    if d.target_kind == DispositionTarget::Comment {
        let Ok(comment_id) = d.target_id.parse::<i64>() else {
            return Ok(None);
        };
        let shown = comment::Entity::find_by_id(comment_id)
            .filter(comment::Column::ModerationStatus.eq(ModerationStatus::Published))
            .filter(comment::Column::Publication.ne(Publication::Private))
            .one(conn)
            .await?
            .is_some();
        if !shown {
            return Ok(None);
        }
    }
    Ok(Some(d))
}
