//! The `reports` table: a consultation's hearing summary (สรุปผลการรับฟังความคิดเห็น), compiled
//! by the worker and then published (immutable, with its content hash).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consultation_id: i64,
    pub kind: String,
    pub statistics: String,
    pub body_markdown: Option<String>,
    pub body_html: Option<String>,
    pub content_hash: Option<String>,
    pub computed_at: i64,
    pub published_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
