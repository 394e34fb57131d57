//! The `impact_assessments` table: one regulatory impact assessment per draft.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "impact_assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub draft_id: i64,
    pub fields: String,
    pub body_html: Option<String>,
    pub content_hash: Option<String>,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
