//! Services: one module per aggregate, async functions over a connection or a transaction.
//! Each takes already-parsed input, checks who may do it, and records an audit event for every
//! change in the same transaction.

pub mod accounts;
pub mod agencies;
pub mod api_tokens;
pub mod assessments;
pub mod changes;
pub mod clusters;
pub mod comments;
pub mod consultations;
pub mod counting;
pub mod dispositions;
pub mod drafts;
pub mod idempotency;
pub mod indexing;
pub mod integrity;
pub mod invitations;
pub mod laws;
pub mod mailings;
pub mod moderation;
pub mod notices;
pub mod page;
pub mod personal_data;
pub mod reports;
pub mod sessions;
pub mod sign_in;
pub mod statistics;
pub mod subscriptions;
pub mod summaries;
pub mod terms;
pub mod tracking;
pub mod validate;
pub mod workspace;

/// Rows of `E` whose `id` column is one of `ids`, by id, in one query (none for no ids): how
/// a page of rows gets the rows it refers to (drafts of consultations, authors of comments...).
pub async fn by_ids<E, C>(
    conn: &C,
    id: E::Column,
    ids: impl IntoIterator<Item = i64>,
    id_of: impl Fn(&E::Model) -> i64,
) -> crate::DomainResult<std::collections::HashMap<i64, E::Model>>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(E::find()
        .filter(id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (id_of(&row), row))
        .collect())
}
