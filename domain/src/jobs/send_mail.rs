//! `send_mail`: builds one message from the database and sends it once.
//!
//! Each message has a stable key. A `deliveries` row is claimed (state `sending`) before the
//! message goes out and marked `sent` after the server accepted it, so a message that was sent
//! is never sent again. If a worker dies in the short window after the server accepted the
//! message and before `sent` is recorded, the retry sends it again with the same Message-ID, so
//! that receiving servers and clients can recognise the duplicate. A permanent refusal (5xx, a
//! bad address) is recorded as `failed` and not retried; other failures retry with backoff.

use anyhow::Context as _;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{
    Context,
    entity::{account, comment, consultation, delivery, draft, law_in_force, subscription},
    mail::{MailError, Outgoing, messages},
    service::subscriptions,
    time::{now_ms, to_datetime},
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

/// `send_mail`: one message to one recipient. Deliveries are recorded by message key, so a
/// message already sent is never sent again, however often the job runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum MailJob {
    /// The receipt of a comment, with its tracking number, to its author.
    CommentReceipt { comment_id: i64 },
    /// The link confirming a subscription. The job makes a new secret and stores its hash, so
    /// the secret exists in clear only in the mail.
    SubscriptionConfirm { subscription_id: i64 },
    /// "A consultation you follow opened" or "closes in 3 days", to one subscription.
    ConsultationNotice {
        consultation_id: i64,
        subscription_id: i64,
        event: ConsultationEvent,
    },
    /// "The hearing summary is published", to the author of a comment who asked to be told.
    SummaryPublished { comment_id: i64 },
    /// "A law in force is due for its ex-post evaluation", to one officer of its agency.
    EvaluationDue { law_id: i64, account_id: i64 },
}

impl BackgroundJob for MailJob {
    const KIND: &'static str = "send_mail";
    const MAX_ATTEMPTS: i32 = 10;

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        let mut transient = None;
        for job in &batch {
            let Some((kind, mail)) = build(ctx, job).await? else {
                continue;
            };
            if let Err(e) = deliver(ctx, kind, &mail).await {
                transient = Some(e);
            }
        }
        // The batch is retried as a whole; messages already sent are skipped on the retry.
        match transient {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

async fn build(ctx: &Context, job: &MailJob) -> anyhow::Result<Option<(&'static str, Outgoing)>> {
    let conn = &ctx.db.conn;
    match job {
        MailJob::CommentReceipt { comment_id } => {
            let Some(c) = comment::Entity::find_by_id(*comment_id).one(conn).await? else {
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
            // Thailand time (UTC+7) for people reading the receipt.
            let received = to_datetime(c.received_at + 7 * 3_600_000)
                .format("%Y-%m-%d %H:%M (UTC+7)")
                .to_string();
            let url = format!(
                "{}/api/v1/consultations/{}",
                ctx.settings.public_url, cons.id
            );
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
        MailJob::SubscriptionConfirm { subscription_id } => {
            let Some(sub) = subscription::Entity::find_by_id(*subscription_id)
                .one(conn)
                .await?
            else {
                return Ok(None);
            };
            if sub.confirmed_at.is_some() {
                return Ok(None);
            }
            let token = {
                let tx = ctx.db.write().await?;
                let token = subscriptions::rotate_confirmation(&*tx, sub.id).await?;
                tx.commit().await?;
                token
            };
            let base = &ctx.settings.public_url;
            let confirm = format!("{base}/api/v1/subscriptions/confirm?token={token}");
            let unsubscribe = unsubscribe_url(base, &sub);
            let label = format!("{}: {}", sub.target_kind, sub.target);
            Ok(Some((
                "subscription_confirm",
                messages::subscription_confirm(&sub.email, &label, &confirm, &unsubscribe),
            )))
        }
        MailJob::SummaryPublished { comment_id } => summary_mail(ctx, *comment_id).await,
        MailJob::EvaluationDue { law_id, account_id } => {
            let Some(law) = law_in_force::Entity::find_by_id(*law_id).one(conn).await? else {
                return Ok(None);
            };
            let Some(officer) = account::Entity::find_by_id(*account_id).one(conn).await? else {
                return Ok(None);
            };
            // Not sent to someone who left the agency since the reminder was raised.
            if officer.agency_id != Some(law.agency_id) {
                return Ok(None);
            }
            let due = to_datetime(law.evaluation_due_at + 7 * 3_600_000)
                .format("%Y-%m-%d")
                .to_string();
            let url = format!(
                "{}/api/v1/laws?evaluation_due=true",
                ctx.settings.public_url
            );
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
        MailJob::ConsultationNotice {
            consultation_id,
            subscription_id,
            event,
        } => {
            let Some(sub) = subscription::Entity::find_by_id(*subscription_id)
                .one(conn)
                .await?
            else {
                return Ok(None);
            };
            let Some(cons) = consultation::Entity::find_by_id(*consultation_id)
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
            let base = &ctx.settings.public_url;
            let url = format!("{base}/api/v1/consultations/{}", cons.id);
            let closes = to_datetime(cons.closes_at + 7 * 3_600_000)
                .format("%Y-%m-%d %H:%M (UTC+7)")
                .to_string();
            let unsubscribe = unsubscribe_url(base, &sub);
            let mail = match event {
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
            Ok(Some(mail))
        }
    }
}

async fn summary_mail(
    ctx: &Context,
    comment_id: i64,
) -> anyhow::Result<Option<(&'static str, Outgoing)>> {
    let conn = &ctx.db.conn;
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
    let url = format!(
        "{}/api/v1/consultations/{}/report",
        ctx.settings.public_url, cons.id
    );
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

fn unsubscribe_url(base: &str, sub: &subscription::Model) -> String {
    format!(
        "{base}/api/v1/subscriptions/unsubscribe?token={}",
        sub.unsubscribe_token.as_deref().unwrap_or("")
    )
}

/// Sends `mail` unless it was sent before; records the outcome.
async fn deliver(ctx: &Context, kind: &str, mail: &Outgoing) -> anyhow::Result<()> {
    let conn = &ctx.db.conn;
    {
        let tx = ctx.db.write().await?;
        delivery::Entity::insert(delivery::ActiveModel {
            message_key: Set(mail.message_key.clone()),
            kind: Set(kind.into()),
            recipient: Set(mail.to.clone()),
            state: Set("sending".into()),
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
    if row.state != "sending" {
        return Ok(()); // sent, or permanently refused, before
    }
    let (state, error, sent_at) = match ctx.mailer.send(mail).await {
        Ok(()) => ("sent", None, Some(now_ms())),
        Err(MailError::Permanent(e)) => ("failed", Some(e), None),
        Err(MailError::Transient(e)) => {
            let tx = ctx.db.write().await?;
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::LastError,
                    sea_orm::sea_query::Expr::value(e.clone()),
                )
                .filter(delivery::Column::Id.eq(row.id))
                .exec(&*tx)
                .await?;
            tx.commit().await?;
            anyhow::bail!("sending {} failed for now: {e}", mail.message_key);
        }
    };
    let tx = ctx.db.write().await?;
    delivery::Entity::update(delivery::ActiveModel {
        id: Set(row.id),
        state: Set(state.into()),
        last_error: Set(error),
        sent_at: Set(sent_at),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
