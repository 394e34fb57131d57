//! A change counter for authentication: one row whose `generation` goes up by one in the same
//! transaction as every change to what an API token stands for (a token revoked, an account
//! deactivated or reactivated, given another role or agency). Each `serve` process caches
//! authenticated tokens and reads this one integer to know when its cache is out of date
//! (`domain/src/token_cache.rs`), so that several processes sharing the database agree.

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
                    .table("auth_generation")
                    .col(integer("id").primary_key())
                    .col(big_integer("generation"))
                    .take(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("auth_generation")
                    .columns(["id", "generation"])
                    .values_panic([1.into(), 0i64.into()])
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("auth_generation").take())
            .await
    }
}
