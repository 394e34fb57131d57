//! The segmented words kept with each comment (`comments.terms`), so that recounting the
//! statistics only counts. Terms made by another `stats::terms_version` (a new dictionary or
//! new stop words), or never kept, are stale; they are refreshed a batch at a time by the
//! `refresh_terms` job. Statistics are right without it: counting segments a stale comment's
//! body again.

use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{
    db::Db,
    entity::comment,
    error::DomainResult,
    stats::{comment_terms, terms_version},
};

/// Comments re-segmented per batch.
pub const BATCH: u64 = 2_000;

/// Comments whose kept terms cannot be counted (see `service::counting`).
fn stale() -> Condition {
    use comment::Column as Col;
    Condition::any()
        .add(Col::Terms.is_null())
        .add(Col::TermsVersion.is_null())
        .add(Col::TermsVersion.ne(terms_version()))
}

/// Whether some comment keeps stale terms.
pub async fn any_stale(db: &Db) -> DomainResult<bool> {
    let any: Option<i64> = comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .filter(stale())
        .limit(1)
        .into_tuple()
        .one(&db.conn)
        .await?;
    Ok(any.is_some())
}

/// Refreshes the next [`BATCH`] stale comments after `after_id`; returns the id to carry on
/// after when there may be more. Safe to run twice: it writes what the body gives.
pub async fn refresh_stale(db: &Db, after_id: i64) -> DomainResult<Option<i64>> {
    use comment::Column as Col;
    let rows: Vec<(i64, String)> = comment::Entity::find()
        .select_only()
        .columns([Col::Id, Col::Body])
        .filter(Col::Id.gt(after_id))
        .filter(stale())
        .order_by_asc(Col::Id)
        .limit(BATCH)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let Some(&(last, _)) = rows.last() else {
        return Ok(None);
    };
    let more = rows.len() as u64 == BATCH;
    let refreshed = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|(id, body)| (id, comment_terms(&body)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(anyhow::Error::from)?;
    let version = terms_version();
    let tx = db.write().await?;
    for (id, terms) in refreshed {
        comment::Entity::update_many()
            .col_expr(Col::Terms, Expr::value(terms))
            .col_expr(Col::TermsVersion, Expr::value(version))
            .filter(Col::Id.eq(id))
            .exec(&*tx)
            .await?;
    }
    tx.commit().await?;
    tracing::debug!(up_to = last, "refreshed comment terms");
    Ok(more.then_some(last))
}
