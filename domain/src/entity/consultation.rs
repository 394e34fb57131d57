//! The `consultations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub draft_id: i64,
    pub version_number: i32,
    pub kind: crate::types::ConsultationKind,
    pub opens_at: i64,
    pub closes_at: i64,
    pub short_period_reason: Option<String>,
    pub questions: super::json::Questions,
    pub invited_stakeholders: super::json::Stakeholders,
    pub summary_published_at: Option<i64>,
    pub created_at: i64,
    pub opened_processed_at: Option<i64>,
    pub closing_reminded_at: Option<i64>,
    pub closed_processed_at: Option<i64>,
    /// When the current dates were announced (creation, or the last change before opening);
    /// NULL only in a row written by an older version before its migration ran.
    pub announced_at: Option<i64>,
    /// The newest comment id the agency marked as reviewed in its moderation queue; comments
    /// after it await moderation.
    pub reviewed_up_to: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
