//! `search_index`: refreshes the search documents of drafts, consultations and comments (see
//! `service::indexing`).

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
use crate::{Context, service::indexing};

/// What a `search_index` job refreshes: one draft (with its provisions), consultation or comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "doc", content = "id", rename_all = "snake_case")]
pub enum IndexTarget {
    Draft(i64),
    Consultation(i64),
    Comment(i64),
}

impl BackgroundJob for IndexTarget {
    const KIND: &'static str = "search_index";

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        let mut refresh = indexing::Refresh::default();
        for target in batch {
            match target {
                IndexTarget::Draft(id) => refresh.drafts.insert(id),
                IndexTarget::Consultation(id) => refresh.consultations.insert(id),
                IndexTarget::Comment(id) => refresh.comments.insert(id),
            };
        }
        indexing::apply(&ctx.db.conn, ctx.search.as_ref(), &refresh).await?;
        // Searches answer differently now (the embedded index's reader is reloaded at once).
        ctx.db.wrote();
        Ok(())
    }
}
