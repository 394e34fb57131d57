//! Accounts and API tokens. A token is 32 random bytes shown once; only its SHA-256 is stored,
//! which is enough for a secret of that entropy and keeps lookups to one indexed read.

use base64::Engine as _;
use rand::RngCore;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{
    agencies,
    validate::{Checks, is_email},
};
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{account, api_token},
    error::{DomainError, DomainResult},
    ids::{AccountId, AgencyId},
    time::now_ms,
    types::{Actor, Role},
};

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub agency_slug: Option<String>,
}

/// Creates an account with one API token and returns both (the token in clear, once).
pub async fn create_account(
    db: &Db,
    actor: Option<&Actor>,
    input: NewAccount,
) -> DomainResult<(account::Model, String)> {
    if actor.is_some_and(|a| a.role != Role::Admin) {
        return Err(DomainError::Forbidden(
            "only administrators create accounts".into(),
        ));
    }
    let mut checks = Checks::new();
    let email = input.email.trim().to_lowercase();
    if !is_email(&email) {
        checks.push("email", "invalid_value", "not an e-mail address");
    }
    let role = input.role;
    let display_name = checks
        .optional_title("display_name", input.display_name.as_deref(), 200)
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
    if role == Role::Officer && input.agency_slug.is_none() {
        checks.push("agency", "required", "an officer belongs to an agency");
    }
    checks.finish()?;
    let tx = db.write().await?;
    let agency_id = match input.agency_slug.as_deref() {
        Some(slug) => Some(
            agencies::find_by_slug(&*tx, slug)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid("agency", "not_found", format!("no agency {slug}"))
                })?
                .id,
        ),
        None => None,
    };
    if account::Entity::find()
        .filter(account::Column::Email.eq(&email))
        .one(&*tx)
        .await?
        .is_some()
    {
        return Err(DomainError::Conflict(
            "an account with this e-mail already exists".into(),
        ));
    }
    let model = account::Entity::insert(account::ActiveModel {
        email: Set(email),
        display_name: Set(display_name),
        role: Set(role),
        agency_id: Set(agency_id),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    let token = issue_token(&*tx, model.id).await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: actor.map(|a| a.account_id),
            action: "account.create",
            entity_type: "account",
            entity_id: model.id.to_string(),
            before: None,
            // The audit trail is internal, but it still stores no e-mail in clear.
            after: Some(serde_json::json!({"id": model.id, "role": model.role, "agency_id": model.agency_id, "email_sha256": sha256_hex(model.email.as_bytes())})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((model, token))
}

async fn issue_token<C: ConnectionTrait>(conn: &C, account_id: i64) -> DomainResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "rf_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    api_token::Entity::insert(api_token::ActiveModel {
        account_id: Set(account_id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(token)
}

/// The actor a bearer token stands for, or `None` for an unknown token.
pub async fn authenticate<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> DomainResult<Option<Actor>> {
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(account) = account::Entity::find_by_id(t.account_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(Some(Actor {
        account_id: AccountId(account.id),
        role: account.role,
        agency_id: account.agency_id.map(AgencyId),
    }))
}

/// Recently seen tokens, so that a busy client does not cost two database reads per request.
/// Entries live for [`TokenCache::TTL`]: a change of role reaches the API within that time.
#[derive(Clone, Default)]
pub struct TokenCache {
    entries: std::sync::Arc<
        std::sync::Mutex<std::collections::HashMap<String, (Actor, std::time::Instant)>>,
    >,
}

impl TokenCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);
    const CAPACITY: usize = 100_000;

    /// The actor for `token`, from the cache or the database.
    pub async fn authenticate<C: ConnectionTrait>(
        &self,
        conn: &C,
        token: &str,
    ) -> DomainResult<Option<Actor>> {
        let hash = sha256_hex(token.as_bytes());
        if let Ok(entries) = self.entries.lock()
            && let Some((actor, at)) = entries.get(&hash)
            && at.elapsed() < Self::TTL
        {
            return Ok(Some(*actor));
        }
        let actor = authenticate(conn, token).await?;
        if let (Some(actor), Ok(mut entries)) = (actor, self.entries.lock()) {
            if entries.len() >= Self::CAPACITY {
                entries.retain(|_, (_, at)| at.elapsed() < Self::TTL);
                if entries.len() >= Self::CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(hash, (actor, std::time::Instant::now()));
        }
        Ok(actor)
    }
}
