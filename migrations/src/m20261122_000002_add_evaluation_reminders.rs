//! When the worker raised the ex-post evaluation reminder of a law in force (s.34: laws are
//! evaluated at least every five years).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("laws_in_force")
                    .add_column(big_integer_null("evaluation_reminded_at"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("laws_in_force")
                    .drop_column("evaluation_reminded_at")
                    .take(),
            )
            .await
    }
}
