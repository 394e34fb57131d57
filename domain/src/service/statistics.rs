//! The statistics snapshot of a consultation (`statistics`), kept up to date by the
//! `aggregate_consultation` job. Adding the comments received since the snapshot's high-water
//! mark (`last_comment_id`) is exact, so the result equals a recomputation from scratch
//! (property-tested in `crate::stats`). Running twice is harmless: the second run finds nothing
//! new. On PostgreSQL a comment can commit after one with a higher id; the update then sees that
//! the snapshot's total is short of the rows below its mark and recounts. A rebuild recounts
//! every comment (after moderation changed what a counted comment contributes); since comments
//! keep their segmented words (`comments.terms`), a recount only counts.

use anyhow::Context as _;
use sea_orm::{
    EntityTrait, ExprTrait, Set,
    sea_query::{Expr, OnConflict},
};

use super::{clusters, counting};
use crate::{
    db::Db,
    entity::{consultation, statistics},
    error::DomainResult,
    ids::ConsultationId,
    stats::Statistics,
    time::now_ms,
};

/// Brings the snapshot of one consultation up to date, or recounts it when `rebuild`.
pub async fn update_snapshot(
    db: &Db,
    consultation_id: ConsultationId,
    rebuild: bool,
) -> DomainResult<()> {
    let conn = &db.conn;
    let existing = statistics::Entity::find_by_id(consultation_id.get())
        .one(conn)
        .await?;
    let version = crate::stats::terms_version();
    // A snapshot whose terms another segmentation counted is recounted, never added to.
    let rebuild = rebuild
        || existing
            .as_ref()
            .is_some_and(|row| row.terms_version.as_deref() != Some(version));
    let mut stats: Statistics = match &existing {
        Some(row) if !rebuild => serde_json::from_str(&row.data)
            .context("a stored statistics snapshot does not parse")?,
        _ => Statistics::default(),
    };
    let before = stats.last_comment_id;
    let new = counting::count_comments(conn, consultation_id, stats.last_comment_id).await?;
    stats.merge(&new);
    let rebuild = if !rebuild && counting::missed_comments(conn, consultation_id, &stats).await? {
        tracing::info!(
            consultation_id = consultation_id.get(),
            "statistics missed a comment committed late; recounting"
        );
        stats = counting::count_comments(conn, consultation_id, 0).await?;
        true
    } else {
        rebuild
    };
    if existing.is_some()
        && !rebuild
        && stats.last_comment_id == before
        && !is_closed(db, consultation_id.get()).await?
    {
        return Ok(());
    }
    let tx = db.write().await?;
    statistics::Entity::insert(statistics::ActiveModel {
        consultation_id: Set(consultation_id.get()),
        data: Set(serde_json::to_string(&stats).map_err(anyhow::Error::from)?),
        last_comment_id: Set(stats.last_comment_id),
        computed_at: Set(now_ms()),
        terms_version: Set(Some(version.to_string())),
    })
    .on_conflict(
        OnConflict::column(statistics::Column::ConsultationId)
            .update_columns([
                statistics::Column::Data,
                statistics::Column::LastCommentId,
                statistics::Column::ComputedAt,
                statistics::Column::TermsVersion,
            ])
            // Two workers may update at once: never replace a snapshot with an older one (a
            // recount replaces one of the same age).
            .action_and_where(if rebuild {
                Expr::col((statistics::Entity, statistics::Column::LastCommentId))
                    .lte(stats.last_comment_id)
            } else {
                Expr::col((statistics::Entity, statistics::Column::LastCommentId))
                    .lt(stats.last_comment_id)
            })
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    tx.commit().await?;
    if stats.total <= clusters::LIVE_LIMIT || is_closed(db, consultation_id.get()).await? {
        clusters::recompute(db, consultation_id).await?;
    }
    Ok(())
}

async fn is_closed(db: &Db, consultation_id: i64) -> DomainResult<bool> {
    Ok(consultation::Entity::find_by_id(consultation_id)
        .one(&db.conn)
        .await?
        .is_some_and(|c| c.closes_at <= now_ms()))
}
