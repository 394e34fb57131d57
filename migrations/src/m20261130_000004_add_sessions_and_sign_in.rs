//! Sign-in for the site: identities at OpenID Connect providers (ThaID: the provider's subject
//! identifier only, never a national ID number), one-time e-mail links (`sign_in_links`, stored as a hash of their
//! secret, single use, short-lived) and server-side sessions (`sessions`, keyed by a hash of the
//! cookie's value, so that several `serve` processes share them and a stolen database holds no
//! usable cookie). Comments gain the moderator's reason in words, which their author may read
//! on the tracking page.

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
                    .table("sign_in_links")
                    .col(big_pk_auto("id"))
                    .col(string("email"))
                    .col(string_uniq("token_hash"))
                    .col(string("next_path"))
                    .col(string("lang"))
                    .col(string("client_hash"))
                    .col(big_integer("created_at"))
                    .col(big_integer("expires_at"))
                    .col(big_integer_null("used_at"))
                    .take(),
            )
            .await?;
        for (name, col) in [
            ("ix_sign_in_links_email", "email"),
            ("ix_sign_in_links_client", "client_hash"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("sign_in_links")
                        .col(col)
                        .col("created_at")
                        .take(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("id_hash"))
                    .col(big_integer("account_id"))
                    .col(big_integer("created_at"))
                    .col(big_integer("last_seen_at"))
                    .col(big_integer("expires_at"))
                    .col(big_integer_null("ended_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_account")
                    .table("sessions")
                    .col("account_id")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("identities")
                    .col(big_pk_auto("id"))
                    .col(string("issuer"))
                    .col(string("subject"))
                    .col(big_integer("account_id"))
                    .col(big_integer("created_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_identities_issuer_subject")
                    .table("identities")
                    .col("issuer")
                    .col("subject")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("comments")
                    .add_column(text_null("moderation_reason"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("comments")
                    .drop_column("moderation_reason")
                    .take(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("identities").take())
            .await?;
        manager
            .drop_table(Table::drop().table("sessions").take())
            .await?;
        manager
            .drop_table(Table::drop().table("sign_in_links").take())
            .await
    }
}
