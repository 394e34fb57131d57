//! `export`: writes a new bulk export of everything public, or of one consultation (see
//! `crate::export`). Safe to run twice: each run writes a new generation and keeps the last two.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, export, ids::ConsultationId};

/// `export`: the daily site-wide export (`consultation_id` absent), or one consultation's when
/// it closes or its summary is published.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExportJob {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation_id: Option<i64>,
}

impl ExportJob {
    pub fn site() -> ExportJob {
        ExportJob {
            consultation_id: None,
        }
    }

    pub fn consultation(id: ConsultationId) -> ExportJob {
        ExportJob {
            consultation_id: Some(id.get()),
        }
    }

    pub fn scope(&self) -> export::Scope {
        match self.consultation_id {
            Some(id) => export::Scope::Consultation(ConsultationId(id)),
            None => export::Scope::Site,
        }
    }
}

impl BackgroundJob for ExportJob {
    const KIND: &'static str = "export";
    /// After everything people wait for (mail, search, statistics).
    const PRIORITY: i32 = -20;
    const MAX_ATTEMPTS: i32 = 4;
    /// One waiting export per dataset: it reads the data as it is when it runs.
    const DEDUPLICATED: bool = true;

    fn dedupe_key(&self) -> String {
        format!("export:{}", self.scope().name())
    }

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        let scopes: BTreeSet<Option<i64>> = batch.iter().map(|j| j.consultation_id).collect();
        for consultation_id in scopes {
            export::run(ctx, ExportJob { consultation_id }.scope()).await?;
        }
        Ok(())
    }
}
