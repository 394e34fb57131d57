//! `consultation_event`: a consultation opened, is closing in 3 days, or closed. Refreshes the
//! search documents whose status changed and brings statistics and clusters up to date; mail to
//! subscribers is sent by the `notify` step once mail is configured (see `notify.rs`).

use anyhow::Context as _;
use domain::{
    Context,
    entity::{comment, consultation, job},
    jobs::{self, AggregateJob, ConsultationEvent, ConsultationEventJob},
    search::indexing::{self, IndexTarget},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn run(ctx: &Context, batch: &[job::Model]) -> anyhow::Result<()> {
    for j in batch {
        let payload: ConsultationEventJob = serde_json::from_str(&j.payload)
            .with_context(|| format!("job {} has a bad payload", j.id))?;
        handle(ctx, &payload).await?;
    }
    Ok(())
}

async fn handle(ctx: &Context, job: &ConsultationEventJob) -> anyhow::Result<()> {
    let Some(c) = consultation::Entity::find_by_id(job.consultation_id)
        .one(&ctx.db.conn)
        .await?
    else {
        return Ok(());
    };
    if matches!(
        job.event,
        ConsultationEvent::Opened | ConsultationEvent::Closed
    ) {
        reindex_consultation(ctx, &c).await?;
    }
    if job.event == ConsultationEvent::Closed {
        // The final statistics are a full recount, not an update: with several API processes
        // on PostgreSQL, a comment can commit after one with a higher id was counted, and the
        // high-water mark of the live updates would step over it.
        let tx = ctx.db.write().await?;
        let aggregate = AggregateJob::rebuild(c.id);
        jobs::enqueue_unique(&*tx, &aggregate, &aggregate.dedupe_key()).await?;
        tx.commit().await?;
    }
    crate::jobs::notify::consultation_event(ctx, &c, job.event).await
}

/// The consultation, its draft and its comments carry the consultation's status in the index.
async fn reindex_consultation(ctx: &Context, c: &consultation::Model) -> anyhow::Result<()> {
    let index = ctx.search.as_ref();
    indexing::apply(
        &ctx.db.conn,
        index,
        &[
            IndexTarget::Consultation(c.id),
            IndexTarget::Draft(c.draft_id),
        ],
    )
    .await?;
    let mut after = 0;
    loop {
        let ids: Vec<i64> = comment::Entity::find()
            .select_only()
            .column(comment::Column::Id)
            .filter(comment::Column::ConsultationId.eq(c.id))
            .filter(comment::Column::Id.gt(after))
            .order_by_asc(comment::Column::Id)
            .limit(2000)
            .into_tuple()
            .all(&ctx.db.conn)
            .await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let targets: Vec<IndexTarget> = ids.into_iter().map(IndexTarget::Comment).collect();
        indexing::apply(&ctx.db.conn, index, &targets).await?;
    }
    Ok(())
}
