//! The site's sessions, stored server-side so that several `serve` processes share them. The
//! cookie holds a random id; the table holds only its hash. A session ends after
//! [`IDLE_MS`] without a request, after [`ABSOLUTE_MS`] however active, or at once when its
//! owner signs out. Signing in always makes a new session (and a new id), so an id planted in a
//! browser before sign-in is worth nothing after it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

use super::subscriptions::new_secret;
use crate::{
    audit::sha256_hex,
    db::Db,
    entity::{account, session},
    error::DomainResult,
    ids::{AccountId, AgencyId},
    time::now_ms,
    types::Actor,
};

/// A session ends after this long without a request.
pub const IDLE_MS: i64 = 60 * 60 * 1000;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_MS: i64 = 12 * 60 * 60 * 1000;
/// `last_seen_at` is written at most this often, so reading pages does not write each time.
const TOUCH_MS: i64 = 60 * 1000;

/// The signed-in person behind a session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub display_name: String,
    pub email: String,
    /// The hash of the session id (what the table is keyed by).
    pub session_hash: String,
}

/// Starts a session for `account_id` and returns its id, for the cookie.
pub async fn start(db: &Db, account_id: AccountId) -> DomainResult<String> {
    let id = new_secret();
    let now = now_ms();
    let tx = db.write_private().await?;
    session::Entity::insert(session::ActiveModel {
        id_hash: Set(sha256_hex(id.as_bytes())),
        account_id: Set(account_id.get()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ABSOLUTE_MS),
        ended_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The person signed in by session `id`, or `None` if it is unknown, ended or expired.
pub async fn find(db: &Db, id: &str) -> DomainResult<Option<SignedIn>> {
    let hash = sha256_hex(id.as_bytes());
    let now = now_ms();
    let Some(s) = session::Entity::find()
        .filter(session::Column::IdHash.eq(&hash))
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    if s.ended_at.is_some() || s.expires_at <= now || s.last_seen_at + IDLE_MS <= now {
        return Ok(None);
    }
    // The account is read on every request, so a change of role or a deactivation applies
    // from the next one.
    let Some(a) = account::Entity::find_by_id(s.account_id)
        .one(&db.conn)
        .await?
        .filter(|a| a.deactivated_at.is_none())
    else {
        return Ok(None);
    };
    if now - s.last_seen_at >= TOUCH_MS {
        let tx = db.write_private().await?;
        touch(&*tx, s.id, now).await?;
        tx.commit().await?;
    }
    Ok(Some(SignedIn {
        actor: Actor {
            account_id: AccountId(a.id),
            role: a.role,
            agency_id: a.agency_id.map(AgencyId),
        },
        display_name: a.display_name,
        email: a.email,
        session_hash: hash,
    }))
}

async fn touch<C: ConnectionTrait>(conn: &C, id: i64, now: i64) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends session `id` at once (signing out). Ending an unknown session does nothing.
pub async fn end(db: &Db, id: &str) -> DomainResult<()> {
    let tx = db.write_private().await?;
    session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(now_ms()))
        .filter(session::Column::IdHash.eq(sha256_hex(id.as_bytes())))
        .filter(session::Column::EndedAt.is_null())
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every live session of `account_id` (deactivation).
pub async fn end_all_for<C: ConnectionTrait>(conn: &C, account_id: AccountId) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(now_ms()))
        .filter(session::Column::AccountId.eq(account_id.get()))
        .filter(session::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
