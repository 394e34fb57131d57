//! `aggregate_consultation`: brings a consultation's statistics snapshot up to date by adding
//! the comments received since the snapshot's high-water mark (`last_comment_id`). Adding is
//! exact, so the result equals a recomputation from scratch (property-tested in `domain::stats`).
//! Running twice is harmless: the second run finds nothing new.

use anyhow::Context as _;
use domain::{
    Context,
    entity::{comment, job, statistics},
    jobs::AggregateJob,
    service::summaries,
    stats::Statistics,
    time::now_ms,
};
use sea_orm::{
    ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};

pub async fn run(ctx: &Context, batch: &[job::Model]) -> anyhow::Result<()> {
    let mut ids: Vec<i64> = Vec::new();
    for j in batch {
        let payload: AggregateJob = serde_json::from_str(&j.payload)
            .with_context(|| format!("job {} has a bad payload", j.id))?;
        if !ids.contains(&payload.consultation_id) {
            ids.push(payload.consultation_id);
        }
    }
    for id in ids {
        update(ctx, id).await?;
    }
    Ok(())
}

pub async fn update(ctx: &Context, consultation_id: i64) -> anyhow::Result<()> {
    let conn = &ctx.db.conn;
    let existing = statistics::Entity::find_by_id(consultation_id)
        .one(conn)
        .await?;
    let mut stats: Statistics = match &existing {
        Some(row) => serde_json::from_str(&row.data)
            .context("a stored statistics snapshot does not parse")?,
        None => Statistics::default(),
    };
    let before = stats.last_comment_id;
    loop {
        let rows = comment::Entity::find()
            .filter(comment::Column::ConsultationId.eq(consultation_id))
            .filter(comment::Column::Id.gt(stats.last_comment_id))
            .order_by_asc(comment::Column::Id)
            .limit(5000)
            .all(conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for c in &rows {
            stats.add(&summaries::comment_facts(c));
        }
    }
    if existing.is_some()
        && stats.last_comment_id == before
        && !is_closed(ctx, consultation_id).await?
    {
        return Ok(());
    }
    let tx = ctx.db.write().await?;
    statistics::Entity::insert(statistics::ActiveModel {
        consultation_id: Set(consultation_id),
        data: Set(serde_json::to_string(&stats)?),
        last_comment_id: Set(stats.last_comment_id),
        computed_at: Set(now_ms()),
    })
    .on_conflict(
        OnConflict::column(statistics::Column::ConsultationId)
            .update_columns([
                statistics::Column::Data,
                statistics::Column::LastCommentId,
                statistics::Column::ComputedAt,
            ])
            // Two workers may update at once: never replace a snapshot with an older one.
            .action_and_where(
                Expr::col((statistics::Entity, statistics::Column::LastCommentId))
                    .lt(stats.last_comment_id),
            )
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    tx.commit().await?;
    if stats.total <= crate::jobs::clusters::LIVE_LIMIT || is_closed(ctx, consultation_id).await? {
        crate::jobs::clusters::update(ctx, consultation_id).await?;
    }
    Ok(())
}

async fn is_closed(ctx: &Context, consultation_id: i64) -> anyhow::Result<bool> {
    Ok(
        domain::entity::consultation::Entity::find_by_id(consultation_id)
            .one(&ctx.db.conn)
            .await?
            .is_some_and(|c| c.closes_at <= now_ms()),
    )
}
