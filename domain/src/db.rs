//! Database connections. SQLite runs in WAL mode with `synchronous=FULL` (a committed row is on
//! disk), foreign keys on and a busy timeout; PostgreSQL runs through a pool.
//!
//! SQLite allows one writer at a time. Write transactions in this process take [`Db::write`],
//! which holds an in-process lock on SQLite so that writers queue here instead of failing
//! with "database is locked" when a read transaction tries to upgrade.

use std::{str::FromStr, sync::Arc, time::Duration};

use anyhow::Context as _;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector,
    TransactionTrait,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{error::DomainResult, settings::redact_url};

#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds this process's writer lock until dropped.
pub struct WriteTx {
    pub txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTx {
    pub async fn commit(self) -> DomainResult<()> {
        self.txn.commit().await?;
        Ok(())
    }
}

/// Pool sizes and timeouts; the worker and tests use smaller pools than the API.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl Db {
    pub async fn connect(url: &str, options: PoolOptions) -> anyhow::Result<Db> {
        let redacted = redact_url(url);
        if url.starts_with("sqlite:") {
            if let Some(path) = sqlite_file_path(url)
                && let Some(parent) = std::path::Path::new(&path).parent()
            {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!("creating the folder for the database {}", parent.display())
                })?;
            }
            let connect = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("parsing DATABASE_URL {redacted}"))?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .with_context(|| format!("opening the SQLite database {redacted}"))?;
            Ok(Db {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                write_lock: Some(Arc::new(Mutex::new(()))),
            })
        } else {
            let connect = PgConnectOptions::from_str(url)
                .with_context(|| format!("parsing DATABASE_URL {redacted}"))?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .with_context(|| format!("connecting to PostgreSQL at {redacted}"))?;
            Ok(Db {
                conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
                write_lock: None,
            })
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Begins a write transaction (see the module doc).
    pub async fn write(&self) -> DomainResult<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        Ok(WriteTx { txn, _guard: guard })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        use migrations::MigratorTrait;
        migrations::Migrator::up(&self.conn, None)
            .await
            .context("applying migrations")
    }

    /// True when a trivial query succeeds: used by `/readyz`.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }
}

fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}
