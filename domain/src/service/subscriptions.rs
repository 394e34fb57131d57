//! Subscriptions by e-mail to an agency, a topic or a draft. A new subscription is confirmed by
//! a link sent to the address (so nobody can subscribe someone else); the link's secret, stored
//! only as a hash, also unsubscribes in one click. Subscribing again to the same thing sends a
//! new link and never tells the caller whether the address was already subscribed.

use base64::Engine as _;
use rand::RngCore;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{
    agencies, drafts,
    validate::{Checks, is_email, is_slug},
};
use crate::{
    audit::sha256_hex,
    db::Db,
    entity::subscription,
    error::{DomainError, DomainResult},
    ids::DraftId,
    jobs::{self, MailJob},
    time::now_ms,
    types::SubscriptionTarget,
};

/// One address gets at most one confirmation mail in this interval; a request inside it stores
/// the subscription (unconfirmed) and sends nothing, and asking again later sends a new link.
pub const CONFIRMATION_INTERVAL_MS: i64 = 10 * 60 * 1000;

/// Subscribes `email` (unconfirmed) and queues the confirmation mail (see
/// [`CONFIRMATION_INTERVAL_MS`]). Returns nothing the caller could use to learn about other
/// people's subscriptions.
pub async fn subscribe(
    db: &Db,
    email: &str,
    target_kind: SubscriptionTarget,
    target: &str,
) -> DomainResult<()> {
    let mut checks = Checks::new();
    let email = email.trim().to_lowercase();
    if !is_email(&email) {
        checks.push("email", "invalid_value", "not an e-mail address");
    }
    checks.finish()?;
    let target = target.trim().to_string();
    let known = match target_kind {
        SubscriptionTarget::Agency => agencies::find_by_slug(&db.conn, &target).await?.is_some(),
        SubscriptionTarget::Topic => is_slug(&target),
        SubscriptionTarget::Draft => match target.parse::<i64>() {
            Ok(id) => drafts::find_visible(&db.conn, None, DraftId(id))
                .await
                .is_ok(),
            Err(_) => false,
        },
    };
    if !known {
        return Err(DomainError::invalid(
            "target",
            "not_found",
            format!("no {target_kind} {target}"),
        ));
    }
    let tx = db.write().await?;
    let now = now_ms();
    // At most one confirmation mail to an address per interval, whatever the number of
    // requests and targets: the form must not become a way to flood someone's mailbox.
    let recently_mailed = subscription::Entity::find()
        .filter(subscription::Column::Email.eq(&email))
        .filter(subscription::Column::ConfirmationSentAt.gt(now - CONFIRMATION_INTERVAL_MS))
        .one(&*tx)
        .await?
        .is_some();
    let existing = subscription::Entity::find()
        .filter(subscription::Column::Email.eq(&email))
        .filter(subscription::Column::TargetKind.eq(target_kind))
        .filter(subscription::Column::Target.eq(&target))
        .one(&*tx)
        .await?;
    let id = match existing {
        Some(s) => s.id,
        None => {
            subscription::Entity::insert(subscription::ActiveModel {
                email: Set(email),
                target_kind: Set(target_kind),
                target: Set(target),
                // Replaced by the confirmation job; never a valid secret until then.
                token_hash: Set(format!("unset-{}", new_secret())),
                confirmed_at: Set(None),
                created_at: Set(now),
                unsubscribe_token: Set(Some(new_secret())),
                confirmation_sent_at: Set(None),
                ..Default::default()
            })
            .exec(&*tx)
            .await?
            .last_insert_id
        }
    };
    if !recently_mailed {
        subscription::Entity::update(subscription::ActiveModel {
            id: Set(id),
            confirmation_sent_at: Set(Some(now)),
            ..Default::default()
        })
        .exec(&*tx)
        .await?;
        jobs::enqueue(
            &*tx,
            &MailJob::SubscriptionConfirm {
                subscription_id: id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A random URL-safe secret.
pub fn new_secret() -> String {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
}

/// Makes a new confirmation secret for a subscription and stores its hash.
pub async fn rotate_confirmation<C: ConnectionTrait>(conn: &C, id: i64) -> DomainResult<String> {
    let token = new_secret();
    subscription::Entity::update(subscription::ActiveModel {
        id: Set(id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(token)
}

async fn by_token<C: ConnectionTrait>(conn: &C, token: &str) -> DomainResult<subscription::Model> {
    subscription::Entity::find()
        .filter(subscription::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("subscription"))
}

pub async fn confirm(db: &Db, token: &str) -> DomainResult<subscription::Model> {
    let tx = db.write().await?;
    let s = by_token(&*tx, token).await?;
    let s = if s.confirmed_at.is_none() {
        subscription::Entity::update(subscription::ActiveModel {
            id: Set(s.id),
            confirmed_at: Set(Some(now_ms())),
            ..Default::default()
        })
        .exec(&*tx)
        .await?
    } else {
        s
    };
    tx.commit().await?;
    Ok(s)
}

pub async fn unsubscribe(db: &Db, token: &str) -> DomainResult<()> {
    let tx = db.write().await?;
    let s = subscription::Entity::find()
        .filter(subscription::Column::UnsubscribeToken.eq(token))
        .one(&*tx)
        .await?
        .ok_or(DomainError::NotFound("subscription"))?;
    subscription::Entity::delete_by_id(s.id).exec(&*tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirmed subscriptions that follow any of the given targets.
pub async fn followers<C: ConnectionTrait>(
    conn: &C,
    agency: &str,
    topics: &[String],
    draft_id: i64,
) -> DomainResult<Vec<subscription::Model>> {
    use sea_orm::Condition;
    let mut any = Condition::any()
        .add(
            Condition::all()
                .add(subscription::Column::TargetKind.eq("agency"))
                .add(subscription::Column::Target.eq(agency)),
        )
        .add(
            Condition::all()
                .add(subscription::Column::TargetKind.eq("draft"))
                .add(subscription::Column::Target.eq(draft_id.to_string())),
        );
    if !topics.is_empty() {
        any = any.add(
            Condition::all()
                .add(subscription::Column::TargetKind.eq("topic"))
                .add(subscription::Column::Target.is_in(topics.to_vec())),
        );
    }
    let mut rows = subscription::Entity::find()
        .filter(subscription::Column::ConfirmedAt.is_not_null())
        .filter(any)
        .all(conn)
        .await?;
    // One mail per address, even when it follows the agency and the topic.
    rows.sort_by(|a, b| a.email.cmp(&b.email).then(a.id.cmp(&b.id)));
    rows.dedup_by(|a, b| a.email == b.email);
    Ok(rows)
}
