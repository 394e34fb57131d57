//! Mail to the people who follow a consultation's agency, topics or draft when it opens or is
//! about to close: one `send_mail` job per confirmed subscriber (one per address), written in
//! one transaction.

use sea_orm::EntityTrait;

use super::{agencies, subscriptions};
use crate::{
    db::Db,
    entity::{consultation, draft},
    error::DomainResult,
    jobs::{self, MailJob},
    service::mailings::ConsultationEvent,
    time::now_ms,
};

/// Queues the notice of `event` to every follower of consultation `c`, if the news is still
/// true. Running twice queues the notices twice; each message is still sent once (deliveries
/// are recorded by message key).
pub async fn notify_followers(
    db: &Db,
    c: &consultation::Model,
    event: ConsultationEvent,
) -> DomainResult<()> {
    let now = now_ms();
    // Only news that is still true: no "opened" mail for a hearing that has already closed.
    let still_true = match event {
        ConsultationEvent::Opened | ConsultationEvent::ClosingSoon => {
            c.opens_at <= now && now < c.closes_at && c.summary_published_at.is_none()
        }
        ConsultationEvent::Closed => false,
    };
    if !still_true {
        return Ok(());
    }
    let Some(d) = draft::Entity::find_by_id(c.draft_id).one(&db.conn).await? else {
        return Ok(());
    };
    if d.published_at.is_none() {
        return Ok(());
    }
    let agency = agencies::find_by_id(&db.conn, d.agency_id)
        .await?
        .map(|a| a.slug)
        .unwrap_or_default();
    let followers = subscriptions::followers(&db.conn, &agency, &d.topics, d.id).await?;
    if followers.is_empty() {
        return Ok(());
    }
    let notices: Vec<MailJob> = followers
        .iter()
        .map(|s| MailJob::ConsultationNotice {
            consultation_id: c.id,
            subscription_id: s.id,
            event,
        })
        .collect();
    let tx = db.write().await?;
    jobs::enqueue_many(&*tx, &notices).await?;
    tx.commit().await?;
    Ok(())
}
