//! Accounts: made by `rabfang user create` or an administrator, by signing in (citizens) or by
//! accepting an invitation (staff); an administrator changes their role and deactivates them.
//! A deactivated account's sessions and API tokens stop working at its next request (tokens
//! within half a second in other `serve` processes: `token_cache.rs`).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{
    agencies,
    validate::{Checks, is_email},
};
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::account,
    error::{DomainError, DomainResult},
    ids::AccountId,
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
    let (_, token) = super::api_tokens::issue(&*tx, model.id, "", false).await?;
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

/// Accounts for the administrators' staff page: staff first (administrators, then officers by
/// agency), then everyone whose address contains `search` when one is given.
pub async fn list_for_admin<C: ConnectionTrait>(
    conn: &C,
    search: Option<&str>,
) -> DomainResult<Vec<account::Model>> {
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    let mut cond = Condition::any().add(account::Column::Role.is_in([Role::Admin, Role::Officer]));
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        cond = cond.add(account::Column::Email.contains(s.to_lowercase()));
    }
    Ok(account::Entity::find()
        .filter(cond)
        .order_by_asc(account::Column::Role)
        .order_by_asc(account::Column::AgencyId)
        .order_by_asc(account::Column::Email)
        .limit(1000)
        .all(conn)
        .await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: AccountId) -> DomainResult<account::Model> {
    account::Entity::find_by_id(id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("account"))
}

/// An administrator's change to an account: its role and agency, or whether it may act.
#[derive(Debug, Clone)]
pub enum AccountChange {
    Role { role: Role, agency: Option<String> },
    Deactivate,
    Reactivate,
}

/// Changes an account. Deactivating ends its sessions; its tokens stop working too, and a new
/// role or agency applies to them, from the next request (the change bumps the authentication
/// generation, `token_cache.rs`). An administrator cannot deactivate or demote themselves, so
/// the platform never loses its last way in by accident.
pub async fn change(
    db: &Db,
    actor: &Actor,
    id: AccountId,
    change: AccountChange,
) -> DomainResult<account::Model> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only administrators change accounts".into(),
        ));
    }
    let tx = db.write().await?;
    let before = get(&*tx, id).await?;
    if before.id == actor.account_id.get()
        && !matches!(
            &change,
            AccountChange::Role {
                role: Role::Admin,
                ..
            }
        )
    {
        return Err(DomainError::InvalidState(
            "you cannot deactivate or demote your own account".into(),
        ));
    }
    let mut update = account::ActiveModel {
        id: Set(before.id),
        ..Default::default()
    };
    let action = match &change {
        AccountChange::Role { role, agency } => {
            let agency = agency.as_deref().map(str::trim).filter(|a| !a.is_empty());
            let agency_id = match (role, agency) {
                (Role::Officer, None) => {
                    return Err(DomainError::invalid(
                        "agency",
                        "required",
                        "an officer belongs to an agency",
                    ));
                }
                (Role::Officer, Some(slug)) => Some(
                    agencies::find_by_slug(&*tx, slug)
                        .await?
                        .ok_or_else(|| {
                            DomainError::invalid("agency", "not_found", format!("no agency {slug}"))
                        })?
                        .id,
                ),
                _ => None,
            };
            update.role = Set(*role);
            update.agency_id = Set(agency_id);
            "account.role"
        }
        AccountChange::Deactivate => {
            update.deactivated_at = Set(Some(now_ms()));
            super::sessions::end_all_for(&*tx, id).await?;
            "account.deactivate"
        }
        AccountChange::Reactivate => {
            update.deactivated_at = Set(None);
            "account.reactivate"
        }
    };
    let after = account::Entity::update(update).exec(&*tx).await?;
    tx.auth_changed().await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action,
            entity_type: "account",
            entity_id: after.id.to_string(),
            before: Some(serde_json::json!({"role": before.role, "agency_id": before.agency_id, "deactivated": before.deactivated_at.is_some()})),
            after: Some(serde_json::json!({"role": after.role, "agency_id": after.agency_id, "deactivated": after.deactivated_at.is_some()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
