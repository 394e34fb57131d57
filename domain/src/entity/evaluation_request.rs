//! The `evaluation_requests` table: reasoned public requests to evaluate a law in force before
//! its five years are up (s.34). The requesting account is private.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub law_id: i64,
    pub account_id: i64,
    pub reason: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
