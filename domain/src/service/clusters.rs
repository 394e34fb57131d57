//! Campaign clusters of a consultation: computing them (the worker, after statistics) and
//! reading them as last computed.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::Expr,
};

use crate::{
    campaigns::{self, ClusterInput, ClusterParams},
    db::Db,
    entity::{comment, comment_cluster},
    error::DomainResult,
    ids::ConsultationId,
    time::now_ms,
    types::{ModerationStatus, Publication},
};

pub async fn cluster_of<C: ConnectionTrait>(
    conn: &C,
    consultation_id: ConsultationId,
    id: i64,
) -> DomainResult<Option<comment_cluster::Model>> {
    Ok(comment_cluster::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.consultation_id == consultation_id.get()))
}

/// Clusters of a consultation, largest first.
pub async fn clusters_of<C: ConnectionTrait>(
    conn: &C,
    consultation_id: ConsultationId,
) -> DomainResult<Vec<comment_cluster::Model>> {
    Ok(comment_cluster::Entity::find()
        .filter(comment_cluster::Column::ConsultationId.eq(consultation_id))
        .order_by_desc(comment_cluster::Column::Size)
        .order_by_asc(comment_cluster::Column::Id)
        .all(conn)
        .await?)
}

/// Above this many comments, clusters are recomputed only when the consultation closes.
pub const LIVE_LIMIT: u64 = 20_000;

/// Recomputes the campaign clusters of a consultation from all its comments (see
/// `crate::campaigns`): while a consultation is small after each statistics update, and for
/// every consultation when it closes. The clusters are replaced in one transaction, so readers
/// see the old set or the new one, never a mix; running twice gives the same result. Returns
/// how many clusters were found.
pub async fn recompute(db: &Db, consultation_id: ConsultationId) -> DomainResult<usize> {
    let conn = &db.conn;
    let mut inputs = Vec::new();
    let mut public: HashMap<i64, bool> = HashMap::new();
    let mut after = 0;
    loop {
        let rows: Vec<(i64, String, String, String)> = comment::Entity::find()
            .select_only()
            .columns([
                comment::Column::Id,
                comment::Column::Body,
                comment::Column::Publication,
                comment::Column::ModerationStatus,
            ])
            .filter(comment::Column::ConsultationId.eq(consultation_id))
            .filter(comment::Column::Id.gt(after))
            .order_by_asc(comment::Column::Id)
            .limit(10_000)
            .into_tuple()
            .all(conn)
            .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        after = last;
        for (id, body, publication, moderation) in rows {
            public.insert(
                id,
                publication != Publication::Private.as_str()
                    && moderation == ModerationStatus::Published.as_str(),
            );
            inputs.push(ClusterInput { id, body });
        }
    }
    // Clustering is CPU work: keep it off the async threads.
    let (found, inputs) = tokio::task::spawn_blocking(move || {
        (
            campaigns::cluster(&inputs, ClusterParams::default()),
            inputs,
        )
    })
    .await
    .map_err(anyhow::Error::from)?;
    let texts: HashMap<i64, &str> = inputs.iter().map(|c| (c.id, c.body.as_str())).collect();
    let now = now_ms();
    let tx = db.write().await?;
    comment_cluster::Entity::delete_many()
        .filter(comment_cluster::Column::ConsultationId.eq(consultation_id))
        .exec(&*tx)
        .await?;
    comment::Entity::update_many()
        .col_expr(comment::Column::ClusterId, Expr::value(Option::<i64>::None))
        .filter(comment::Column::ConsultationId.eq(consultation_id))
        .filter(comment::Column::ClusterId.is_not_null())
        .exec(&*tx)
        .await?;
    for cluster in &found {
        let Some(id) = cluster.member_ids.iter().min().copied() else {
            continue;
        };
        // The representative shown publicly must be a public comment.
        let representative = std::iter::once(cluster.representative_id)
            .chain(cluster.member_ids.iter().copied())
            .find(|m| public.get(m).copied().unwrap_or(false))
            .and_then(|m| texts.get(&m).map(|t| t.to_string()))
            .unwrap_or_default();
        comment_cluster::Entity::insert(comment_cluster::ActiveModel {
            id: Set(id),
            consultation_id: Set(consultation_id.get()),
            size: Set(cluster.member_ids.len() as i32),
            representative_text: Set(representative),
            computed_at: Set(now),
        })
        .exec_without_returning(&*tx)
        .await?;
        for chunk in cluster.member_ids.chunks(500) {
            comment::Entity::update_many()
                .col_expr(comment::Column::ClusterId, Expr::value(id))
                .filter(comment::Column::Id.is_in(chunk.to_vec()))
                .exec(&*tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(found.len())
}
