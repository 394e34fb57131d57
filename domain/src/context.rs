//! What every part of the system works with, built once by each binary.

use crate::{
    db::{Db, PoolOptions},
    service::comments::CommentIngest,
    settings::Settings,
};

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub settings: Settings,
    pub comments: CommentIngest,
}

impl Context {
    /// Connects to the database (without migrating) and starts the comment writer.
    pub async fn build(settings: Settings, pool: PoolOptions) -> anyhow::Result<Context> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "creating the data folder {}: {e}",
                settings.data_dir.display()
            )
        })?;
        let db = Db::connect(settings.database_url.expose(), pool).await?;
        Ok(Context {
            comments: CommentIngest::start(db.clone()),
            db,
            settings,
        })
    }
}
