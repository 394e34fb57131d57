//! Staff join by invitation: an administrator invites an address to be an officer of an agency
//! (or an administrator); the invitee opens the link in the mail and accepts with a button (a
//! POST, so mail scanners accept nothing), which signs them in. An invitation is single use and
//! expires after [`LIFETIME_MS`]; its secret exists in clear only in the mail (the send job
//! makes it and stores its hash). Accepting with an address that already has an account (a
//! citizen who commented before) gives that account the invited role.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{
    agencies,
    subscriptions::new_secret,
    validate::{Checks, is_email},
};
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{account, invitation},
    error::{DomainError, DomainResult},
    ids::AccountId,
    jobs::{self, MailJob},
    time::now_ms,
    types::{Actor, Role},
};

/// How long an invitation can be accepted.
pub const LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// An administrator's invitation.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    /// `officer` or `admin`.
    pub role: Role,
    /// The agency's slug; required for an officer.
    pub agency: Option<String>,
}

/// Records the invitation and queues its mail. Only administrators invite.
pub async fn invite(
    db: &Db,
    actor: &Actor,
    input: NewInvitation,
) -> DomainResult<invitation::Model> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only administrators invite staff".into(),
        ));
    }
    let mut checks = Checks::new();
    let email = input.email.trim().to_lowercase();
    if !is_email(&email) {
        checks.push("email", "invalid_value", "not an e-mail address");
    }
    if !matches!(input.role, Role::Officer | Role::Admin) {
        checks.push(
            "role",
            "invalid_value",
            "invite an officer or an administrator",
        );
    }
    let agency = input
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if input.role == Role::Officer && agency.is_none() {
        checks.push("agency", "required", "an officer belongs to an agency");
    }
    checks.finish()?;
    let tx = db.write().await?;
    let agency_id = match (input.role, agency) {
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
    let now = now_ms();
    let model = invitation::Entity::insert(invitation::ActiveModel {
        email: Set(email),
        role: Set(input.role),
        agency_id: Set(agency_id),
        // Replaced by the mail job's secret; this one is never sent to anyone.
        token_hash: Set(sha256_hex(new_secret().as_bytes())),
        invited_by: Set(actor.account_id.get()),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME_MS),
        accepted_at: Set(None),
        account_id: Set(None),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    jobs::enqueue(
        &*tx,
        &MailJob::Invitation {
            invitation_id: model.id,
        },
    )
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "invitation.create",
            entity_type: "invitation",
            entity_id: model.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"id": model.id, "role": model.role, "agency_id": model.agency_id, "email_sha256": sha256_hex(model.email.as_bytes())})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// Invitations not yet accepted, newest first (expired ones included, to be seen as such).
pub async fn pending<C: ConnectionTrait>(conn: &C) -> DomainResult<Vec<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::AcceptedAt.is_null())
        .order_by_desc(invitation::Column::Id)
        .all(conn)
        .await?)
}

/// For the mail job: a new secret for a live invitation (its hash stored), or `None` when it
/// was accepted or has expired.
pub async fn rotate_secret<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<(invitation::Model, String)>> {
    let Some(found) = invitation::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    if found.accepted_at.is_some() || found.expires_at <= now_ms() {
        return Ok(None);
    }
    let secret = new_secret();
    invitation::Entity::update(invitation::ActiveModel {
        id: Set(id),
        token_hash: Set(sha256_hex(secret.as_bytes())),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(Some((found, secret)))
}

/// The invitation with this secret if it can still be accepted (for the page with the button).
pub async fn find_usable<C: ConnectionTrait>(
    conn: &C,
    secret: &str,
) -> DomainResult<Option<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(sha256_hex(secret.trim().as_bytes())))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now_ms()))
        .one(conn)
        .await?)
}

/// Accepts the invitation with this secret (once; a second use, or one after expiry, is
/// `NotFound`) and returns the account it signs in, now with the invited role: the account of
/// `signed_in` when the invitee accepts while signed in (someone who signs in with ThaID, whose
/// account has no usable address, becomes staff that way), else the invited address's account
/// (made if there is none).
pub async fn accept(
    db: &Db,
    secret: &str,
    signed_in: Option<AccountId>,
) -> DomainResult<account::Model> {
    let now = now_ms();
    let tx = db.write().await?;
    let found = find_usable(&*tx, secret)
        .await?
        .ok_or(DomainError::NotFound("invitation"))?;
    // Conditional, so two clicks at once cannot both accept it.
    let taken = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::AcceptedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(invitation::Column::Id.eq(found.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(&*tx)
        .await?;
    if taken.rows_affected != 1 {
        return Err(DomainError::NotFound("invitation"));
    }
    let existing = match signed_in {
        Some(id) => account::Entity::find_by_id(id.get()).one(&*tx).await?,
        None => {
            account::Entity::find()
                .filter(account::Column::Email.eq(&found.email))
                .one(&*tx)
                .await?
        }
    };
    let before = existing
        .as_ref()
        .map(|a| serde_json::json!({"role": a.role, "agency_id": a.agency_id}));
    let account = match existing {
        Some(a) if a.deactivated_at.is_some() => {
            return Err(DomainError::Forbidden("this account is deactivated".into()));
        }
        Some(a) => {
            account::Entity::update(account::ActiveModel {
                id: Set(a.id),
                role: Set(found.role),
                agency_id: Set(found.agency_id),
                ..Default::default()
            })
            .exec(&*tx)
            .await?
        }
        None => {
            account::Entity::insert(account::ActiveModel {
                email: Set(found.email.clone()),
                display_name: Set(found
                    .email
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()),
                role: Set(found.role),
                agency_id: Set(found.agency_id),
                created_at: Set(now),
                deactivated_at: Set(None),
                ..Default::default()
            })
            .exec_with_returning(&*tx)
            .await?
        }
    };
    invitation::Entity::update(invitation::ActiveModel {
        id: Set(found.id),
        account_id: Set(Some(account.id)),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    // An existing account's tokens now stand for the invited role and agency.
    tx.auth_changed().await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(AccountId(account.id)),
            action: "invitation.accept",
            entity_type: "account",
            entity_id: account.id.to_string(),
            before,
            after: Some(serde_json::json!({"id": account.id, "role": account.role, "agency_id": account.agency_id, "invitation_id": found.id})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}
