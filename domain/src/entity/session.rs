//! The `sessions` table: the site's signed-in sessions, keyed by a hash of the cookie's value.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub id_hash: String,
    pub account_id: i64,
    pub created_at: i64,
    /// Last request seen (updated at most once a minute); idle expiry counts from here.
    pub last_seen_at: i64,
    /// Absolute expiry, however active the session is.
    pub expires_at: i64,
    /// Set by signing out (or by an administrator); the session is over from then on.
    pub ended_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
