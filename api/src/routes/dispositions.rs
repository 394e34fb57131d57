use chrono::{DateTime, Utc};
use domain::{
    ids::ConsultationId,
    service::dispositions::{self, NewDisposition},
};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
};

use super::{Decision, DispositionTarget, Tag, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{ApiResult, Change, PublicReadQuery},
    json::Json,
};

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
#[derive(Debug, Object, serde::Serialize)]
pub struct Disposition {
    /// Stable numeric id.
    pub id: i64,
    /// The consultation.
    pub consultation_id: i64,
    pub target_kind: DispositionTarget,
    /// The comment's id, the cluster's id, or the provision's stable id.
    pub target_id: String,
    pub decision: Decision,
    /// The agency's reason.
    pub reason: String,
    /// When it was recorded.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub decided_at: DateTime<Utc>,
}

impl From<domain::entity::disposition::Model> for Disposition {
    fn from(d: domain::entity::disposition::Model) -> Self {
        Disposition {
            id: d.id,
            consultation_id: d.consultation_id,
            target_kind: d.target_kind.into(),
            target_id: d.target_id,
            decision: d.decision.into(),
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
            target_kind: b.target_kind.into(),
            target_id: b.target_id,
            decision: b.decision.into(),
            reason: b.reason,
        };
        Ok(Json(
            dispositions::record_disposition(&state.ctx.db, &auth.0, ConsultationId(id.0), input)
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
        /// Only dispositions recorded (or recorded again) at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
    ) -> ApiResult<Json<Vec<Disposition>>, PublicReadQuery> {
        let list =
            dispositions::list_dispositions(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0))
                .await?;
        let since = super::since(updated_since.0).unwrap_or(i64::MIN);
        Ok(Json(
            list.into_iter()
                .filter(|d| d.decided_at >= since)
                .map(Disposition::from)
                .collect(),
        ))
    }
}
