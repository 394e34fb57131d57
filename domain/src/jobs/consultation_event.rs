//! `consultation_event`: a consultation opened, is closing in 3 days, or closed. Refreshes the
//! search documents whose status changed, queues the final recount and the hearing's export when it closed, and queues
//! the notices to its followers (`service::notices`).

use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use super::{AggregateJob, BackgroundJob, ConsultationEvent};
use crate::{
    Context,
    entity::consultation,
    service::{indexing, notices},
};

/// `consultation_event`: refresh what depends on the consultation's status and notify
/// subscribers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsultationEventJob {
    pub consultation_id: i64,
    pub event: ConsultationEvent,
}

impl BackgroundJob for ConsultationEventJob {
    const KIND: &'static str = "consultation_event";

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        for job in batch {
            let Some(c) = consultation::Entity::find_by_id(job.consultation_id)
                .one(&ctx.db.conn)
                .await?
            else {
                continue;
            };
            if matches!(
                job.event,
                ConsultationEvent::Opened | ConsultationEvent::Closed
            ) {
                indexing::apply_consultation(&ctx.db.conn, ctx.search.as_ref(), &c).await?;
            }
            if job.event == ConsultationEvent::Closed {
                // The final statistics are a full recount, not an update: with several API
                // processes on PostgreSQL, a comment can commit after one with a higher id was
                // counted, and the high-water mark of the live updates would step over it.
                let tx = ctx.db.write().await?;
                super::enqueue(&*tx, &AggregateJob::rebuild(c.id)).await?;
                // The hearing's own export, after the recount (a lower priority runs later).
                super::enqueue(
                    &*tx,
                    &super::ExportJob::consultation(crate::ids::ConsultationId(c.id)),
                )
                .await?;
                tx.commit().await?;
            }
            notices::notify_followers(&ctx.db, &c, job.event).await?;
        }
        Ok(())
    }
}
