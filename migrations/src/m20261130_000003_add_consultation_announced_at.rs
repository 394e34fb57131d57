//! When a consultation's dates were announced: set when it is created and again when its dates
//! change before it opens. The hearing summary states it beside the dates (s.14 wants announced
//! dates), so a hearing cannot be dated after the fact without it showing. Existing rows take
//! their creation time.

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
                    .table("consultations")
                    .add_column(big_integer_null("announced_at"))
                    .take(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE consultations SET announced_at = created_at WHERE announced_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("consultations")
                    .drop_column("announced_at")
                    .take(),
            )
            .await
    }
}
