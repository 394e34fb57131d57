//! The `sign_in_links` table: one-time e-mail sign-in links. Only a hash of the link's secret is
//! stored; the secret exists in clear only in the mail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The address the link was sent to (lower-cased).
    pub email: String,
    pub token_hash: String,
    /// The site path to return to after signing in (always a local path).
    pub next_path: String,
    /// The language of the page that asked for the link (`th`, `en`).
    pub lang: String,
    /// A keyed hash of the requesting client's address, for the per-client limit.
    pub client_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
