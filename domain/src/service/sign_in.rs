//! Signing in without a password: a person asks for a one-time link by e-mail, opens it, and
//! completes sign-in with a button (a POST), so that a mail scanner that follows links signs
//! nobody in. A link is single use, valid for [`LINK_LIFETIME_MS`], and the secret in it exists
//! in clear only in the mail (the send job makes it and stores its hash). Asking is limited per
//! address (silently: the answer never tells whether a mail went out) and per client.
//!
//! The first sign-in with an address creates a citizen account for it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::{
    subscriptions::new_secret,
    validate::{Checks, is_email},
};
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{account, identity, sign_in_link},
    error::{DomainError, DomainResult},
    ids::AccountId,
    jobs::{self, MailJob},
    time::now_ms,
    types::Role,
};

/// How long a sign-in link works.
pub const LINK_LIFETIME_MS: i64 = 15 * 60 * 1000;
/// The window of the limits below.
pub const LIMIT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Links mailed to one address per window; more requests send nothing (and say the same).
pub const LINKS_PER_ADDRESS: u64 = 3;
/// Requests from one client per window (many people can share an address behind NAT).
pub const REQUESTS_PER_CLIENT: u64 = 30;

/// What became of a request for a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRequest {
    /// A link is on its way (or, over the address limit, silently not: the caller must answer
    /// both the same way).
    Accepted,
    /// This client asked too often; nothing was stored or sent.
    ClientLimited,
}

/// A request for a sign-in link.
pub struct NewLink<'a> {
    pub email: &'a str,
    /// Where to go after signing in; must be a local path (see [`local_path`]).
    pub next_path: &'a str,
    /// The language of the page that asked (`th` or `en`), for the mail and the link.
    pub lang: &'a str,
    /// Who asked, as the caller identifies clients (its address); stored only as a hash.
    pub client: &'a str,
}

