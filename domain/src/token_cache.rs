//! Authenticated API tokens kept in memory, and what keeps them honest.
//!
//! Reading a token and its account on every API request cost 15-20 % of comment intake
//! (BENCHMARKS.md, session 8), so each process remembers who a token stands for. What could
//! change that answer (a token revoked; an account deactivated, reactivated, or given another
//! role or agency) adds one to the single row of `auth_generation` in the same transaction
//! ([`WriteTx::auth_changed`](crate::db::WriteTx::auth_changed)). The counter's row lock (or
//! SQLite's one writer) orders these transactions, so a snapshot that reads generation `g` sees
//! every such change numbered up to `g` and none above.
//!
//! The cache holds `known`, a generation, and `checked`, an instant, with one promise: *no
//! change committed before `checked` is numbered above `known`*. Three things move them, each
//! only forward (a component-wise maximum, which keeps the promise):
//!
//! - the poller, every [`POLL`]: it reads the counter, `g`, in a query started at `t`, and
//!   offers `(g, t)`;
//! - every authentication that reads the database: its query reads the counter in the same
//!   statement as the token and account, so it offers `(g, t)` too;
//! - a commit in this process that bumped the counter to `g`: `known` becomes at least `g`
//!   before the commit returns to its caller (`checked` stays).
//!
//! An entry remembers the generation its row was read under, and a request uses it only when
//! that is `known` and `checked` is less than [`TRUST`] old when the request starts. Such an
//! entry shows every change numbered up to `known`, so every change committed before
//! `checked`, so every change committed more than [`TRUST`] before the request. An entry read
//! under an older generation than `known` is dropped, and never stored.
//!
//! What that guarantees:
//!
//! - **In this process**, a revocation, deactivation or role change applies to every request
//!   that starts after the function making it returned: `known` has reached its number, so
//!   no entry read before it matches, and a read that raced the commit and saw the old number
//!   is not stored.
//! - **In another process** on the same database, it applies to every request that starts at
//!   least [`TRUST`] (500 ms) after the change was committed; usually sooner, within [`POLL`]
//!   and a query. When the poller falls behind (a slow database, a starved runtime), entries
//!   are not trusted and requests read the database as they did without a cache, so the bound
//!   holds whatever the poller does.
//!
//! A commit that fails with an error may have committed anyway; then only the cross-process
//! bound applies to it. Unknown, revoked and deactivated tokens are never cached, so a new
//! token or a reactivated account works at once everywhere.

use std::{
    collections::HashMap,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::{error::DomainResult, service::api_tokens::Bearer};

/// How often the poller reads the change counter.
pub const POLL: Duration = Duration::from_millis(250);

/// How long after the start of the last completed check an entry may still be used: the
/// bound within which a change made by another process applies here.
pub const TRUST: Duration = Duration::from_millis(500);

/// Entries kept at most; past it the cache starts again empty.
const CAPACITY: usize = 100_000;

/// The statement that reads the counter.
pub(crate) const READ_GENERATION: &str = "SELECT generation FROM auth_generation WHERE id = 1";

/// Who a token stood for when it was read, under which generation, and when it was last
/// recorded as used (`i64::MIN` for never).
pub(crate) struct Entry {
    pub bearer: Bearer,
    pub token_id: i64,
    generation: i64,
    pub last_used_at: AtomicI64,
}

impl Entry {
    pub fn new(bearer: Bearer, token_id: i64, last_used_at: Option<i64>, generation: i64) -> Self {
        Entry {
            bearer,
            token_id,
            generation,
            last_used_at: AtomicI64::new(last_used_at.unwrap_or(i64::MIN)),
        }
    }
}

struct State {
    known: i64,
    checked: Option<Instant>,
    entries: HashMap<String, Arc<Entry>>,
}

/// The process's cache; one per [`Db`](crate::db::Db), shared by its clones.
pub struct TokenCache {
    state: RwLock<State>,
    polling: AtomicBool,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            state: RwLock::new(State {
                known: i64::MIN,
                checked: None,
                entries: HashMap::new(),
            }),
            polling: AtomicBool::new(false),
        }
    }
}

impl TokenCache {
    /// The entry for a token's hash, if a request starting at `now` may use it.
    pub(crate) fn get(&self, hash: &str, now: Instant) -> Option<Arc<Entry>> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let fresh = state
            .checked
            .is_some_and(|checked| now.saturating_duration_since(checked) < TRUST);
        if !fresh {
            return None;
        }
        state
            .entries
            .get(hash)
            .filter(|e| e.generation == state.known)
            .cloned()
    }

    /// A check started at `started` read generation `generation`.
    pub(crate) fn observe(&self, generation: i64, started: Instant) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        observe(&mut state, generation, started);
    }

    /// This process committed a change numbered `generation`: no entry read before it is used
    /// again.
    pub(crate) fn advance(&self, generation: i64) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        advance(&mut state, generation);
    }

    /// Stores what a query started at `started` read, and counts the query as a check.
    /// Answers the entry, stored or not (the query's own request may use it).
    pub(crate) fn insert(&self, hash: String, entry: Entry, started: Instant) -> Arc<Entry> {
        let entry = Arc::new(entry);
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        observe(&mut state, entry.generation, started);
        if entry.generation == state.known {
            if state.entries.len() >= CAPACITY {
                state.entries.clear();
            }
            state.entries.insert(hash, entry.clone());
        }
        entry
    }

    /// Starts the poller, once (on the first authentication, so that processes that never
    /// authenticate tokens, like `rabfang-worker`, do not poll). It stops when the cache is
    /// dropped.
    pub(crate) fn start_polling(self: &Arc<Self>, conn: &DatabaseConnection) {
        if self.polling.load(Ordering::Relaxed) || self.polling.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = Arc::downgrade(self);
        let conn = conn.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failing = false;
            loop {
                tick.tick().await;
                let Some(cache) = cache.upgrade() else {
                    break;
                };
                let started = Instant::now();
                match read_generation(&conn).await {
                    Ok(generation) => {
                        cache.observe(generation, started);
                        failing = false;
                    }
                    // Entries then go stale after TRUST and requests read the database.
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(error = %e, "reading the authentication generation failed");
                    }
                    Err(_) => {}
                }
            }
        });
    }
}

