//! What an agency reads to moderate a consultation: every comment (hidden and private ones
//! too), newest first, filtered by moderation status, stance or provision; and each campaign
//! cluster with a sample of its members. Officers of the draft's agency (and administrators)
//! only; anyone else is answered as if the consultation did not exist.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{clusters, consultations, drafts};
use crate::{
    entity::{comment, comment_cluster, consultation},
    error::{DomainError, DomainResult},
    ids::{ConsultationId, DraftId},
    types::{Actor, ModerationStatus, Stance},
};

/// The reasons an officer chooses from when hiding a comment; free text is added to them.
pub const HIDE_REASONS: &[&str] = &["personal_data", "abusive", "off_topic", "spam", "illegal"];

#[derive(Debug, Clone, Default)]
pub struct ModerationFilter {
    pub status: Option<ModerationStatus>,
    pub stance: Option<Stance>,
    pub provision: Option<String>,
    /// Comments older than this id (the next page).
    pub before: Option<i64>,
}

/// The consultation, if `actor` manages its draft (else `NotFound`).
pub async fn managed<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    consultation_id: ConsultationId,
) -> DomainResult<consultation::Model> {
    let c = consultations::find_visible(conn, Some(actor), consultation_id).await?;
    drafts::find_managed(conn, actor, DraftId(c.draft_id))
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("consultation"),
            other => other,
        })?;
    Ok(c)
}

/// Marks the consultation's comments up to `up_to` (the newest the officer was shown) as
/// reviewed. Comments that arrived after the page was shown stay awaiting; the mark never moves
/// back.
pub async fn mark_reviewed(
    db: &crate::db::Db,
    actor: &Actor,
    consultation_id: ConsultationId,
    up_to: i64,
) -> DomainResult<()> {
    use sea_orm::sea_query::Expr;
    let tx = db.write().await?;
    managed(&*tx, actor, consultation_id).await?;
    consultation::Entity::update_many()
        .col_expr(consultation::Column::ReviewedUpTo, Expr::value(up_to))
        .filter(consultation::Column::Id.eq(consultation_id.get()))
        .filter(consultation::Column::ReviewedUpTo.lt(up_to))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The newest comment id of the consultation (0 when it has none).
pub async fn newest_comment<C: ConnectionTrait>(
    conn: &C,
    consultation_id: ConsultationId,
) -> DomainResult<i64> {
    Ok(comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(consultation_id.get()))
        .order_by_desc(comment::Column::Id)
        .one(conn)
        .await?
        .map_or(0, |c| c.id))
}

/// A page of `limit` comments, newest first.
pub async fn comments<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    consultation_id: ConsultationId,
    filter: &ModerationFilter,
    limit: u64,
) -> DomainResult<Vec<comment::Model>> {
    managed(conn, actor, consultation_id).await?;
    let mut query = comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(consultation_id.get()))
        .order_by_desc(comment::Column::Id)
        .limit(limit);
    if let Some(s) = filter.status {
        query = query.filter(comment::Column::ModerationStatus.eq(s));
    }
    if let Some(s) = filter.stance {
        query = query.filter(comment::Column::Stance.eq(s));
    }
    if let Some(p) = &filter.provision {
        query = query.filter(comment::Column::ProvisionId.eq(p.as_str()));
    }
    if let Some(before) = filter.before {
        query = query.filter(comment::Column::Id.lt(before));
    }
    Ok(query.all(conn).await?)
}

/// A campaign cluster with a few of its members.
pub struct ClusterSample {
    pub cluster: comment_cluster::Model,
    pub members: Vec<comment::Model>,
}

/// The consultation's clusters, largest first, each with up to `sample` members.
pub async fn clusters<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    consultation_id: ConsultationId,
    sample: u64,
) -> DomainResult<Vec<ClusterSample>> {
    managed(conn, actor, consultation_id).await?;
    let mut out = Vec::new();
    for cluster in clusters::clusters_of(conn, consultation_id).await? {
        let members = comment::Entity::find()
            .filter(comment::Column::ClusterId.eq(cluster.id))
            .order_by_asc(comment::Column::Id)
            .limit(sample)
            .all(conn)
            .await?;
        out.push(ClusterSample { cluster, members });
    }
    Ok(out)
}

/// Every disposition of the consultation (those on private comments too), for its agency.
pub async fn dispositions<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    consultation_id: ConsultationId,
) -> DomainResult<Vec<crate::entity::disposition::Model>> {
    use crate::entity::disposition;
    managed(conn, actor, consultation_id).await?;
    Ok(disposition::Entity::find()
        .filter(disposition::Column::ConsultationId.eq(consultation_id.get()))
        .order_by_asc(disposition::Column::Id)
        .all(conn)
        .await?)
}

/// The provisions of the version a consultation is about.
pub async fn provisions<C: ConnectionTrait>(
    conn: &C,
    c: &consultation::Model,
) -> DomainResult<Vec<crate::provisions::Provision>> {
    use crate::entity::draft_version;
    Ok(draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(c.draft_id))
        .filter(draft_version::Column::Number.eq(c.version_number))
        .one(conn)
        .await?
        .map(|v| v.provisions.0)
        .unwrap_or_default())
}
