//! API tokens: 32 random bytes shown once to their owner; only the SHA-256 is stored, which is
//! enough for a secret of that entropy and keeps a lookup to one indexed read. Every signed-in
//! person makes, names and revokes their own tokens; a token stops working at once when it is
//! revoked or its account is deactivated, and a change of role applies from the next request.
//! Who a token stands for is cached in each process: a change applies at once in the process
//! that made it and within [`TRUST`](crate::token_cache::TRUST) (500 ms) in the others
//! (`token_cache.rs` says how).

use std::{sync::atomic::Ordering, time::Instant};

use base64::Engine as _;
use rand::RngCore;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    Set,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::validate::Checks;
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{account, api_token},
    error::{DomainError, DomainResult},
    ids::{AccountId, AgencyId},
    time::now_ms,
    token_cache::{self, Entry},
    types::{Actor, Role},
};

/// `last_used_at` is written at most this often per token, so busy clients do not write on
/// every request.
const TOUCH_MS: i64 = 60 * 1000;

/// A person may hold at most this many live tokens.
pub const MAX_TOKENS: usize = 50;

/// Makes a token for `account_id` and returns it in clear (the only time it exists so).
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    name: &str,
    read_only: bool,
) -> DomainResult<(api_token::Model, String)> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "rf_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let model = api_token::Entity::insert(api_token::ActiveModel {
        account_id: Set(account_id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        created_at: Set(now_ms()),
        name: Set(name.to_string()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        read_only: Set(read_only),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    Ok((model, token))
}

/// A new named token for the signed-in person (from the account page or the API).
pub async fn create(
    db: &Db,
    actor: &Actor,
    name: &str,
    read_only: bool,
) -> DomainResult<(api_token::Model, String)> {
    let mut checks = Checks::new();
    let name = checks.title("name", name, 100);
    checks.finish()?;
    let tx = db.write().await?;
    let live = api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(actor.account_id.get()))
        .filter(api_token::Column::RevokedAt.is_null())
        .all(&*tx)
        .await?
        .len();
    if live >= MAX_TOKENS {
        return Err(DomainError::invalid(
            "name",
            "too_many_tokens",
            format!("you hold {MAX_TOKENS} tokens already; revoke one first"),
        ));
    }
    let (model, token) = issue(&*tx, actor.account_id.get(), &name, read_only).await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "api_token.create",
            entity_type: "api_token",
            entity_id: model.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"id": model.id, "account_id": model.account_id, "name": model.name, "read_only": model.read_only})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((model, token))
}

/// The person's tokens, live first, newest first (never their secret).
pub async fn mine<C: ConnectionTrait>(
    conn: &C,
    account_id: AccountId,
) -> DomainResult<Vec<api_token::Model>> {
    let mut tokens = api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id.get()))
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?;
    tokens.sort_by_key(|t| t.revoked_at.is_some());
    Ok(tokens)
}

/// Revokes token `id` of the signed-in person (an administrator may revoke anyone's). A token
/// of someone else is answered as not found; revoking a revoked token changes nothing.
pub async fn revoke(db: &Db, actor: &Actor, id: i64) -> DomainResult<api_token::Model> {
    let tx = db.write().await?;
    let token = api_token::Entity::find_by_id(id)
        .one(&*tx)
        .await?
        .filter(|t| t.account_id == actor.account_id.get() || actor.role == Role::Admin)
        .ok_or_else(|| DomainError::NotFound("token"))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let revoked = api_token::Entity::update(api_token::ActiveModel {
        id: Set(token.id),
        revoked_at: Set(Some(now_ms())),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    tx.auth_changed().await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "api_token.revoke",
            entity_type: "api_token",
            entity_id: token.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"id": token.id, "account_id": token.account_id})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

#[derive(FromQueryResult)]
struct TokenOwner {
    token_id: i64,
    last_used_at: Option<i64>,
    read_only: bool,
    account_id: i64,
    role: Role,
    agency_id: Option<i64>,
    generation: i64,
}

/// Who a bearer token stands for, and whether the token only reads.
#[derive(Debug, Clone, Copy)]
pub struct Bearer {
    pub actor: Actor,
    pub read_only: bool,
}

/// Who a bearer token stands for, or `None` for an unknown or revoked token or a deactivated
/// account: from this process's cache when it may be trusted (`token_cache.rs`), else from
/// one read of the token, its account and the authentication generation. Records the token's
/// use (at most once a minute).
pub async fn authenticate(db: &Db, token: &str) -> DomainResult<Option<Bearer>> {
    let hash = sha256_hex(token.as_bytes());
    db.tokens.start_polling(&db.conn);
    let started = Instant::now();
    let entry = match db.tokens.get(&hash, started) {
        Some(entry) => entry,
        None => {
            let Some(owner) = read_owner(db, &hash).await? else {
                return Ok(None);
            };
            let bearer = Bearer {
                actor: Actor {
                    account_id: AccountId(owner.account_id),
                    role: owner.role,
                    agency_id: owner.agency_id.map(AgencyId),
                },
                read_only: owner.read_only,
            };
            let entry = Entry::new(bearer, owner.token_id, owner.last_used_at, owner.generation);
            db.tokens.insert(hash, entry, started)
        }
    };
    // One request per process and minute claims the write; the UPDATE's own condition keeps
    // other processes from writing the same minute again.
    let now = now_ms();
    let last = entry.last_used_at.load(Ordering::Relaxed);
    if now.saturating_sub(last) >= TOUCH_MS
        && entry
            .last_used_at
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        let tx = db.write_private().await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(entry.token_id))
            .filter(
                Condition::any()
                    .add(api_token::Column::LastUsedAt.is_null())
                    .add(api_token::Column::LastUsedAt.lte(now - TOUCH_MS)),
            )
            .exec(&*tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some(entry.bearer))
}

