//! `Idempotency-Key` for single-row writes (new draft versions, compile requests), on the same
//! `idempotency_keys` table as comments (which batch their own, see `comments`): one key per
//! account, whatever the operation. Within the caller's write transaction, [`replay`] answers
//! whether the key was used already (and with the same request, so the first answer is
//! replayed) and [`store`] records it with the answer. The request hash names the operation, so
//! a key used for one operation is refused for another.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};

use super::validate::Checks;
use crate::{
    audit::sha256_hex,
    entity::idempotency_key,
    error::{DomainError, DomainResult},
    time::now_ms,
};

/// Checks a client's key: 1 to 255 ASCII characters.
pub fn check_key(checks: &mut Checks, key: Option<&str>) {
    if let Some(k) = key
        && (k.is_empty() || k.len() > 255 || !k.is_ascii())
    {
        checks.push(
            "Idempotency-Key",
            "invalid_value",
            "an Idempotency-Key is 1-255 ASCII characters",
        );
    }
}

/// The hash that tells a retry (same operation, same request) from another request.
pub fn request_hash(operation: &str, request: serde_json::Value) -> String {
    sha256_hex(
        serde_json::json!([operation, request])
            .to_string()
            .as_bytes(),
    )
}

/// The saved answer when `key` was used for this request already; `IdempotencyKeyReused` when
/// it was used for another one; `None` when it is new.
pub async fn replay<C: ConnectionTrait>(
    conn: &C,
    account_id: crate::ids::AccountId,
    key: &str,
    request_hash: &str,
) -> DomainResult<Option<String>> {
    let found = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::AccountId.eq(account_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(conn)
        .await?;
    match found {
        None => Ok(None),
        Some(k) if k.request_hash == request_hash => Ok(Some(k.response_body)),
        Some(_) => Err(DomainError::IdempotencyKeyReused),
    }
}

/// Records the key with the answer to replay. Fails with `conflict` if another transaction
/// stored the same key in the meantime (the caller's changes are then rolled back, and a retry
/// gets that transaction's answer).
pub async fn store<C: ConnectionTrait>(
    conn: &C,
    account_id: crate::ids::AccountId,
    key: &str,
    request_hash: &str,
    status: i32,
    response: &str,
) -> DomainResult<()> {
    let saved = SavedAnswer {
        account_id,
        key,
        request_hash,
        status,
        response,
        at: now_ms(),
    };
    if !insert(conn, saved).await? {
        return Err(DomainError::Conflict(
            "another request with this Idempotency-Key was being answered; retry to get its answer"
                .into(),
        ));
    }
    Ok(())
}

/// A key with the answer it gets.
pub struct SavedAnswer<'a> {
    pub account_id: crate::ids::AccountId,
    pub key: &'a str,
    pub request_hash: &'a str,
    pub status: i32,
    pub response: &'a str,
    pub at: i64,
}

/// Inserts a key unless the account has it already; `false` when it did (another transaction
/// stored it between the caller's look-up and this insert).
pub async fn insert<C: ConnectionTrait>(conn: &C, saved: SavedAnswer<'_>) -> DomainResult<bool> {
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        account_id: Set(saved.account_id.get()),
        key: Set(saved.key.into()),
        request_hash: Set(saved.request_hash.into()),
        response_status: Set(saved.status),
        response_body: Set(saved.response.into()),
        created_at: Set(saved.at),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_key::Column::AccountId,
            idempotency_key::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted == 1)
}
