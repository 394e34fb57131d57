//! What Rabfang holds about one person, for their account page and for the copy they may
//! download (PDPA s.30, the right of access, and s.31, data portability): the account, their
//! comments with what became of them, their subscriptions and their sessions. Secrets (session
//! ids, link and token hashes) are not part of it: they identify nothing about the person and
//! would only be a risk in a downloaded file.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    entity::{account, comment, consultation, draft, session, subscription},
    error::{DomainError, DomainResult},
    ids::AccountId,
};

/// One of the person's comments, with the draft it is about.
#[derive(Debug, Clone)]
pub struct MyComment {
    pub comment: comment::Model,
    pub draft_title_th: String,
}

/// The person's comments, newest first.
pub async fn comments<C: ConnectionTrait>(
    conn: &C,
    account_id: AccountId,
) -> DomainResult<Vec<MyComment>> {
    let rows = comment::Entity::find()
        .filter(comment::Column::AccountId.eq(account_id.get()))
        .order_by_desc(comment::Column::Id)
        .all(conn)
        .await?;
    let consultations = super::by_ids::<consultation::Entity, _>(
        conn,
        consultation::Column::Id,
        rows.iter().map(|c| c.consultation_id),
        |c| c.id,
    )
    .await?;
    let drafts = super::by_ids::<draft::Entity, _>(
        conn,
        draft::Column::Id,
        consultations.values().map(|c| c.draft_id),
        |d| d.id,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| MyComment {
            draft_title_th: consultations
                .get(&c.consultation_id)
                .and_then(|k| drafts.get(&k.draft_id))
                .map(|d| d.title_th.clone())
                .unwrap_or_default(),
            comment: c,
        })
        .collect())
}

/// The subscriptions of the person's address.
pub async fn subscriptions<C: ConnectionTrait>(
    conn: &C,
    email: &str,
) -> DomainResult<Vec<subscription::Model>> {
    Ok(subscription::Entity::find()
        .filter(subscription::Column::Email.eq(email))
        .order_by_asc(subscription::Column::Id)
        .all(conn)
        .await?)
}

/// Everything held about the person, as one JSON document.
pub async fn export<C: ConnectionTrait>(conn: &C, account_id: AccountId) -> DomainResult<Value> {
    let a = account::Entity::find_by_id(account_id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("account"))?;
    let comments = comments(conn, account_id).await?;
    let subscriptions = subscriptions(conn, &a.email).await?;
    let sessions = session::Entity::find()
        .filter(session::Column::AccountId.eq(a.id))
        .order_by_asc(session::Column::Id)
        .all(conn)
        .await?;
    let time = |ms: i64| crate::calendar::machine_time(ms);
    Ok(json!({
        "generated_at": time(crate::time::now_ms()),
        "account": {
            "id": a.id, "email": a.email, "display_name": a.display_name,
            "role": a.role, "agency_id": a.agency_id, "created_at": time(a.created_at),
        },
        "comments": comments.iter().map(|m| {
            let c = &m.comment;
            json!({
                "tracking_number": c.tracking_number, "consultation_id": c.consultation_id,
                "draft_title_th": m.draft_title_th, "provision_id": c.provision_id,
                "stance": c.stance, "body": c.body, "answers": c.answers.0,
                "respondent_type": c.respondent_type, "organisation_name": c.organisation_name,
                "province": c.province, "publication": c.publication,
                "moderation_status": c.moderation_status, "moderation_reason": c.moderation_reason,
                "channel": c.channel, "received_at": time(c.received_at),
                "cluster_id": c.cluster_id, "notify": c.notify,
            })
        }).collect::<Vec<_>>(),
        "subscriptions": subscriptions.iter().map(|s| json!({
            "target_kind": s.target_kind, "target": s.target,
            "created_at": time(s.created_at), "confirmed_at": s.confirmed_at.map(time),
        })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| json!({
            "started_at": time(s.created_at), "last_seen_at": time(s.last_seen_at),
            "ended_at": s.ended_at.map(time),
        })).collect::<Vec<_>>(),
    }))
}
