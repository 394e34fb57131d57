//! One report of each kind per consultation, so that two workers compiling the same hearing
//! summary at once update one row instead of inserting two (the compile is an upsert on this
//! index). It replaces the plain index on the same columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PLAIN: &str = "ix_reports_consultation_id_kind";
const UNIQUE: &str = "ux_reports_consultation_kind";

fn create(name: &str, unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(name)
        .table("reports")
        .col("consultation_id")
        .col("kind");
    if unique {
        index.unique();
    }
    index.take()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table("reports").to_owned()
}

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(create(UNIQUE, true)).await?;
        manager.drop_index(drop(PLAIN)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(create(PLAIN, false)).await?;
        manager.drop_index(drop(UNIQUE)).await
    }
}
