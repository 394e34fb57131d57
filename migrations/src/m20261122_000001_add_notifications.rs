//! What the worker needs to act once and only once: when each consultation's opening, closing
//! reminder and closing were handled, a record of every mail delivery (unique per message), and
//! whether a commenter asked to hear about the hearing summary; one disposition per target. SQLite takes one change per
//! ALTER statement, so each column is added on its own.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CONSULTATION_COLUMNS: &[&str] = &[
    "opened_processed_at",
    "closing_reminded_at",
    "closed_processed_at",
];

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in CONSULTATION_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table("consultations")
                        .add_column(big_integer_null(*col))
                        .take(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("comments")
                    .add_column(boolean("notify").default(false))
                    .take(),
            )
            .await?;
        // Low-value secret in every notice's one-click unsubscribe link; the confirmation
        // secret stays hashed in `token_hash`.
        manager
            .alter_table(
                Table::alter()
                    .table("subscriptions")
                    .add_column(string_null("unsubscribe_token"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("deliveries")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("message_key"))
                    .col(string("kind"))
                    .col(string("recipient"))
                    .col(string("state"))
                    .col(text_null("last_error"))
                    .col(big_integer("created_at"))
                    .col(big_integer_null("sent_at"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("statistics")
                    .if_not_exists()
                    .col(big_integer("consultation_id").primary_key())
                    .col(text("data"))
                    .col(big_integer("last_comment_id"))
                    .col(big_integer("computed_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dispositions_target")
                    .table("dispositions")
                    .col("consultation_id")
                    .col("target_kind")
                    .col("target_id")
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_dispositions_target")
                    .table("dispositions")
                    .to_owned(),
            )
            .await?;
        for table in ["statistics", "deliveries"] {
            manager
                .drop_table(Table::drop().table(table).if_exists().take())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("subscriptions")
                    .drop_column("unsubscribe_token")
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("comments")
                    .drop_column("notify")
                    .take(),
            )
            .await?;
        for col in CONSULTATION_COLUMNS.iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table("consultations")
                        .drop_column(*col)
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
