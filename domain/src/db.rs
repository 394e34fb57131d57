//! Database connections. SQLite runs in WAL mode with `synchronous=FULL` (a committed row is on
//! disk), foreign keys on and a busy timeout; PostgreSQL runs through a pool.
//!
//! # Writers on SQLite
//!
//! SQLite allows one writer at a time. Every write of this process, the API's and the embedded
//! worker's alike, goes through one queue ([`Db::write`]; the worker's handle is made with
//! [`Db::for_background`]) and then opens an IMMEDIATE transaction, which takes SQLite's write lock at
//! `BEGIN`. So a writer never reads under a deferred transaction and then fails to upgrade it
//! (`SQLITE_BUSY_SNAPSHOT` answers at once and is not retried by the busy timeout); it waits
//! its turn here, or, against another process (a `rabfang` command beside `serve`), in SQLite's
//! busy handler. Background writers yield: while a request waits for the lock, the worker's
//! next write waits too (for at most [`BACKGROUND_YIELD`], so the worker is never starved).
//! When more than [`MAX_WAITING_WRITERS`] requests already wait, the next is refused at once
//! with `db_busy` (503 with `Retry-After`) instead of waiting without end.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    SqlxPostgresConnector, SqlxSqliteConnector, TransactionOptions, TransactionTrait,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

use crate::{
    error::{DomainError, DomainResult},
    settings::redact_url,
    token_cache::{self, TokenCache},
};

/// Requests that may wait for the writer at once before the next is refused with `db_busy`.
pub const MAX_WAITING_WRITERS: usize = 4096;

/// Longest time a background write waits for waiting requests to go first.
pub const BACKGROUND_YIELD: Duration = Duration::from_millis(250);

/// Rows a SQLite read may hand over before its reader takes them: more than a page of the
/// exports or the change feed (1,000).
const ROW_CHANNEL_ROWS: usize = 1024;

#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    queue: Option<Arc<WriteQueue>>,
    /// Writes through this handle let waiting requests go first (the worker's handle).
    background: bool,
    /// Authenticated API tokens, shared by every handle of this process (`token_cache.rs`).
    pub(crate) tokens: Arc<TokenCache>,
    /// Write transactions committed through any handle of this process (see [`Db::writes`]).
    writes: Arc<AtomicU64>,
}

/// The writers of one process on SQLite (see the module doc). The lock is fair (first come,
/// first served); background writers enter it one at a time and only when no request waits.
#[derive(Default)]
struct WriteQueue {
    lock: Arc<Mutex<()>>,
    /// Requests waiting for the lock.
    waiting: AtomicUsize,
    /// Signalled when no request waits any more.
    drained: Notify,
    /// Lets one background writer at a time queue for the lock.
    background: Mutex<()>,
}

impl WriteQueue {
    async fn request(&self) -> DomainResult<OwnedMutexGuard<()>> {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING_WRITERS {
            self.leave();
            return Err(DomainError::DbBusy);
        }
        let guard = self.lock.clone().lock_owned().await;
        self.leave();
        Ok(guard)
    }

    fn leave(&self) {
        if self.waiting.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.drained.notify_waiters();
        }
    }

    async fn background(&self) -> OwnedMutexGuard<()> {
        let _turn = self.background.lock().await;
        let deadline = tokio::time::Instant::now() + BACKGROUND_YIELD;
        loop {
            let guard = self.lock.clone().lock_owned().await;
            if self.waiting.load(Ordering::Acquire) == 0 || tokio::time::Instant::now() >= deadline
            {
                return guard;
            }
            // Requests queued while this waited: the lock passes to them, first come first
            // served, and this waits until none is left.
            drop(guard);
            // Registered before the check, so a drain between the two is not missed.
            let drained = self.drained.notified();
            if self.waiting.load(Ordering::Acquire) != 0 {
                let _ = tokio::time::timeout_at(deadline, drained).await;
            }
        }
    }
}

/// A write transaction; on SQLite it also holds this process's place as the writer until
/// dropped.
pub struct WriteTx {
    pub txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    tokens: Arc<TokenCache>,
    /// The authentication generation this transaction bumped to (0: it did not).
    auth_generation: AtomicI64,
    /// Counted in [`Db::writes`] on commit (`None`: a write no public answer shows).
    writes: Option<Arc<AtomicU64>>,
}

impl std::ops::Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTx {
    /// Records that this transaction changes what an API token stands for (revokes one,
    /// deactivates, reactivates or changes the role or agency of an account): bumps the
    /// authentication generation, so that other processes drop their cached tokens, and on
    /// commit this process's cache drops them before `commit` returns (`token_cache.rs`).
    pub async fn auth_changed(&self) -> DomainResult<()> {
        let generation = token_cache::bump(&self.txn).await?;
        self.auth_generation
            .fetch_max(generation, Ordering::Relaxed);
        Ok(())
    }

