//! Accounts for the agency workspace: an account can be deactivated (its sessions and API
//! tokens stop working at once); API tokens get a name, their last use and a revocation time,
//! so that their owner can manage them, and may be read-only; and officers are invited by e-mail to an agency
//! (`invitations`, stored as a hash of the link's secret, single use, expiring). A consultation
//! remembers the newest comment its agency marked as reviewed, so that the workspace can say
//! how many await moderation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let added: [(&str, ColumnDef); 6] = [
            ("accounts", big_integer_null("deactivated_at")),
            ("api_tokens", string("name").default("").take()),
            ("api_tokens", big_integer_null("last_used_at")),
            ("api_tokens", big_integer_null("revoked_at")),
            ("api_tokens", boolean("read_only").default(false).take()),
            (
                "consultations",
                big_integer("reviewed_up_to").default(0).take(),
            ),
        ];
        for (table, mut column) in added {
            manager
                .alter_table(Table::alter().table(table).add_column(&mut column).take())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_api_tokens_account")
                    .table("api_tokens")
                    .col("account_id")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(big_pk_auto("id"))
                    .col(string("email"))
                    .col(string("role"))
                    .col(big_integer_null("agency_id"))
                    .col(string_uniq("token_hash"))
                    .col(big_integer("invited_by"))
                    .col(big_integer("created_at"))
                    .col(big_integer("expires_at"))
                    .col(big_integer_null("accepted_at"))
                    .col(big_integer_null("account_id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invitations_email")
                    .table("invitations")
                    .col("email")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("invitations").take())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_api_tokens_account")
                    .table("api_tokens")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("consultations", "reviewed_up_to"),
            ("api_tokens", "read_only"),
            ("api_tokens", "revoked_at"),
            ("api_tokens", "last_used_at"),
            ("api_tokens", "name"),
            ("accounts", "deactivated_at"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
