//! The `comments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consultation_id: i64,
    pub account_id: i64,
    pub provision_id: Option<String>,
    pub stance: crate::types::Stance,
    pub body: String,
    pub answers: super::json::Answers,
    pub respondent_type: crate::types::RespondentType,
    pub organisation_name: Option<String>,
    pub province: Option<String>,
    pub publication: crate::types::Publication,
    pub moderation_status: crate::types::ModerationStatus,
    pub channel: crate::types::Channel,
    pub tracking_number: String,
    pub received_at: i64,
    pub content_hash: String,
    pub cluster_id: Option<i64>,
    pub notify: bool,
    /// The body's distinct content words, one per line (`stats::comment_terms`); NULL for
    /// comments stored before terms were kept.
    pub terms: Option<String>,
    /// The `stats::terms_version` that produced `terms`; terms of another version are not
    /// counted as kept.
    pub terms_version: Option<String>,
    /// The moderator's reason for the last moderation decision, shown to the comment's author
    /// on the tracking page (never in public answers).
    pub moderation_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
