//! The `comment_clusters` table: groups of identical or near-identical comments (campaigns).
//! A cluster's id is the smallest id of its member comments, so it stays the same when the
//! clusters are computed again and dispositions recorded on it keep pointing at it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_clusters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub consultation_id: i64,
    pub size: i32,
    pub representative_text: String,
    pub computed_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
