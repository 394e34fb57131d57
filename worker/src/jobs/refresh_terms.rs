//! `refresh_terms`: re-segments, a batch at a time, the comments whose kept terms are stale
//! (made by another `stats::terms_version`, or never kept), so that recounts go back to only
//! counting after an upgrade of the dictionary or the stop words. Statistics are right
//! without it: counting segments a stale comment's body again. Safe to run twice: it writes
//! what the body gives, and carries on from an id.

use anyhow::Context as _;
use domain::{
    Context,
    entity::{comment, job},
    jobs::{JobPayload as _, RefreshTermsJob, enqueue_unique},
    stats::{comment_terms, terms_version},
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

/// Comments re-segmented per job.
pub const BATCH: u64 = 2_000;

/// Comments whose kept terms cannot be counted (see `service::counting`).
fn stale() -> Condition {
    use comment::Column as Col;
    Condition::any()
        .add(Col::Terms.is_null())
        .add(Col::TermsVersion.is_null())
        .add(Col::TermsVersion.ne(terms_version()))
}

/// Queues a refresh when some comment's terms are stale (the worker calls this as it starts).
pub async fn enqueue_if_stale(ctx: &Context) -> anyhow::Result<bool> {
    let any: Option<i64> = comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .filter(stale())
        .limit(1)
        .into_tuple()
        .one(&ctx.db.conn)
        .await?;
    if any.is_none() {
        return Ok(false);
    }
    let tx = ctx.db.write().await?;
    enqueue_unique(
        &*tx,
        &RefreshTermsJob::default(),
        RefreshTermsJob::DEDUPE_KEY,
    )
    .await?;
    tx.commit().await?;
    tracing::info!("some comments keep terms of another segmentation; refreshing them");
    Ok(true)
}

pub async fn run(ctx: &Context, batch: &[job::Model]) -> anyhow::Result<()> {
    let mut after_id = i64::MAX;
    for j in batch {
        let payload: RefreshTermsJob = serde_json::from_str(&j.payload)
            .with_context(|| format!("job {} has a bad payload", j.id))?;
        after_id = after_id.min(payload.after_id);
    }
    if after_id == i64::MAX {
        return Ok(());
    }
    refresh_batch(ctx, after_id).await
}

/// Refreshes the next stale comments after `after_id` and queues the next batch if there may
/// be more.
async fn refresh_batch(ctx: &Context, after_id: i64) -> anyhow::Result<()> {
    use comment::Column as Col;
    let rows: Vec<(i64, String)> = comment::Entity::find()
        .select_only()
        .columns([Col::Id, Col::Body])
        .filter(Col::Id.gt(after_id))
        .filter(stale())
        .order_by_asc(Col::Id)
        .limit(BATCH)
        .into_tuple()
        .all(&ctx.db.conn)
        .await?;
    let Some(&(last, _)) = rows.last() else {
        return Ok(());
    };
    let more = rows.len() as u64 == BATCH;
    let refreshed = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|(id, body)| (id, comment_terms(&body)))
            .collect::<Vec<_>>()
    })
    .await?;
    let version = terms_version();
    let tx = ctx.db.write().await?;
    for (id, terms) in refreshed {
        comment::Entity::update_many()
            .col_expr(Col::Terms, Expr::value(terms))
            .col_expr(Col::TermsVersion, Expr::value(version))
            .filter(Col::Id.eq(id))
            .exec(&*tx)
            .await?;
    }
    if more {
        let next = RefreshTermsJob { after_id: last };
        enqueue_unique(&*tx, &next, RefreshTermsJob::DEDUPE_KEY).await?;
    }
    tx.commit().await?;
    tracing::debug!(
        kind = RefreshTermsJob::KIND,
        up_to = last,
        "refreshed comment terms"
    );
    Ok(())
}
