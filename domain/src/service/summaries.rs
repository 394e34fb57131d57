//! The statistics summary of a consultation, as last computed by the worker, with its campaign
//! clusters.

use sea_orm::{ConnectionTrait, EntityTrait};

use super::{clusters, consultations};
use crate::{
    entity::{comment_cluster, statistics},
    error::DomainResult,
    ids::ConsultationId,
    stats::Statistics,
    types::Actor,
};

pub struct Summary {
    pub consultation_id: ConsultationId,
    /// `None` until the worker has computed it once.
    pub computed_at: Option<i64>,
    pub statistics: Statistics,
    pub clusters: Vec<comment_cluster::Model>,
}

impl Summary {
    /// Comments that belong to a campaign cluster.
    pub fn clustered(&self) -> u64 {
        self.clusters.iter().map(|c| c.size.max(0) as u64).sum()
    }
}

pub async fn summary<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    consultation_id: ConsultationId,
) -> DomainResult<Summary> {
    consultations::find_visible(conn, actor, consultation_id).await?;
    let row = statistics::Entity::find_by_id(consultation_id.get())
        .one(conn)
        .await?;
    let (computed_at, statistics) = match row {
        Some(r) => (
            Some(r.computed_at),
            serde_json::from_str(&r.data).map_err(anyhow::Error::from)?,
        ),
        None => (None, Statistics::default()),
    };
    Ok(Summary {
        consultation_id,
        computed_at,
        statistics,
        clusters: clusters::clusters_of(conn, consultation_id).await?,
    })
}
