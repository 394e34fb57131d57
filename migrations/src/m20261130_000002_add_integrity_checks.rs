//! The results of `rabfang audit verify` (and of the worker's daily run of it): when it ran, who
//! or what ran it, whether the audit chain and the published documents' hashes held, and, if
//! not, what broke first. One row per run; the administrators' job list shows the latest.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("integrity_checks")
                    .col(big_pk_auto("id"))
                    .col(big_integer("started_at"))
                    .col(big_integer("finished_at"))
                    .col(string("checked_by"))
                    .col(boolean("ok"))
                    .col(big_integer("events_verified"))
                    .col(big_integer("broken_events"))
                    .col(big_integer("documents_checked"))
                    .col(text_null("first_problem"))
                    .col(text("problems"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_integrity_checks_started_at")
                    .table("integrity_checks")
                    .col("started_at")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("integrity_checks").take())
            .await
    }
}
