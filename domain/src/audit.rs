//! The audit trail: an append-only chain of events, each hashing the one before it, so a
//! removed or edited event breaks the chain. Appends lock the single `audit_chain_head` row, which
//! orders them across processes.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Set, Statement};
use sha2::{Digest, Sha256};

use crate::{entity::audit_event, error::DomainResult, time::now_ms};

/// One state change to record.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub actor: Option<crate::ids::AccountId>,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of one event, chained to the previous one.
#[allow(clippy::too_many_arguments)]
fn event_hash(
    prev: &str,
    actor: Option<i64>,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before_hash: &Option<String>,
    after_hash: &Option<String>,
    created_at: i64,
) -> String {
    let material = serde_json::json!([
        prev,
        actor,
        action,
        entity_type,
        entity_id,
        before_hash,
        after_hash,
        created_at
    ]);
    sha256_hex(material.to_string().as_bytes())
}

fn hash_value(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|v| sha256_hex(v.to_string().as_bytes()))
}

/// Appends events in order inside the caller's transaction. Create it once per transaction
/// (it locks the chain head), push events, then call [`AuditChain::finish`] before commit.
pub struct AuditChain {
    last_hash: String,
    length: i64,
    pending: Vec<audit_event::ActiveModel>,
}

impl AuditChain {
    pub async fn lock<C: ConnectionTrait>(conn: &C) -> DomainResult<AuditChain> {
        let backend = conn.get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "SELECT last_hash, length FROM audit_chain_head WHERE id = 1 FOR UPDATE"
            }
            _ => "SELECT last_hash, length FROM audit_chain_head WHERE id = 1",
        };
        let row = conn
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| anyhow::anyhow!("audit_chain_head row is missing"))?;
        Ok(AuditChain {
            last_hash: row.try_get("", "last_hash")?,
            length: row.try_get("", "length")?,
            pending: Vec::new(),
        })
    }

    pub fn push(&mut self, record: AuditRecord) {
        let created_at = now_ms();
        let before_hash = hash_value(&record.before);
        let after_hash = hash_value(&record.after);
        let hash = event_hash(
            &self.last_hash,
            record.actor.map(crate::ids::AccountId::get),
            record.action,
            record.entity_type,
            &record.entity_id,
            &before_hash,
            &after_hash,
            created_at,
        );
        self.pending.push(audit_event::ActiveModel {
            actor_account_id: Set(record.actor.map(crate::ids::AccountId::get)),
            action: Set(record.action.to_string()),
            entity_type: Set(record.entity_type.to_string()),
            entity_id: Set(record.entity_id),
            before_hash: Set(before_hash),
            after_hash: Set(after_hash),
            prev_hash: Set(std::mem::replace(&mut self.last_hash, hash.clone())),
            hash: Set(hash),
            created_at: Set(created_at),
            ..Default::default()
        });
        self.length += 1;
    }

    /// Writes the pending events and moves the chain head.
    pub async fn finish<C: ConnectionTrait>(self, conn: &C) -> DomainResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        audit_event::Entity::insert_many(self.pending)
            .exec_without_returning(conn)
            .await?;
        let backend = conn.get_database_backend();
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => {
                    "UPDATE audit_chain_head SET last_hash = $1, length = $2 WHERE id = 1"
                }
                _ => "UPDATE audit_chain_head SET last_hash = ?, length = ? WHERE id = 1",
            },
            [self.last_hash.into(), self.length.into()],
        ))
        .await?;
        Ok(())
    }
}

/// Records one event in its own chain step (for transactions that change one thing).
pub async fn record<C: ConnectionTrait>(conn: &C, record: AuditRecord) -> DomainResult<()> {
    let mut chain = AuditChain::lock(conn).await?;
    chain.push(record);
    chain.finish(conn).await
}

/// The `prev_hash` of the first event: SHA-256 of nothing.
pub fn genesis_hash() -> String {
    sha256_hex(b"")
}

/// The hash a stored event must have, given the hash of the event before it.
pub fn expected_hash(prev: &str, event: &audit_event::Model) -> String {
    event_hash(
        prev,
        event.actor_account_id,
        &event.action,
        &event.entity_type,
        &event.entity_id,
        &event.before_hash,
        &event.after_hash,
        event.created_at,
    )
}

/// The hash stored as an event's `before_hash` or `after_hash` for this value.
pub fn value_hash(value: &serde_json::Value) -> String {
    sha256_hex(value.to_string().as_bytes())
}

/// Checks the whole chain, a page at a time; returns the number of events, or the id of the
/// first broken link. `service::integrity::verify` also checks the chain head and the
/// published documents, and says what broke.
pub async fn verify<C: ConnectionTrait>(conn: &C) -> DomainResult<Result<u64, i64>> {
    let report = crate::service::integrity::verify_chain(conn, &mut |_| {}).await?;
    Ok(match report.first_broken {
        Some(event) => Err(event.id),
        None => Ok(report.verified),
    })
}

/// The newest events of the trail (before event `before`, when given), newest first, for
/// administrators to read.
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    before: Option<i64>,
    limit: u64,
) -> DomainResult<Vec<audit_event::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut query = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(audit_event::Column::Id.lt(before));
    }
    Ok(query.all(conn).await?)
}
