//! The scheduler: finds consultations that have just opened, are about to close (3 days
//! before) or have just closed, and enqueues one `consultation_event` job for each moment.
//! Each moment is claimed with a conditional UPDATE of its `*_processed_at` column in the same
//! transaction as the job, so however many workers run the scheduler, each event is enqueued
//! exactly once. It also raises the five-yearly evaluation reminders of laws in force, and
//! queues the daily integrity verification (`verify_integrity`) and the daily site-wide export
//! (`export`), which it does not count.

use domain::{
    Context,
    entity::consultation,
    jobs::{self, ConsultationEvent, ConsultationEventJob},
    time::{DAY_MS, now_ms},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};

/// How long before closing the "closes in 3 days" reminder goes out.
pub const REMINDER_BEFORE_MS: i64 = 3 * DAY_MS;

/// Enqueues the consultation events that are due; returns how many.
pub async fn tick(ctx: &Context) -> anyhow::Result<usize> {
    let now = now_ms();
    let mut enqueued = 0;
    let due: [(ConsultationEvent, consultation::Column, sea_orm::Condition); 3] = [
        (
            ConsultationEvent::Opened,
            consultation::Column::OpenedProcessedAt,
            sea_orm::Condition::all()
                .add(consultation::Column::OpenedProcessedAt.is_null())
                .add(consultation::Column::OpensAt.lte(now)),
        ),
        (
            ConsultationEvent::ClosingSoon,
            consultation::Column::ClosingRemindedAt,
            sea_orm::Condition::all()
                .add(consultation::Column::ClosingRemindedAt.is_null())
                .add(consultation::Column::ClosesAt.lte(now + REMINDER_BEFORE_MS))
                .add(consultation::Column::ClosesAt.gt(now))
                // A hearing shorter than the reminder window gets no reminder on its first day.
                .add(consultation::Column::OpensAt.lte(now)),
        ),
        (
            ConsultationEvent::Closed,
            consultation::Column::ClosedProcessedAt,
            sea_orm::Condition::all()
                .add(consultation::Column::ClosedProcessedAt.is_null())
                .add(consultation::Column::ClosesAt.lte(now)),
        ),
    ];
    for (event, column, condition) in due {
        let ids: Vec<i64> = consultation::Entity::find()
            .select_only()
            .column(consultation::Column::Id)
            .filter(condition.clone())
            .limit(100)
            .into_tuple()
            .all(&ctx.db.conn)
            .await?;
        for id in ids {
            let tx = ctx.db.write().await?;
            let claimed = consultation::Entity::update_many()
                .col_expr(column, Expr::value(now))
                .filter(consultation::Column::Id.eq(id))
                .filter(column.is_null())
                .exec(&*tx)
                .await?;
            if claimed.rows_affected == 1 {
                jobs::enqueue(
                    &*tx,
                    &ConsultationEventJob {
                        consultation_id: id,
                        event,
                    },
                )
                .await?;
                enqueued += 1;
            }
            tx.commit().await?;
        }
    }
    enqueued += domain::service::laws::raise_due_reminders(&ctx.db).await?;
    domain::service::integrity::enqueue_if_due(&ctx.db).await?;
    domain::export::enqueue_if_due(&ctx.db, &ctx.settings.exports_dir).await?;
    Ok(enqueued)
}
