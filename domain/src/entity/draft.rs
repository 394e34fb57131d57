//! The `drafts` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drafts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: i64,
    pub title_th: String,
    pub title_en: Option<String>,
    pub law_type: crate::types::LawType,
    pub summary_th: Option<String>,
    pub summary_en: Option<String>,
    pub topics: super::json::Topics,
    pub status: crate::types::DraftStatus,
    pub current_version: Option<i32>,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
