//! `search_index`: refreshes the search documents of drafts, consultations and comments.

use anyhow::Context as _;
use domain::{
    Context,
    entity::job,
    search::indexing::{self, IndexTarget},
};

pub async fn run(ctx: &Context, jobs: &[job::Model]) -> anyhow::Result<()> {
    let targets = jobs
        .iter()
        .map(|j| {
            serde_json::from_str::<IndexTarget>(&j.payload)
                .with_context(|| format!("job {} has a bad payload", j.id))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    indexing::apply(&ctx.db.conn, ctx.search.as_ref(), &targets).await?;
    Ok(())
}
