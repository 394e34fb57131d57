//! What every part of the system works with, built once by each binary.

use std::sync::Arc;

use crate::{
    db::{Db, PoolOptions},
    keys::SecretKey,
    mail::Mailer,
    search::backend::Search,
    service::comments::CommentIngest,
    settings::Settings,
};

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub settings: Settings,
    pub comments: CommentIngest,
    pub search: Arc<Search>,
    pub mailer: Mailer,
    /// Signs the site's forms and receipts' tracking secrets.
    pub keys: SecretKey,
}

impl Context {
    /// Connects to the database (without migrating), opens the search backend (without
    /// contacting Meilisearch) and starts the comment writer.
    pub async fn build(settings: Settings, pool: PoolOptions) -> anyhow::Result<Context> {
        // Memory freed after a burst of work goes back to the system (see the crate).
        allocator::configure();
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "creating the data folder {}: {e}",
                settings.data_dir.display()
            )
        })?;
        let db = Db::connect(settings.database_url.expose(), pool).await?;
        let search = Arc::new(Search::open(&settings, &settings.meilisearch_prefix)?);
        let mailer = Mailer::from_settings(&settings)?;
        let keys = SecretKey::load(&settings)?;
        Ok(Context {
            keys,
            mailer,
            search,
            comments: CommentIngest::start(db.clone()),
            db,
            settings,
        })
    }
}
