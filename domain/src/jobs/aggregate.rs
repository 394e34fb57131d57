//! `aggregate_consultation`: brings a consultation's statistics snapshot (and, while it is
//! small or once it closed, its campaign clusters) up to date; see `service::statistics`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, service::statistics};

/// `aggregate_consultation`: bring a consultation's statistics snapshot up to date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AggregateJob {
    pub consultation_id: i64,
    /// Recount every comment instead of adding the new ones: needed when a counted comment
    /// changed (moderation hides its words from the public term list).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rebuild: bool,
}

impl BackgroundJob for AggregateJob {
    const KIND: &'static str = "aggregate_consultation";
    const DEDUPLICATED: bool = true;

    /// One waiting job of each sort per consultation is enough.
    fn dedupe_key(&self) -> String {
        if self.rebuild {
            format!("aggregate-rebuild-{}", self.consultation_id)
        } else {
            format!("aggregate-{}", self.consultation_id)
        }
    }

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        // Consultation id -> whether any of its jobs asks for a rebuild.
        let mut work: BTreeMap<i64, bool> = BTreeMap::new();
        for job in batch {
            *work.entry(job.consultation_id).or_default() |= job.rebuild;
        }
        for (id, rebuild) in work {
            statistics::update_snapshot(&ctx.db, crate::ids::ConsultationId(id), rebuild).await?;
        }
        Ok(())
    }
}

impl AggregateJob {
    /// Brings the snapshot up to date with the comments received since.
    pub fn update(consultation_id: i64) -> AggregateJob {
        AggregateJob {
            consultation_id,
            rebuild: false,
        }
    }

    /// Recounts the snapshot from every comment.
    pub fn rebuild(consultation_id: i64) -> AggregateJob {
        AggregateJob {
            consultation_id,
            rebuild: true,
        }
    }
}
