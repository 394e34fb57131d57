//! Campaign clusters of a consultation, as last computed by the worker.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{entity::comment_cluster, error::DomainResult};

pub async fn cluster_of<C: ConnectionTrait>(
    conn: &C,
    consultation_id: i64,
    id: i64,
) -> DomainResult<Option<comment_cluster::Model>> {
    Ok(comment_cluster::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.consultation_id == consultation_id))
}

/// Clusters of a consultation, largest first.
pub async fn clusters_of<C: ConnectionTrait>(
    conn: &C,
    consultation_id: i64,
) -> DomainResult<Vec<comment_cluster::Model>> {
    Ok(comment_cluster::Entity::find()
        .filter(comment_cluster::Column::ConsultationId.eq(consultation_id))
        .order_by_desc(comment_cluster::Column::Size)
        .order_by_asc(comment_cluster::Column::Id)
        .all(conn)
        .await?)
}
