//! The `integrity_checks` table: one row per run of the integrity verification
//! (`service::integrity`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrity_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub started_at: i64,
    pub finished_at: i64,
    /// Who or what ran it: `command line`, `worker (daily)`, `worker, asked by account 7`.
    pub checked_by: String,
    pub ok: bool,
    pub events_verified: i64,
    pub broken_events: i64,
    pub documents_checked: i64,
    /// The first thing found broken, as a sentence.
    pub first_problem: Option<String>,
    /// Every problem found (up to a limit), as a JSON array of `integrity::Problem`.
    pub problems: super::json::Problems,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
