//! The `statistics` table: the latest statistics snapshot of each consultation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statistics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consultation_id: i64,
    pub data: String,
    pub last_comment_id: i64,
    pub computed_at: i64,
    /// The `stats::terms_version` the term counts were made with; a snapshot of another
    /// version is recounted rather than added to.
    pub terms_version: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
