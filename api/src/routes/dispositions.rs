use chrono::{DateTime, Utc};
use domain::service::dispositions::{self, NewDisposition};
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Path, payload::Json};

use super::{Tag, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{ApiResult, Change, PublicRead},
};

/// What a disposition answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DispositionTarget {
    Comment,
    Cluster,
    Provision,
}

/// The agency's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    PartlyAccepted,
    NotAccepted,
}

fn target_str(t: DispositionTarget) -> &'static str {
    match t {
        DispositionTarget::Comment => "comment",
        DispositionTarget::Cluster => "cluster",
        DispositionTarget::Provision => "provision",
    }
}

fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Accepted => "accepted",
        Decision::PartlyAccepted => "partly_accepted",
        Decision::NotAccepted => "not_accepted",
    }
}

/// A disposition to record. Recording again for the same target replaces the earlier one,
/// until the hearing summary is published.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateDisposition {
    pub target_kind: DispositionTarget,
    /// The comment's id, the cluster's id, or the provision's stable id (such as `s5`).
    pub target_id: String,
    pub decision: Decision,
    /// Why, in words the public will read (required).
    pub reason: String,
}

/// What the agency did with a comment, a campaign cluster or a provision ("you said, we did").
#[derive(Debug, Object)]
pub struct Disposition {
    /// Stable numeric id.
    pub id: i64,
    /// The consultation.
    pub consultation_id: i64,
    /// `comment`, `cluster` or `provision`.
    pub target_kind: String,
    /// The comment's id, the cluster's id, or the provision's stable id.
    pub target_id: String,
    /// `accepted`, `partly_accepted` or `not_accepted`.
    pub decision: String,
    /// The agency's reason.
    pub reason: String,
    /// When it was recorded.
    pub decided_at: DateTime<Utc>,
}

impl From<domain::entity::disposition::Model> for Disposition {
    fn from(d: domain::entity::disposition::Model) -> Self {
        Disposition {
            id: d.id,
            consultation_id: d.consultation_id,
            target_kind: d.target_kind,
            target_id: d.target_id,
            decision: d.decision,
            reason: d.reason,
            decided_at: time(d.decided_at),
        }
    }
}

pub struct DispositionsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Consultations")]
impl DispositionsApi {
    /// Record what the agency did with a comment, a cluster or a provision (officers of the
    /// draft's agency, administrators).
    #[oai(
        path = "/consultations/:id/dispositions",
        method = "post",
        operation_id = "record_disposition"
    )]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<CreateDisposition>,
    ) -> ApiResult<Json<Disposition>, Change> {
        let b = body.0;
        let input = NewDisposition {
            target_kind: target_str(b.target_kind).into(),
            target_id: b.target_id,
            decision: decision_str(b.decision).into(),
            reason: b.reason,
        };
        Ok(Json(
            dispositions::record_disposition(&state.ctx.db, &auth.0, id.0, input)
                .await?
                .into(),
        ))
    }

    /// List the agency's dispositions on a consultation. Dispositions on private or hidden
    /// comments are not listed.
    #[oai(
        path = "/consultations/:id/dispositions",
        method = "get",
        operation_id = "list_dispositions"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Vec<Disposition>>, PublicRead> {
        let list = dispositions::list_dispositions(&state.ctx.db.conn, auth.actor(), id.0).await?;
        Ok(Json(list.into_iter().map(Disposition::from).collect()))
    }
}
