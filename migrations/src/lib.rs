//! Rabfang's schema, as an ordered list of migrations.
//!
//! Migrations never import entities: each one states the schema as it was at that point, so
//! later changes to the entities cannot rewrite history. SQLite allows one change per ALTER
//! statement, so later migrations issue one statement per change.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_core_schema;
mod m20261122_000001_add_notifications;
mod m20261122_000002_add_evaluation_reminders;
mod m20261122_000003_add_comment_terms;
mod m20261122_000004_unique_evaluation_requests;
mod m20261122_000005_add_terms_version;
mod m20261122_000006_unique_reports;
mod m20261130_000001_add_confirmation_sent_at;
mod m20261130_000002_add_integrity_checks;
mod m20261130_000003_add_consultation_announced_at;
mod m20261130_000004_add_sessions_and_sign_in;
mod m20261130_000005_add_workspace_accounts;
mod m20261201_000001_add_auth_generation;
mod m20261201_000002_index_audit_events_by_time;

/// Applies and rolls back the schema, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_core_schema::Migration),
            Box::new(m20261122_000001_add_notifications::Migration),
            Box::new(m20261122_000002_add_evaluation_reminders::Migration),
            Box::new(m20261122_000003_add_comment_terms::Migration),
            Box::new(m20261122_000004_unique_evaluation_requests::Migration),
            Box::new(m20261122_000005_add_terms_version::Migration),
            Box::new(m20261122_000006_unique_reports::Migration),
            Box::new(m20261130_000001_add_confirmation_sent_at::Migration),
            Box::new(m20261130_000002_add_integrity_checks::Migration),
            Box::new(m20261130_000003_add_consultation_announced_at::Migration),
            Box::new(m20261130_000004_add_sessions_and_sign_in::Migration),
            Box::new(m20261130_000005_add_workspace_accounts::Migration),
            Box::new(m20261201_000001_add_auth_generation::Migration),
            Box::new(m20261201_000002_index_audit_events_by_time::Migration),
        ]
    }
}
