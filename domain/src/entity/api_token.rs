//! The `api_tokens` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub token_hash: String,
    pub created_at: i64,
    /// The owner's name for the token ("laptop", "research scripts"); empty for tokens made
    /// by `rabfang user create`.
    pub name: String,
    /// The last request made with the token (written at most once a minute).
    pub last_used_at: Option<i64>,
    /// Set when the owner (or an administrator) revokes the token; it stops working at once.
    pub revoked_at: Option<i64>,
    /// A read-only token reads what its owner may read and changes nothing.
    pub read_only: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
