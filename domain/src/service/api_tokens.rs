//! API tokens: 32 random bytes shown once to their owner; only the SHA-256 is stored, which is
//! enough for a secret of that entropy and keeps a lookup to one indexed read. Every signed-in
//! person makes, names and revokes their own tokens; a token stops working at once when it is
//! revoked or its account is deactivated, and a change of role applies from the next request
//! (each request reads the token and its account in one query; nothing is cached between
//! requests, so several `serve` processes agree).

use base64::Engine as _;
use rand::RngCore;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Set,
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
}

/// Who a bearer token stands for, and whether the token only reads.
#[derive(Debug, Clone, Copy)]
pub struct Bearer {
    pub actor: Actor,
    pub read_only: bool,
}

/// Who a bearer token stands for, or `None` for an unknown or revoked token or a deactivated
/// account. Records the token's use (at most once a minute).
pub async fn authenticate(db: &Db, token: &str) -> DomainResult<Option<Bearer>> {
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
        .from(t.clone())
        .inner_join(
            a.clone(),
            Expr::col((a.clone(), Alias::new("id"))).equals((t.clone(), Alias::new("account_id"))),
        )
        .and_where(
            Expr::col((t.clone(), Alias::new("token_hash"))).eq(sha256_hex(token.as_bytes())),
        )
        .and_where(Expr::col((t.clone(), Alias::new("revoked_at"))).is_null())
        .and_where(Expr::col((a.clone(), Alias::new("deactivated_at"))).is_null())
        .to_owned();
    let backend = db.conn.get_database_backend();
    let Some(owner) = TokenOwner::find_by_statement(backend.build(&query))
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let now = now_ms();
    if owner.last_used_at.is_none_or(|at| now - at >= TOUCH_MS) {
        let tx = db.write().await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(owner.token_id))
            .exec(&*tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some(Bearer {
        actor: Actor {
            account_id: AccountId(owner.account_id),
            role: owner.role,
            agency_id: owner.agency_id.map(AgencyId),
        },
        read_only: owner.read_only,
    }))
}

/// Is this account's row one that may act (exists and is not deactivated)?
pub fn is_active(account: &account::Model) -> bool {
    account.deactivated_at.is_none()
}
