//! What an agency has to do, for the workspace's dashboard: its drafts by status, its
//! consultations open now (closing soonest first), the comments they received in the last
//! week, hearing summaries still to publish, impact assessments still to write, and laws in
//! force whose evaluation falls due within [`EVALUATION_HORIZON_MS`]. An officer sees their
//! own agency; an administrator sees every agency, or one.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::{
    consultations::{self, ConsultationView},
    drafts::{self, DraftView},
};
use crate::{
    entity::{comment, consultation, draft, impact_assessment, law_in_force},
    error::DomainResult,
    time::now_ms,
    types::{Actor, ConsultationStatus, DraftStatus, Role},
};

/// Laws whose evaluation falls due within this are listed.
pub const EVALUATION_HORIZON_MS: i64 = 180 * 24 * 60 * 60 * 1000;
/// Comments received within this are counted as new.
pub const RECENT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// A consultation on the dashboard, with its comment counts.
pub struct OpenConsultation {
    pub view: ConsultationView,
    pub comments: u64,
    pub recent_comments: u64,
    /// Comments after the newest one the agency marked as reviewed.
    pub awaiting_review: u64,
}

pub struct Dashboard {
    pub drafts: Vec<DraftView>,
    pub open: Vec<OpenConsultation>,
    /// Consultations closed whose hearing summary is not published yet.
    pub summaries_due: Vec<ConsultationView>,
    /// Drafts consulted (or in consultation) without a published impact assessment.
    pub assessments_due: Vec<DraftView>,
    pub laws_due: Vec<law_in_force::Model>,
}

impl Dashboard {
    /// The agency's drafts with `status`.
    pub fn drafts_with(&self, status: DraftStatus) -> Vec<&DraftView> {
        self.drafts.iter().filter(|d| d.status == status).collect()
    }
}

/// The dashboard of `actor`'s agency (an administrator: of `agency_id`, or of all agencies).
pub async fn dashboard<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    agency_id: Option<i64>,
) -> DomainResult<Dashboard> {
    let agency = match actor.role {
        Role::Admin => agency_id,
        _ => Some(actor.agency_id.map_or(-1, |a| a.get())),
    };
    let now = now_ms();
    let mut draft_query = draft::Entity::find().order_by_desc(draft::Column::UpdatedAt);
    if let Some(a) = agency {
        draft_query = draft_query.filter(draft::Column::AgencyId.eq(a));
    }
    let draft_rows = draft_query.all(conn).await?;
    let draft_ids: Vec<i64> = draft_rows.iter().map(|d| d.id).collect();
    let drafts = drafts::views(conn, draft_rows).await?;
    let consultation_rows = consultation::Entity::find()
        .filter(consultation::Column::DraftId.is_in(draft_ids))
        .order_by_asc(consultation::Column::ClosesAt)
        .all(conn)
        .await?;
    let consultations = consultations::views(conn, consultation_rows).await?;
    let mut open = Vec::new();
    let mut summaries_due = Vec::new();
    for view in consultations {
        match view.status {
            ConsultationStatus::Open => {
                let of_this = || {
                    comment::Entity::find()
                        .filter(comment::Column::ConsultationId.eq(view.consultation.id))
                };
                let comments = of_this().count(conn).await?;
                let recent_comments = of_this()
                    .filter(comment::Column::ReceivedAt.gt(now - RECENT_MS))
                    .count(conn)
                    .await?;
                let awaiting_review = of_this()
                    .filter(comment::Column::Id.gt(view.consultation.reviewed_up_to))
                    .count(conn)
                    .await?;
                open.push(OpenConsultation {
                    view,
                    comments,
                    recent_comments,
                    awaiting_review,
                });
            }
            ConsultationStatus::Closed => summaries_due.push(view),
            _ => {}
        }
    }
    let consulted: Vec<&DraftView> = drafts
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DraftStatus::Consulted | DraftStatus::InConsultation
            )
        })
        .collect();
    let published_assessments: std::collections::HashSet<i64> = impact_assessment::Entity::find()
        .filter(impact_assessment::Column::DraftId.is_in(consulted.iter().map(|d| d.draft.id)))
        .filter(impact_assessment::Column::PublishedAt.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.draft_id)
        .collect();
    let assessments_due = consulted
        .into_iter()
        .filter(|d| !published_assessments.contains(&d.draft.id))
        .cloned()
        .collect();
    let mut laws = law_in_force::Entity::find()
        .filter(law_in_force::Column::EvaluationDueAt.lte(now + EVALUATION_HORIZON_MS))
        .order_by_asc(law_in_force::Column::EvaluationDueAt);
    if let Some(a) = agency {
        laws = laws.filter(law_in_force::Column::AgencyId.eq(a));
    }
    Ok(Dashboard {
        drafts,
        open,
        summaries_due,
        assessments_due,
        laws_due: laws.all(conn).await?,
    })
}

/// A law in force of the agency, with how many people asked for its early evaluation.
pub struct AgencyLaw {
    pub law: law_in_force::Model,
    pub requests: u64,
}

/// The laws in force of `actor`'s agency (an administrator: of every agency), evaluation due
/// soonest first.
pub async fn laws<C: ConnectionTrait>(conn: &C, actor: &Actor) -> DomainResult<Vec<AgencyLaw>> {
    let mut query =
        law_in_force::Entity::find().order_by_asc(law_in_force::Column::EvaluationDueAt);
    if actor.role != Role::Admin {
        query = query
            .filter(law_in_force::Column::AgencyId.eq(actor.agency_id.map_or(-1, |a| a.get())));
    }
    let rows = query.all(conn).await?;
    let ids: Vec<i64> = rows.iter().map(|l| l.id).collect();
    let counts = super::laws::request_counts(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|law| AgencyLaw {
            requests: counts.get(&law.id).copied().unwrap_or(0),
            law,
        })
        .collect())
}