    pub async fn commit(self) -> DomainResult<()> {
        self.txn.commit().await?;
        // After the commit, so that whoever sees the new count can read what was written.
        if let Some(writes) = &self.writes {
            writes.fetch_add(1, Ordering::Release);
        }
        let generation = self.auth_generation.into_inner();
        if generation > 0 {
            self.tokens.advance(generation);
        }
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
                // Another process's writer (a command beside `serve`) is waited for, not failed.
                .busy_timeout(Duration::from_secs(30))
                // sqlx hands each row from its SQLite thread to the reading task through a
                // channel; at its default of 50 rows the two threads woke each other for about
                // every row of a long read (a quarter of the change feed's and the exports' CPU
                // went to those wake-ups). A page of rows now fits without waiting.
                .row_buffer_size(ROW_CHANNEL_ROWS);
            let pool = SqlitePoolOptions::new()
                // A local file cannot drop a connection the way a network can: no ping before
                // each use (it was a tenth of every comment batch's time).
                .test_before_acquire(false)
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .with_context(|| format!("opening the SQLite database {redacted}"))?;
            Ok(Db {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                queue: Some(Arc::default()),
                background: false,
                tokens: Arc::default(),
                writes: Arc::default(),
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
                queue: None,
                background: false,
                tokens: Arc::default(),
                writes: Arc::default(),
            })
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The same database for background work: its writes let waiting requests go first.
    pub fn for_background(&self) -> Db {
        Db {
            background: true,
            ..self.clone()
        }
    }

    /// Begins a write transaction (see the module doc).
    pub async fn write(&self) -> DomainResult<WriteTx> {
        let mut tx = self.write_private().await?;
        tx.writes = Some(self.writes.clone());
        Ok(tx)
    }

    /// Begins a write transaction whose changes no public answer shows (the job queue's
    /// bookkeeping, sessions, when a key was last used): it is not counted in [`Db::writes`],
    /// so answers kept for the public are still served after it.
    pub async fn write_private(&self) -> DomainResult<WriteTx> {
        let guard = match &self.queue {
            Some(queue) if self.background => Some(queue.background().await),
            Some(queue) => Some(queue.request().await?),
            None => None,
        };
        let txn = match guard {
            Some(_) => {
                self.conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?
            }
            None => self.conn.begin().await?,
        };
        Ok(WriteTx {
            txn,
            _guard: guard,
            tokens: self.tokens.clone(),
            auth_generation: AtomicI64::new(0),
            writes: None,
        })
    }

    /// How many write transactions this process has committed, through any handle of this
    /// database (the worker's included), counted after each commit. An answer made from what
    /// was read while this count stood still is still current as far as this process's own
    /// writes go; the site's kept answers rely on it (`api/src/kept_answers.rs`).
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Counts a write made without [`Db::write`] (a raw statement run on `conn`), so that
    /// answers made before it are not served again.
    pub fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Release);
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        use migrations::MigratorTrait;
        migrations::Migrator::up(&self.conn, None)
            .await
            .context("applying migrations")
    }

    /// Refuses to go on while migrations are pending: only `rabfang migrate` and `rabfang serve`
    /// change the schema, and a command run against an older schema would fail half-way.
    pub async fn ensure_current(&self) -> anyhow::Result<()> {
        use migrations::MigratorTrait;
        let pending = migrations::Migrator::get_pending_migrations_read_only(&self.conn)
            .await
            .context("reading which migrations the database has")?;
        if let Some(first) = pending.first() {
            anyhow::bail!(
                "the database schema is behind this version of Rabfang ({} migration(s) pending, \
                 the first {}): run `rabfang migrate` first",
                pending.len(),
                first.name()
            );
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    async fn sqlite() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/q.db?mode=rwc", dir.path().display());
        let db = Db::connect(&url, PoolOptions::default()).await.unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn waiting_requests_write_before_waiting_background_work() {
        let (_dir, db) = sqlite().await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let holder = db.write().await.unwrap();
        let background = {
            let (db, order) = (db.for_background(), order.clone());
            tokio::spawn(async move {
                let tx = db.write().await.unwrap();
                order.lock().unwrap().push("background");
                tx.commit().await.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let request = {
            let (db, order) = (db.clone(), order.clone());
            tokio::spawn(async move {
                let tx = db.write().await.unwrap();
                order.lock().unwrap().push("request");
                tx.commit().await.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        holder.commit().await.unwrap();
        request.await.unwrap();
        background.await.unwrap();
        assert_eq!(*order.lock().unwrap(), ["request", "background"]);
    }

    #[tokio::test]
    async fn background_work_is_not_starved_by_a_stream_of_requests() {
        let (_dir, db) = sqlite().await;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stream = {
            let (db, stop) = (db.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let tx = db.write().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    tx.commit().await.unwrap();
                }
            })
        };
        let started = tokio::time::Instant::now();
        let tx = db.for_background().write().await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            started.elapsed() < BACKGROUND_YIELD * 8,
            "{:?}",
            started.elapsed()
        );
        stop.store(true, Ordering::Relaxed);
        stream.await.unwrap();
    }

    /// `.cargo/config.toml` builds SQLite with the planner's stability guarantee (without it,
    /// every statement with `LIMIT ?` is parsed again on each run) and without memory
    /// statistics (a global mutex around every allocation).
    #[tokio::test]
    async fn sqlite_is_built_with_a_stable_planner_and_without_memory_statistics() {
        use sea_orm::{ConnectionTrait, Statement};
        let (_dir, db) = sqlite().await;
        let rows = db
            .conn
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA compile_options",
            ))
            .await
            .unwrap();
        let options: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect();
        for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
            assert!(
                options.iter().any(|o| o == wanted),
                "SQLite lacks {wanted}: {options:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let queue = WriteQueue::default();
        queue.waiting.store(MAX_WAITING_WRITERS, Ordering::Relaxed);
        assert!(matches!(queue.request().await, Err(DomainError::DbBusy)));
        assert_eq!(queue.waiting.load(Ordering::Relaxed), MAX_WAITING_WRITERS);
    }
}
