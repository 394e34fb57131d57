//! The core schema: agencies, accounts, drafts and versions, consultations, comments, the
//! outbox of jobs, idempotency keys, the audit chain, and the tables later capabilities fill
//! (dispositions, reports, impact assessments, laws in force, subscriptions).
//!
//! Times are stored as milliseconds since the Unix epoch in BIGINT columns: the same integer
//! compares correctly on SQLite and PostgreSQL, where SQLite's text timestamps do not.

use sea_orm_migration::{prelude::*, schema::*};

/// The `prev_hash` of the first audit event: SHA-256 of the empty string.
const GENESIS_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    stmt.take()
}

/// Tables in creation order; rollback drops them in reverse.
const TABLES: &[&str] = &[
    "agencies",
    "accounts",
    "api_tokens",
    "drafts",
    "draft_versions",
    "consultations",
    "comments",
    "comment_clusters",
    "dispositions",
    "reports",
    "impact_assessments",
    "laws_in_force",
    "evaluation_requests",
    "subscriptions",
    "idempotency_keys",
    "audit_events",
    "audit_chain_head",
    "jobs",
];

// async_trait's expansion needs the elided lifetime of SchemaManager.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            Table::create()
                .table("agencies")
                .col(big_pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name_th"))
                .col(string_null("name_en"))
                .col(string_null("parent_ministry_th"))
                .col(string_null("parent_ministry_en"))
                .col(big_integer("created_at"))
                .take(),
            Table::create()
                .table("accounts")
                .col(big_pk_auto("id"))
                .col(string_uniq("email"))
                .col(string("display_name"))
                .col(string("role"))
                .col(big_integer_null("agency_id"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("accounts", "agency_id", "agencies"))
                .take(),
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(string_uniq("token_hash"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("api_tokens", "account_id", "accounts"))
                .take(),
            Table::create()
                .table("drafts")
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(string("title_th"))
                .col(string_null("title_en"))
                .col(string("law_type"))
                .col(text_null("summary_th"))
                .col(text_null("summary_en"))
                .col(text("topics"))
                .col(string("status"))
                .col(integer_null("current_version"))
                .col(big_integer_null("published_at"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(&mut fk("drafts", "agency_id", "agencies"))
                .take(),
            Table::create()
                .table("draft_versions")
                .col(big_pk_auto("id"))
                .col(big_integer("draft_id"))
                .col(integer("number"))
                .col(text("body_markdown"))
                .col(text("body_html"))
                .col(text("provisions"))
                .col(text_null("changelog"))
                .col(big_integer("published_at"))
                .foreign_key(&mut fk("draft_versions", "draft_id", "drafts"))
                .take(),
            Table::create()
                .table("consultations")
                .col(big_pk_auto("id"))
                .col(big_integer("draft_id"))
                .col(integer("version_number"))
                .col(string("kind"))
                .col(big_integer("opens_at"))
                .col(big_integer("closes_at"))
                .col(text_null("short_period_reason"))
                .col(text("questions"))
                .col(text("invited_stakeholders"))
                .col(big_integer_null("summary_published_at"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("consultations", "draft_id", "drafts"))
                .take(),
            Table::create()
                .table("comments")
                .col(big_pk_auto("id"))
                .col(big_integer("consultation_id"))
                .col(big_integer("account_id"))
                .col(string_null("provision_id"))
                .col(string("stance"))
                .col(text("body"))
                .col(text("answers"))
                .col(string("respondent_type"))
                .col(string_null("organisation_name"))
                .col(string_null("province"))
                .col(string("publication"))
                .col(string("moderation_status"))
                .col(string("channel"))
                .col(string_uniq("tracking_number"))
                .col(big_integer("received_at"))
                .col(string("content_hash"))
                .col(big_integer_null("cluster_id"))
                .foreign_key(&mut fk("comments", "consultation_id", "consultations"))
                .foreign_key(&mut fk("comments", "account_id", "accounts"))
                .take(),
            Table::create()
                .table("comment_clusters")
                .col(big_pk_auto("id"))
                .col(big_integer("consultation_id"))
                .col(integer("size"))
                .col(text("representative_text"))
                .col(big_integer("computed_at"))
                .foreign_key(&mut fk(
                    "comment_clusters",
                    "consultation_id",
                    "consultations",
                ))
                .take(),
            Table::create()
                .table("dispositions")
                .col(big_pk_auto("id"))
                .col(big_integer("consultation_id"))
                .col(string("target_kind"))
                .col(string("target_id"))
                .col(string("decision"))
                .col(text("reason"))
                .col(big_integer("decided_by"))
                .col(big_integer("decided_at"))
                .foreign_key(&mut fk("dispositions", "consultation_id", "consultations"))
                .take(),
            Table::create()
                .table("reports")
                .col(big_pk_auto("id"))
                .col(big_integer("consultation_id"))
                .col(string("kind"))
                .col(text("statistics"))
                .col(text_null("body_markdown"))
                .col(text_null("body_html"))
                .col(string_null("content_hash"))
                .col(big_integer("computed_at"))
                .col(big_integer_null("published_at"))
                .foreign_key(&mut fk("reports", "consultation_id", "consultations"))
                .take(),
            Table::create()
                .table("impact_assessments")
                .col(big_pk_auto("id"))
                .col(big_integer("draft_id"))
                .col(text("fields"))
                .col(text_null("body_html"))
                .col(string_null("content_hash"))
                .col(big_integer("updated_at"))
                .col(big_integer_null("published_at"))
                .foreign_key(&mut fk("impact_assessments", "draft_id", "drafts"))
                .take(),
            Table::create()
                .table("laws_in_force")
                .col(big_pk_auto("id"))
                .col(big_integer("agency_id"))
                .col(big_integer_null("draft_id"))
                .col(string("title_th"))
                .col(string_null("title_en"))
                .col(string("law_type"))
                .col(big_integer("in_force_since"))
                .col(big_integer("evaluation_due_at"))
                .col(big_integer_null("last_evaluated_at"))
                .foreign_key(&mut fk("laws_in_force", "agency_id", "agencies"))
                .take(),
            Table::create()
                .table("evaluation_requests")
                .col(big_pk_auto("id"))
                .col(big_integer("law_id"))
                .col(big_integer("account_id"))
                .col(text("reason"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("evaluation_requests", "law_id", "laws_in_force"))
                .take(),
            Table::create()
                .table("subscriptions")
                .col(big_pk_auto("id"))
                .col(string("email"))
                .col(string("target_kind"))
                .col(string("target"))
                .col(string_uniq("token_hash"))
                .col(big_integer_null("confirmed_at"))
                .col(big_integer("created_at"))
                .take(),
            Table::create()
                .table("idempotency_keys")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(string("key"))
                .col(string("request_hash"))
                .col(integer("response_status"))
                .col(text("response_body"))
                .col(big_integer("created_at"))
                .take(),
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(big_integer_null("actor_account_id"))
                .col(string("action"))
                .col(string("entity_type"))
                .col(string("entity_id"))
                .col(string_null("before_hash"))
                .col(string_null("after_hash"))
                .col(string("prev_hash"))
                .col(string_uniq("hash"))
                .col(big_integer("created_at"))
                .take(),
            Table::create()
                .table("audit_chain_head")
                .col(integer("id").primary_key())
                .col(string("last_hash"))
                .col(big_integer("length"))
                .take(),
            Table::create()
                .table("jobs")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(text("payload"))
                .col(string_null("dedupe_key"))
                .col(integer("priority"))
                .col(string("state"))
                .col(big_integer("run_at"))
                .col(integer("attempts"))
                .col(integer("max_attempts"))
                .col(string_null("lease_owner"))
                .col(big_integer_null("lease_expires_at"))
                .col(text_null("last_error"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .take(),
        ];
        for mut table in tables {
            manager.create_table(table.if_not_exists().take()).await?;
        }
        let indexes = [
            index("accounts", &["agency_id"], false),
            index("api_tokens", &["account_id"], false),
            index("drafts", &["agency_id"], false),
            index("drafts", &["status"], false),
            index("draft_versions", &["draft_id", "number"], true),
            index("consultations", &["draft_id"], false),
            index("consultations", &["closes_at"], false),
            index("comments", &["consultation_id", "id"], false),
            index("comments", &["account_id"], false),
            index("comment_clusters", &["consultation_id"], false),
            index("dispositions", &["consultation_id"], false),
            index("reports", &["consultation_id", "kind"], false),
            index("impact_assessments", &["draft_id"], true),
            index("subscriptions", &["email", "target_kind", "target"], true),
            index("idempotency_keys", &["account_id", "key"], true),
            index("audit_events", &["entity_type", "entity_id"], false),
            index("jobs", &["state", "run_at"], false),
            index("jobs", &["dedupe_key"], false),
        ];
        for mut ix in indexes {
            manager.create_index(ix.if_not_exists().take()).await?;
        }
        // The audit chain starts from a fixed genesis hash; appending locks this one row, which
        // serialises appends across processes on PostgreSQL.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("audit_chain_head")
                    .columns(["id", "last_hash", "length"])
                    .values_panic([1.into(), GENESIS_HASH.into(), 0i64.into()])
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(*table).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