fn observe(state: &mut State, generation: i64, started: Instant) {
    if state.checked.is_none_or(|c| c < started) {
        state.checked = Some(started);
    }
    advance(state, generation);
}

fn advance(state: &mut State, generation: i64) {
    if generation > state.known {
        state.known = generation;
        state.entries.retain(|_, e| e.generation >= generation);
    }
}

async fn read_generation(conn: &DatabaseConnection) -> DomainResult<i64> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(backend, READ_GENERATION))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the auth_generation row is missing"))?;
    Ok(row.try_get("", "generation")?)
}

/// Adds one to the counter inside `conn`'s transaction and answers the new generation.
pub(crate) async fn bump<C: ConnectionTrait>(conn: &C) -> DomainResult<i64> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE auth_generation SET generation = generation + 1 WHERE id = 1 \
             RETURNING generation",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the auth_generation row is missing"))?;
    Ok(row.try_get("", "generation")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ids::AccountId,
        types::{Actor, Role},
    };

    fn entry(account: i64, generation: i64) -> Entry {
        let actor = Actor {
            account_id: AccountId(account),
            role: Role::Citizen,
            agency_id: None,
        };
        let bearer = Bearer {
            actor,
            read_only: false,
        };
        Entry::new(bearer, account, None, generation)
    }

    fn account(e: Option<Arc<Entry>>) -> Option<i64> {
        e.map(|e| e.bearer.actor.account_id.get())
    }

    #[test]
    fn an_entry_is_used_while_its_generation_is_known_and_the_last_check_is_recent() {
        let c = TokenCache::default();
        let t0 = Instant::now();
        assert!(c.get("a", t0).is_none(), "nothing before a first check");
        c.insert("a".into(), entry(1, 7), t0);
        assert_eq!(account(c.get("a", t0)), Some(1));
        assert_eq!(account(c.get("a", t0 + TRUST / 2)), Some(1));
        assert!(c.get("b", t0).is_none());
    }

    #[test]
    fn nothing_is_used_once_the_last_check_is_older_than_the_bound() {
        let c = TokenCache::default();
        let t0 = Instant::now();
        c.insert("a".into(), entry(1, 7), t0);
        assert!(c.get("a", t0 + TRUST).is_none());
        // A later check that read the same generation vouches for the entry again.
        c.observe(7, t0 + TRUST);
        assert_eq!(account(c.get("a", t0 + TRUST)), Some(1));
    }

    #[test]
    fn a_new_generation_drops_older_entries_whoever_learns_of_it() {
        let c = TokenCache::default();
        let t0 = Instant::now();
        c.insert("a".into(), entry(1, 7), t0);
        c.insert("b".into(), entry(2, 7), t0);
        // The poller.
        c.observe(8, t0);
        assert!(c.get("a", t0).is_none());
        c.insert("b".into(), entry(2, 8), t0);
        assert_eq!(account(c.get("b", t0)), Some(2));
        // A commit in this process.
        c.advance(9);
        assert!(c.get("b", t0).is_none());
        // A read answered under a newer generation.
        c.insert("a".into(), entry(1, 10), t0);
        assert_eq!(account(c.get("a", t0)), Some(1));
        assert_eq!(c.state.read().unwrap().entries.len(), 1);
    }

    #[test]
    fn a_read_that_raced_a_commit_of_this_process_is_not_stored() {
        let c = TokenCache::default();
        let t0 = Instant::now();
        c.insert("a".into(), entry(1, 7), t0);
        // A revocation commits as generation 8 while a read that saw 7 is under way.
        c.advance(8);
        let answered = c.insert("a".into(), entry(1, 7), t0 + TRUST / 4);
        assert_eq!(answered.bearer.actor.account_id.get(), 1);
        assert!(c.get("a", t0 + TRUST / 4).is_none());
    }

    #[test]
    fn a_check_that_started_before_a_commit_of_this_process_does_not_undo_it() {
        let c = TokenCache::default();
        let t0 = Instant::now();
        c.insert("a".into(), entry(1, 7), t0);
        c.advance(8);
        // The poller's query started before the commit, read 7, and finishes after it.
        c.observe(7, t0 + TRUST / 4);
        assert!(c.get("a", t0 + TRUST / 4).is_none());
        // A check that started before the last one does not move `checked` back.
        c.insert("a".into(), entry(1, 8), t0 + TRUST / 4);
        c.observe(8, t0);
        assert_eq!(account(c.get("a", t0 + TRUST / 2)), Some(1));
        assert!(c.get("a", t0 + TRUST / 4 + TRUST).is_none());
    }
}
