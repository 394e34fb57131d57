//! `compile_report`: compiles the hearing summary of a closed consultation (see
//! `service::reports`). Recompiling an unpublished summary replaces it; a published one is
//! never touched.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, DomainError, service::reports};

/// `compile_report`: (re)compiles the hearing summary of a closed consultation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompileReportJob {
    pub consultation_id: i64,
}

impl BackgroundJob for CompileReportJob {
    const KIND: &'static str = "compile_report";
    /// One waiting compile per consultation.
    const DEDUPLICATED: bool = true;

    fn dedupe_key(&self) -> String {
        format!("compile_report:{}", self.consultation_id)
    }

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        // Jobs for the same consultation in one batch are answered by one compile.
        let consultations: BTreeSet<i64> = batch.iter().map(|j| j.consultation_id).collect();
        for consultation_id in consultations {
            match reports::compile(&ctx.db, crate::ids::ConsultationId(consultation_id)).await {
                Ok(_) | Err(DomainError::InvalidState(_)) | Err(DomainError::NotFound(_)) => {}
                Err(e) => return Err(anyhow::anyhow!("compiling the hearing summary: {e:?}")),
            }
        }
        Ok(())
    }
}
