//! Which word segmentation produced a comment's kept terms, and a statistics snapshot's counts
//! (`stats::terms_version`). Terms kept by another version (an upgraded dictionary, changed
//! stop words) are not counted as kept: the body is segmented again, a snapshot of another
//! version is recounted, and the worker refreshes the stale terms. NULL for rows written before
//! this migration, which therefore count as another version.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["comments", "statistics"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_null("terms_version"))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["comments", "statistics"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column("terms_version")
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