/// `path` if it is a path on this site (`/drafts/3#s5`), else `/`: a `next=` parameter can
/// never send anyone to another site (`//evil.example`, `https://…`, `/\evil`).
pub fn local_path(path: &str) -> String {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path.len() <= 500;
    if ok {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// Stores a request for a link and queues its mail (see the module documentation).
pub async fn request_link(db: &Db, input: NewLink<'_>) -> DomainResult<LinkRequest> {
    let mut checks = Checks::new();
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        checks.push("email", "required", "enter your e-mail address");
    } else if !is_email(&email) || email.len() > 254 {
        checks.push("email", "invalid_value", "not an e-mail address");
    }
    checks.finish()?;
    let now = now_ms();
    let client_hash = sha256_hex(format!("sign-in-client\0{}", input.client).as_bytes());
    let tx = db.write().await?;
    let from_client = sign_in_link::Entity::find()
        .filter(sign_in_link::Column::ClientHash.eq(&client_hash))
        .filter(sign_in_link::Column::CreatedAt.gt(now - LIMIT_WINDOW_MS))
        .count(&*tx)
        .await?;
    if from_client >= REQUESTS_PER_CLIENT {
        return Ok(LinkRequest::ClientLimited);
    }
    let to_address = sign_in_link::Entity::find()
        .filter(sign_in_link::Column::Email.eq(&email))
        .filter(sign_in_link::Column::CreatedAt.gt(now - LIMIT_WINDOW_MS))
        .count(&*tx)
        .await?;
    let id = sign_in_link::Entity::insert(sign_in_link::ActiveModel {
        email: Set(email),
        // Replaced by the send job; never a valid secret until then.
        token_hash: Set(format!("unset-{}", new_secret())),
        next_path: Set(local_path(input.next_path)),
        lang: Set(if input.lang == "en" { "en" } else { "th" }.to_string()),
        client_hash: Set(client_hash),
        created_at: Set(now),
        expires_at: Set(now + LINK_LIFETIME_MS),
        used_at: Set(None),
        ..Default::default()
    })
    .exec(&*tx)
    .await?
    .last_insert_id;
    // Over the address limit the request is still stored (it counts against the client) but
    // no mail goes out: the form must not become a way to flood someone's mailbox.
    if to_address < LINKS_PER_ADDRESS {
        jobs::enqueue(&*tx, &MailJob::SignInLink { link_id: id }).await?;
    }
    tx.commit().await?;
    Ok(LinkRequest::Accepted)
}

/// A sign-in link for `email` made on the spot, without mail (for `serve --demo`, which prints
/// it for the demo citizen): returns the link's secret. Valid and single-use like any link.
pub async fn issue_now(db: &Db, email: &str, next_path: &str) -> DomainResult<String> {
    let secret = new_secret();
    let now = now_ms();
    let tx = db.write().await?;
    sign_in_link::Entity::insert(sign_in_link::ActiveModel {
        email: Set(email.trim().to_lowercase()),
        token_hash: Set(sha256_hex(secret.as_bytes())),
        next_path: Set(local_path(next_path)),
        lang: Set("th".into()),
        client_hash: Set("issued-on-the-command-line".into()),
        created_at: Set(now),
        expires_at: Set(now + LINK_LIFETIME_MS),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Makes the secret of link `id` and stores its hash; `None` if the link is gone, used or
/// expired (the send job then sends nothing).
pub async fn rotate_secret<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<(sign_in_link::Model, String)>> {
    let Some(link) = sign_in_link::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    if link.used_at.is_some() || link.expires_at <= now_ms() {
        return Ok(None);
    }
    let secret = new_secret();
    sign_in_link::Entity::update(sign_in_link::ActiveModel {
        id: Set(id),
        token_hash: Set(sha256_hex(secret.as_bytes())),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(Some((link, secret)))
}

/// The link with this secret if it can still be used (for the page with the button).
pub async fn find_usable<C: ConnectionTrait>(
    conn: &C,
    secret: &str,
) -> DomainResult<Option<sign_in_link::Model>> {
    Ok(sign_in_link::Entity::find()
        .filter(sign_in_link::Column::TokenHash.eq(sha256_hex(secret.trim().as_bytes())))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .filter(sign_in_link::Column::ExpiresAt.gt(now_ms()))
        .one(conn)
        .await?)
}

/// Uses the link with this secret (once: a second use, or one after expiry, is `NotFound`) and
/// returns the account it signs in (created as a citizen on first sign-in) and where to go.
pub async fn complete(db: &Db, secret: &str) -> DomainResult<(account::Model, String)> {
    let now = now_ms();
    let tx = db.write().await?;
    let link = find_usable(&*tx, secret)
        .await?
        .ok_or(DomainError::NotFound("sign-in link"))?;
    // Conditional, so two clicks at once cannot both use it.
    let used = sign_in_link::Entity::update_many()
        .col_expr(
            sign_in_link::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(sign_in_link::Column::Id.eq(link.id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(&*tx)
        .await?;
    if used.rows_affected != 1 {
        return Err(DomainError::NotFound("sign-in link"));
    }
    let existing = account::Entity::find()
        .filter(account::Column::Email.eq(&link.email))
        .one(&*tx)
        .await?;
    let account = match existing {
        Some(a) => a,
        None => {
            let name = link.email.split('@').next().unwrap_or_default().to_string();
            new_citizen(&*tx, &link.email, name, "email_link").await?
        }
    };
    refuse_deactivated(&account)?;
    tx.commit().await?;
    Ok((account, link.next_path))
}

/// The account of the person a provider (`issuer`) identified as `subject`: the one linked to
/// that identity, or a new citizen account linked to it now. `name` is the display name the
/// provider gave, if any. Only the issuer and subject are kept, never a national ID number.
pub async fn complete_external(
    db: &Db,
    issuer: &str,
    subject: &str,
    name: Option<&str>,
) -> DomainResult<account::Model> {
    let now = now_ms();
    let tx = db.write().await?;
    let linked = identity::Entity::find()
        .filter(identity::Column::Issuer.eq(issuer))
        .filter(identity::Column::Subject.eq(subject))
        .one(&*tx)
        .await?;
    if let Some(link) = linked {
        let account = account::Entity::find_by_id(link.account_id)
            .one(&*tx)
            .await?
            .ok_or(DomainError::NotFound("account"))?;
        refuse_deactivated(&account)?;
        tx.commit().await?;
        return Ok(account);
    }
    // An address that can receive no mail (RFC 2606 `.invalid`), unique per identity: the
    // person may add a real one later; nothing is sent to it meanwhile.
    let key = &sha256_hex(format!("{issuer}\0{subject}").as_bytes())[..24];
    let display_name = name
        .map(|n| n.trim().chars().take(200).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "ผู้ใช้ดิจิทัลไอดี".to_string());
    let model = new_citizen(
        &*tx,
        &format!("{key}@digital-id.invalid"),
        display_name,
        "openid_connect",
    )
    .await?;
    identity::Entity::insert(identity::ActiveModel {
        issuer: Set(issuer.to_string()),
        subject: Set(subject.to_string()),
        account_id: Set(model.id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// A deactivated account signs no one in.
fn refuse_deactivated(account: &account::Model) -> DomainResult<()> {
    match account.deactivated_at {
        Some(_) => Err(DomainError::Forbidden("this account is deactivated".into())),
        None => Ok(()),
    }
}

/// A new citizen account, with its audit event (`via` says how it was made). The e-mail is
/// kept in the audit trail only as a hash.
async fn new_citizen<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    display_name: String,
    via: &str,
) -> DomainResult<account::Model> {
    let model = account::Entity::insert(account::ActiveModel {
        email: Set(email.to_string()),
        display_name: Set(display_name),
        role: Set(Role::Citizen),
        agency_id: Set(None),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    audit::record(
        conn,
        AuditRecord {
            actor: Some(AccountId(model.id)),
            action: "account.create",
            entity_type: "account",
            entity_id: model.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"id": model.id, "role": model.role, "via": via, "email_sha256": sha256_hex(model.email.as_bytes())})),
        },
    )
    .await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_paths_stay_on_this_site() {
        for (given, kept) in [
            ("/drafts/3#s5", "/drafts/3#s5"),
            ("/en/consultations/1?x=1", "/en/consultations/1?x=1"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example", "/"),
            ("javascript:alert(1)", "/"),
            ("", "/"),
            ("/a\r\nSet-Cookie: x", "/"),
        ] {
            assert_eq!(local_path(given), kept, "{given:?}");
        }
    }
}
