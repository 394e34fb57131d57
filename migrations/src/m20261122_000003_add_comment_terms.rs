//! The distinct content words of each comment (Thai word segmentation), computed once when the
//! comment is received, so that recomputing a consultation's statistics only counts and never
//! segments again. NULL for comments stored before this migration: the worker then segments
//! their bodies as before.

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
                    .table("comments")
                    .add_column(text_null("terms"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("comments").drop_column("terms").take())
            .await
    }
}
