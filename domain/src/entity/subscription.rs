//! The `subscriptions` table: an e-mail address following an agency, a topic or a draft.
//! Confirmed by a link; the same secret (stored hashed) unsubscribes in one click.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub target_kind: crate::types::SubscriptionTarget,
    pub target: String,
    pub token_hash: String,
    pub confirmed_at: Option<i64>,
    pub created_at: i64,
    pub unsubscribe_token: Option<String>,
    /// When a confirmation mail to this subscription's address was last queued.
    pub confirmation_sent_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