/// The live token with this hash, its account if active, and the authentication generation,
/// read in one statement (so in one snapshot).
async fn read_owner(db: &Db, hash: &str) -> DomainResult<Option<TokenOwner>> {
    let (t, a) = (Alias::new("api_tokens"), Alias::new("accounts"));
    let query = Query::select()
        .expr_as(
            Expr::col((t.clone(), Alias::new("id"))),
            Alias::new("token_id"),
        )
        .expr_as(
            Expr::col((t.clone(), Alias::new("last_used_at"))),
            Alias::new("last_used_at"),
        )
        .expr_as(
            Expr::col((t.clone(), Alias::new("read_only"))),
            Alias::new("read_only"),
        )
        .expr_as(
            Expr::col((a.clone(), Alias::new("id"))),
            Alias::new("account_id"),
        )
        .expr_as(
            Expr::col((a.clone(), Alias::new("role"))),
            Alias::new("role"),
        )
        .expr_as(
            Expr::col((a.clone(), Alias::new("agency_id"))),
            Alias::new("agency_id"),
        )
        .expr_as(
            Expr::cust(format!("({})", token_cache::READ_GENERATION)),
            Alias::new("generation"),
        )
        .from(t.clone())
        .inner_join(
            a.clone(),
            Expr::col((a.clone(), Alias::new("id"))).equals((t.clone(), Alias::new("account_id"))),
        )
        .and_where(Expr::col((t.clone(), Alias::new("token_hash"))).eq(hash))
        .and_where(Expr::col((t.clone(), Alias::new("revoked_at"))).is_null())
        .and_where(Expr::col((a.clone(), Alias::new("deactivated_at"))).is_null())
        .to_owned();
    let backend = db.conn.get_database_backend();
    Ok(TokenOwner::find_by_statement(backend.build(&query))
        .one(&db.conn)
        .await?)
}

/// Is this account's row one that may act (exists and is not deactivated)?
pub fn is_active(account: &account::Model) -> bool {
    account.deactivated_at.is_none()
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;
    use crate::{
        db::PoolOptions,
        service::accounts::{self, NewAccount},
        token_cache::TRUST,
    };

    /// Two handles on one SQLite file, each with its own cache, as two `serve` processes.
    async fn two_processes() -> (tempfile::TempDir, Db, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let a = Db::connect(&url, PoolOptions::default()).await.unwrap();
        a.migrate().await.unwrap();
        let b = Db::connect(&url, PoolOptions::default()).await.unwrap();
        (dir, a, b)
    }

    async fn citizen(db: &Db) -> (Actor, String) {
        let (account, token) = accounts::create_account(
            db,
            None,
            NewAccount {
                email: "c@example.org".into(),
                display_name: None,
                role: Role::Citizen,
                agency_slug: None,
            },
        )
        .await
        .unwrap();
        let actor = Actor {
            account_id: AccountId(account.id),
            role: account.role,
            agency_id: None,
        };
        (actor, token)
    }

    async fn role(db: &Db, token: &str) -> Option<Role> {
        authenticate(db, token).await.unwrap().map(|b| b.actor.role)
    }

    #[tokio::test]
    async fn a_known_token_is_answered_from_memory_until_a_change_is_committed() {
        let (_dir, a, b) = two_processes().await;
        let (actor, token) = citizen(&a).await;
        assert_eq!(role(&a, &token).await, Some(Role::Citizen));
        assert_eq!(role(&b, &token).await, Some(Role::Citizen));
        // Changed behind the counter's back (no service does this): both answer from memory.
        a.conn
            .execute_unprepared("UPDATE accounts SET role = 'researcher'")
            .await
            .unwrap();
        assert_eq!(role(&a, &token).await, Some(Role::Citizen));
        assert_eq!(role(&b, &token).await, Some(Role::Citizen));

        // Revoked through `a`: refused by `a` at once, and by `b` once TRUST has passed.
        let id = mine(&a.conn, actor.account_id).await.unwrap()[0].id;
        revoke(&a, &actor, id).await.unwrap();
        assert_eq!(role(&a, &token).await, None);
        tokio::time::sleep(TRUST).await;
        assert_eq!(role(&b, &token).await, None);
    }

    #[tokio::test]
    async fn a_token_is_not_remembered_as_unknown() {
        let (_dir, a, b) = two_processes().await;
        let (actor, _) = citizen(&a).await;
        // `b` learns the current generation and refuses a token that does not exist yet...
        assert_eq!(role(&b, "rf_unknown").await, None);
        let (_, token) = create(&a, &actor, "new", false).await.unwrap();
        // ...and accepts it as soon as another process has made it.
        assert_eq!(role(&b, &token).await, Some(Role::Citizen));
    }
}
