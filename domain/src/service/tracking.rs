//! What happened to a comment, for its author: received, published or hidden (with the
//! moderator's reason), grouped in a campaign cluster, and the agency's response. The author
//! sees it signed in, or with the secret printed on the receipt (a keyed code of the tracking
//! number, so nothing more is stored). Anyone else, and any wrong secret, gets "not found":
//! the page is no oracle for which tracking numbers exist.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    entity::{comment, comment_cluster, consultation, disposition, draft},
    error::{DomainError, DomainResult},
    keys::SecretKey,
    types::{Actor, DispositionTarget},
};

const PURPOSE: &str = "comment-tracking";

/// The secret printed on the receipt of the comment with this tracking number.
pub fn secret(keys: &SecretKey, tracking_number: &str) -> String {
    keys.code(PURPOSE, tracking_number.as_bytes())
}

/// A comment as its author follows it.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub comment: comment::Model,
    pub consultation: consultation::Model,
    pub draft: draft::Model,
    /// The size of the campaign cluster the comment was grouped in, if any.
    pub cluster_size: Option<i32>,
    /// The agency's responses that concern the comment: to it, to its cluster, or to the
    /// provision it is about.
    pub responses: Vec<disposition::Model>,
}

/// The comment with `tracking_number`, for its author (signed in) or for someone who has the
/// receipt's secret.
pub async fn track<C: ConnectionTrait>(
    conn: &C,
    keys: &SecretKey,
    actor: Option<&Actor>,
    tracking_number: &str,
    given_secret: Option<&str>,
) -> DomainResult<Tracked> {
    let number = tracking_number.trim().to_ascii_uppercase();
    let found = comment::Entity::find()
        .filter(comment::Column::TrackingNumber.eq(&number))
        .one(conn)
        .await?;
    let author = |c: &comment::Model| actor.is_some_and(|a| a.account_id.get() == c.account_id);
    let holder = given_secret.is_some_and(|s| keys.check_code(PURPOSE, number.as_bytes(), s));
    let Some(comment) = found.filter(|c| author(c) || holder) else {
        return Err(DomainError::NotFound("comment"));
    };
    let consultation = consultation::Entity::find_by_id(comment.consultation_id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("consultation"))?;
    let draft = draft::Entity::find_by_id(consultation.draft_id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("draft"))?;
    let cluster_size = match comment.cluster_id {
        Some(id) => comment_cluster::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|c| c.size)
            .filter(|size| *size > 1),
        None => None,
    };
    let mut targets = vec![(DispositionTarget::Comment, comment.id.to_string())];
    if let Some(id) = comment.cluster_id {
        targets.push((DispositionTarget::Cluster, id.to_string()));
    }
    if let Some(p) = &comment.provision_id {
        targets.push((DispositionTarget::Provision, p.clone()));
    }
    let mut responses = Vec::new();
    for (kind, id) in targets {
        responses.extend(
            disposition::Entity::find()
                .filter(disposition::Column::ConsultationId.eq(comment.consultation_id))
                .filter(disposition::Column::TargetKind.eq(kind))
                .filter(disposition::Column::TargetId.eq(id))
                .all(conn)
                .await?,
        );
    }
    Ok(Tracked {
        comment,
        consultation,
        draft,
        cluster_size,
        responses,
    })
}
