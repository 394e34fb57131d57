//! One evaluation request per account and law in force (a second one from the same person is
//! refused, not counted twice).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ux_evaluation_requests_law_account")
                    .table("evaluation_requests")
                    .col("law_id")
                    .col("account_id")
                    .unique()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_evaluation_requests_law_account")
                    .table("evaluation_requests")
                    .to_owned(),
            )
            .await
    }
}
