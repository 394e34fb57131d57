//! The `dispositions` table: what the agency did with a comment, a cluster or a provision.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dispositions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consultation_id: i64,
    pub target_kind: crate::types::DispositionTarget,
    pub target_id: String,
    pub decision: crate::types::Decision,
    pub reason: String,
    pub decided_by: i64,
    pub decided_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
