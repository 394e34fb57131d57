//! The `laws_in_force` table: enacted laws and when their ex-post evaluation falls due.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "laws_in_force")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: i64,
    pub draft_id: Option<i64>,
    pub title_th: String,
    pub title_en: Option<String>,
    pub law_type: crate::types::LawType,
    pub in_force_since: i64,
    pub evaluation_due_at: i64,
    pub last_evaluated_at: Option<i64>,
    pub evaluation_reminded_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
