//! The statistics summary of a consultation, as last computed by the worker, with its campaign
//! clusters.

use sea_orm::{ConnectionTrait, EntityTrait};

use super::{clusters, consultations};
use crate::{
    entity::{comment, comment_cluster, statistics},
    error::DomainResult,
    service::comments::AnswerInput,
    stats::Statistics,
    stats::{AnswerFacts, CommentFacts},
    types::Actor,
    types::{ModerationStatus, Publication},
};

pub struct Summary {
    pub consultation_id: i64,
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
    consultation_id: i64,
) -> DomainResult<Summary> {
    consultations::find_visible(conn, actor, consultation_id).await?;
    let row = statistics::Entity::find_by_id(consultation_id)
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

/// What statistics need from a comment. The words of private or hidden comments are not
/// counted in the term list (it is public); the comments themselves are.
pub fn comment_facts(c: &comment::Model) -> CommentFacts {
    let public = c.publication != Publication::Private.as_str()
        && c.moderation_status == ModerationStatus::Published.as_str();
    let answers: Vec<AnswerInput> = serde_json::from_str(&c.answers).unwrap_or_default();
    CommentFacts {
        id: c.id,
        stance: c.stance.clone(),
        respondent_type: c.respondent_type.clone(),
        province: c.province.clone(),
        provision_id: c.provision_id.clone(),
        channel: c.channel.clone(),
        received_at: c.received_at,
        answers: answers
            .into_iter()
            .map(|a| AnswerFacts {
                question_id: a.question_id,
                choice: a.choice,
                choices: a.choices,
                scale: a.scale,
                text: a.text.filter(|_| public),
            })
            .collect(),
        // Kept terms make the body unnecessary.
        body: if public && c.terms.is_none() {
            c.body.clone()
        } else {
            String::new()
        },
        terms: if public {
            c.terms.clone()
        } else {
            Some(String::new())
        },
    }
}
