//! Mail to people: each message composed from the database as it is now (`None` when it no
//! longer applies: the comment is gone, the subscription unconfirmed, ...), and sent at most
//! once ([`deliver`]).
//!
//! Each message has a stable key. A `deliveries` row is claimed (state `sending`) before the
//! message goes out and marked `sent` after the server accepted it, so a message that was sent
//! is never sent again. If a worker dies in the short window after the server accepted the
//! message and before `sent` is recorded, the retry sends it again with the same Message-ID, so
//! that receiving servers and clients can recognise the duplicate. A permanent refusal (5xx, a
//! bad address) is recorded as `failed` and not retried; other failures are errors, to retry.

use anyhow::Context as _;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde::{Deserialize, Serialize};

use super::subscriptions;
use crate::{
    db::Db,
    entity::{account, comment, consultation, delivery, draft, law_in_force, subscription},
    error::DomainResult,
    mail::{MailError, Mailer, Outgoing, messages},
    time::{now_ms, to_datetime},
    types::DeliveryState,
};

/// A moment in a consultation's life that the worker acts on once (`consultation_event`), and
/// that a notice to followers is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationEvent {
    Opened,
    ClosingSoon,
    Closed,
}

/// A composed message and its kind (`comment_receipt`, ...), or `None` when it no longer applies.
pub type Composed = Option<(&'static str, Outgoing)>;

/// A comment with its author, its consultation and the draft, or `None` if one is gone.
async fn comment_and_author(
    db: &Db,
    comment_id: i64,
) -> DomainResult<
    Option<(
        comment::Model,
        account::Model,
        consultation::Model,
        draft::Model,
    )>,
> {
    let conn = &db.conn;
    let Some(c) = comment::Entity::find_by_id(comment_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(author) = account::Entity::find_by_id(c.account_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(cons) = consultation::Entity::find_by_id(c.consultation_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(d) = draft::Entity::find_by_id(cons.draft_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(Some((c, author, cons, d)))
}

/// The receipt of a comment, with its tracking number, to its author.
pub async fn comment_receipt(db: &Db, base_url: &str, comment_id: i64) -> DomainResult<Composed> {
    let Some((c, author, cons, d)) = comment_and_author(db, comment_id).await? else {
        return Ok(None);
    };
    // Thailand time (UTC+7) for people reading the receipt.
    let received = to_datetime(c.received_at + 7 * 3_600_000)
        .format("%Y-%m-%d %H:%M (UTC+7)")
        .to_string();
    let url = format!("{}/consultations/{}", base_url, cons.id);
    let mail = messages::comment_receipt(
        &author.email,
        &c.tracking_number,
        &d.title_th,
        d.title_en.as_deref(),
        &received,
        &url,
    );
    Ok(Some(("comment_receipt", mail)))
}

/// "Your comment was hidden (or published again)", with the reason the moderator gave and a
/// link to the tracking page, to the comment's author. Nothing is sent once the status is back
/// to what it was when the job was queued... unless it changed again: each mail is keyed by the
/// status and reason it reports, so one report is sent once.
pub async fn comment_moderated(db: &Db, base_url: &str, comment_id: i64) -> DomainResult<Composed> {
    let Some((c, author, _cons, d)) = comment_and_author(db, comment_id).await? else {
        return Ok(None);
    };
    let hidden = c.moderation_status == crate::types::ModerationStatus::Hidden;
    let reason = c.moderation_reason.clone().unwrap_or_default();
    let url = format!("{}/track?number={}", base_url, c.tracking_number);
    let mail = messages::comment_moderated(
        &author.email,
        &c.tracking_number,
        &d.title_th,
        d.title_en.as_deref(),
        hidden,
        &reason,
        &url,
    );
    Ok(Some(("comment_moderated", mail)))
}

/// The link confirming a subscription: a new secret is made and its hash stored, so the
/// secret exists in clear only in the mail.
pub async fn subscription_confirm(
    db: &Db,
    base_url: &str,
    subscription_id: i64,
) -> DomainResult<Composed> {
    let conn = &db.conn;
    let Some(sub) = subscription::Entity::find_by_id(subscription_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if sub.confirmed_at.is_some() {
        return Ok(None);
    }
    let token = {
        let tx = db.write().await?;
        let token = subscriptions::rotate_confirmation(&*tx, sub.id).await?;
        tx.commit().await?;
        token
    };
    let base = base_url;
    let confirm = format!("{base}/subscriptions/confirm?token={token}");
    let unsubscribe = unsubscribe_page_url(base, &sub);
    let label = format!("{}: {}", sub.target_kind, sub.target);
    let mail = messages::subscription_confirm(&sub.email, &label, &confirm, &unsubscribe);
    Ok(Some(("subscription_confirm", one_click(mail, base, &sub))))
}

/// A one-time sign-in link, to the address that asked; `None` once the link is used or expired.
pub async fn sign_in_link(db: &Db, base_url: &str, link_id: i64) -> DomainResult<Composed> {
    let made = {
        let tx = db.write().await?;
        let made = super::sign_in::rotate_secret(&*tx, link_id).await?;
        tx.commit().await?;
        made
    };
    let Some((link, secret)) = made else {
        return Ok(None);
    };
    let prefix = if link.lang == "en" { "/en" } else { "" };
    let url = format!("{base_url}{prefix}/sign-in/{secret}");
    Ok(Some((
        "sign_in_link",
        messages::sign_in_link(&link.email, &url),
    )))
}

/// An invitation to join the workspace (see `service::invitations`).
pub async fn invitation(db: &Db, base_url: &str, invitation_id: i64) -> DomainResult<Composed> {
    let made = {
        let tx = db.write().await?;
        let made = super::invitations::rotate_secret(&*tx, invitation_id).await?;
        tx.commit().await?;
        made
    };
    let Some((found, secret)) = made else {
        return Ok(None);
    };
    let agency = match found.agency_id {
        Some(id) => super::agencies::find_by_id(&db.conn, id).await?,
        None => None,
    };
    let role = match found.role {
        crate::types::Role::Admin => ("ผู้ดูแลระบบ", "an administrator"),
        _ => ("เจ้าหน้าที่", "an officer"),
    };
    let url = format!("{base_url}/invitations/{secret}");
    Ok(Some((
        "invitation",
        messages::invitation(
            &found.email,
            role,
            (
                agency.as_ref().map(|a| a.name_th.as_str()),
                agency.as_ref().and_then(|a| a.name_en.as_deref()),
            ),
            &url,
        ),
    )))
}

/// "A law in force is due for its ex-post evaluation", to one officer of its agency.
pub async fn evaluation_due(
    db: &Db,
    base_url: &str,
    law_id: i64,
    account_id: i64,
) -> DomainResult<Composed> {
    let conn = &db.conn;
    let Some(law) = law_in_force::Entity::find_by_id(law_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(officer) = account::Entity::find_by_id(account_id).one(conn).await? else {
        return Ok(None);
    };
    // Not sent to someone who left the agency since the reminder was raised.
    if officer.agency_id != Some(law.agency_id) {
        return Ok(None);
    }
    let due = to_datetime(law.evaluation_due_at + 7 * 3_600_000)
        .format("%Y-%m-%d")
        .to_string();
    let url = format!("{}/api/v1/laws?evaluation_due=true", base_url);
    Ok(Some((
        "evaluation_due",
        messages::evaluation_due(
            &officer.email,
            &law.title_th,
            law.title_en.as_deref(),
            &due,
            &url,
        ),
    )))
}

/// "A consultation you follow opened" or "closes in 3 days", to one subscription.
pub async fn consultation_notice(
    db: &Db,
    base_url: &str,
    consultation_id: i64,
    subscription_id: i64,
    event: ConsultationEvent,
) -> DomainResult<Composed> {
    let conn = &db.conn;
    let Some(sub) = subscription::Entity::find_by_id(subscription_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(cons) = consultation::Entity::find_by_id(consultation_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(d) = draft::Entity::find_by_id(cons.draft_id).one(conn).await? else {
        return Ok(None);
    };
    if sub.confirmed_at.is_none() || d.published_at.is_none() {
        return Ok(None);
    }
    let base = base_url;
    let url = format!("{base}/consultations/{}", cons.id);
    let closes = to_datetime(cons.closes_at + 7 * 3_600_000)
        .format("%Y-%m-%d %H:%M (UTC+7)")
        .to_string();
    let unsubscribe = unsubscribe_page_url(base, &sub);
    let (kind, mail) = match event {
        ConsultationEvent::Opened => (
            "consultation_opened",
            messages::consultation_opened(
                &sub.email,
                &d.title_th,
                d.title_en.as_deref(),
                &closes,
                &url,
                &unsubscribe,
            ),
        ),
        ConsultationEvent::ClosingSoon => (
            "consultation_closing",
            messages::consultation_closing(
                &sub.email,
                &d.title_th,
                d.title_en.as_deref(),
                &closes,
                &url,
                &unsubscribe,
            ),
        ),
        ConsultationEvent::Closed => return Ok(None),
    };
    Ok(Some((kind, one_click(mail, base, &sub))))
}

/// "The hearing summary is published", to the author of a comment who asked to be told.
pub async fn summary_published(db: &Db, base_url: &str, comment_id: i64) -> DomainResult<Composed> {
    let Some((_, author, cons, d)) = comment_and_author(db, comment_id).await? else {
        return Ok(None);
    };
    let url = format!("{}/consultations/{}/results", base_url, cons.id);
    Ok(Some((
        "summary_published",
        messages::summary_published(
            &author.email,
            &d.title_th,
            d.title_en.as_deref(),
            &url,
            None,
        ),
    )))
}

/// The page a person opens to unsubscribe (a button on the site), linked in the mail's text.
fn unsubscribe_page_url(base: &str, sub: &subscription::Model) -> String {
    format!(
        "{base}/subscriptions/unsubscribe?token={}",
        sub.unsubscribe_token.as_deref().unwrap_or("")
    )
}

/// Points the mail's `List-Unsubscribe` header at the API's one-click address (RFC 8058: mail
/// programs POST to it without a page, so it cannot be a site form with a CSRF token).
fn one_click(mut mail: Outgoing, base: &str, sub: &subscription::Model) -> Outgoing {
    mail.unsubscribe_url = Some(format!(
        "{base}/api/v1/subscriptions/unsubscribe?token={}",
        sub.unsubscribe_token.as_deref().unwrap_or("")
    ));
    mail
}

/// Sends `mail` unless it was sent before; records the outcome. An error means "try again
/// later".
pub async fn deliver(db: &Db, mailer: &Mailer, kind: &str, mail: &Outgoing) -> DomainResult<()> {
    let conn = &db.conn;
    {
        let tx = db.write().await?;
        delivery::Entity::insert(delivery::ActiveModel {
            message_key: Set(mail.message_key.clone()),
            kind: Set(kind.into()),
            recipient: Set(mail.to.clone()),
            state: Set(DeliveryState::Sending),
            last_error: Set(None),
            created_at: Set(now_ms()),
            sent_at: Set(None),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(delivery::Column::MessageKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&*tx)
        .await?;
        tx.commit().await?;
    }
    let row = delivery::Entity::find()
        .filter(delivery::Column::MessageKey.eq(&mail.message_key))
        .one(conn)
        .await?
        .context("a claimed delivery is missing")?;
    if row.state != DeliveryState::Sending {
        return Ok(()); // sent, or permanently refused, before
    }
    let (state, error, sent_at) = match mailer.send(mail).await {
        Ok(()) => (DeliveryState::Sent, None, Some(now_ms())),
        Err(MailError::Permanent(e)) => (DeliveryState::Failed, Some(e), None),
        Err(MailError::Transient(e)) => {
            let tx = db.write().await?;
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::LastError,
                    sea_orm::sea_query::Expr::value(e.clone()),
                )
                .filter(delivery::Column::Id.eq(row.id))
                .exec(&*tx)
                .await?;
            tx.commit().await?;
            return Err(anyhow::anyhow!("sending {} failed for now: {e}", mail.message_key).into());
        }
    };
    let tx = db.write().await?;
    delivery::Entity::update(delivery::ActiveModel {
        id: Set(row.id),
        state: Set(state),
        last_error: Set(error),
        sent_at: Set(sent_at),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
