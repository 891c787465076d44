//! The turn locks of [`PostgresStore`](super::PostgresStore): one turn per thread across every
//! instance on the database, with PostgreSQL advisory locks.
//!
//! # Why advisory locks
//!
//! The lock has to be seen by every instance, and it has to go away by itself when the
//! instance holding it dies: a turn's instance that is killed mid-answer must not leave the
//! thread refusing every message. A lease row in a table would need an expiry and a heartbeat
//! to keep it alive, and a dead instance's thread would stay locked until the lease ran out.
//! A *session* advisory lock (`pg_try_advisory_lock`) belongs to the database connection
//! that took it: when the process dies, the kernel closes its sockets, the server's backend
//! for the connection ends, and its locks are released at once. Nothing is written to any
//! table, so taking one costs one round trip.
//!
//! # One connection for all of an instance's locks
//!
//! A session lock lives on one connection, so the lock connection is taken out of the pool
//! for good (`Object::take`) and shared by every turn of the instance: a pooled connection
//! would be handed to other queries between the lock and the unlock, and one connection per
//! turn would cap the running turns at the pool's size. A session lock is also re-entrant:
//! the same connection may take it twice. So the instance first takes its own in-memory lock
//! ([`LocalTurnLocks`]), which keeps two turns of this instance apart, and only then the
//! database's, which keeps this instance apart from the others.
//!
//! # The key
//!
//! An advisory lock is named by one 64-bit number. It is PostgreSQL's own
//! `hashtextextended` of a text naming the schema, the owner and the thread id, computed by
//! the server, so every instance, whatever its build, names a thread's lock the same way. The
//! text gives each part's length before it (`chatkit-turn 7:chatkit 5:alice thr_1`), so no
//! owner or thread id, whatever characters it holds, can spell another pair's key. Two
//! threads whose keys collide would wait for each other: with 64 bits, one chance in about
//! 10^15 for a pair of threads running at once. The two-number form that the migrations lock
//! with is a separate key space.
//!
//! # When the network fails
//!
//! Every lock and unlock is one round trip of a prepared statement, bounded by
//! [`LOCK_TIMEOUT`]: a connection that stopped answering (a partition, a frozen host, no
//! reset ever sent) fails the request or, for an unlock, is given up, instead of holding a
//! client's stream open. A connection given up is replaced for the next turn; its locks go
//! when the last turn holding it lets it go, or when the server notices the connection is
//! dead (its TCP keep-alive, which `PostgresStore` sets to about a minute for every
//! connection). The same keep-alive covers an instance whose host vanishes without closing
//! its sockets; an instance that is killed on a running host frees its locks at once.
//!
//! If the lock connection breaks, its locks are gone with it; the next turn opens a new one.
//! A turn that was running then finishes without its lock, which is the one window where a
//! second instance could start a turn on its thread.
//!
//! Session advisory locks need a session: behind a pooler such as PgBouncer, only its session
//! mode keeps them (transaction mode hands the connection to someone else between queries).
//!
//! Where it sits: made by `PostgresStore::connect_in_schema`, handed to the processor by
//! `Store::turn_locks`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{ClientWrapper, Object, Pool};

use super::turn_lock::{LocalTurnLocks, TurnLock, TurnLocks};
use super::{StoreError, postgres::pool_error};
use crate::protocol::ThreadId;

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

/// How long one lock or unlock may take: far more than the round trip it needs, far less
/// than a user waits for a stream to end.
pub(crate) const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// Turn locks shared by every instance on one PostgreSQL schema.
pub(crate) struct PostgresTurnLocks {
    /// Where the lock connection comes from (and a new one, if it breaks).
    pool: Pool,
    /// Part of every key, so that two schemas (two deployments, parallel tests) never lock
    /// each other's threads.
    schema: Arc<str>,
    /// Keeps this instance's own turns apart; see the module doc.
    local: LocalTurnLocks,
    /// The connection that holds this instance's locks, opened on first use.
    connection: Arc<tokio::sync::Mutex<Option<Arc<ClientWrapper>>>>,
}

impl PostgresTurnLocks {
    pub(crate) fn new(pool: Pool, schema: Arc<str>) -> Self {
        PostgresTurnLocks {
            pool,
            schema,
            local: LocalTurnLocks::new(),
            connection: Arc::default(),
        }
    }

    /// The lock connection, opened (again) if there is none or it has closed.
    ///
    /// The async mutex is held across the connect: two turns that both find the connection
    /// gone must not open two, or each would hold only some of the instance's locks. So while
    /// a new connection is being opened (bounded by the pool's timeouts), turn starts wait.
    async fn connection(&self) -> Result<Arc<ClientWrapper>, StoreError> {
        let mut slot = self.connection.lock().await;
        if let Some(client) = slot.as_ref().filter(|client| !client.is_closed()) {
            return Ok(Arc::clone(client));
        }
        let pooled = self.pool.get().await.map_err(pool_error)?;
        let client = Arc::new(Object::take(pooled));
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    /// The text PostgreSQL hashes into the lock's key; see the module doc.
    fn key(&self, owner: &str, thread: &ThreadId) -> String {
        let schema = &self.schema;
        format!(
            "chatkit-turn {}:{schema} {}:{owner} {thread}",
            schema.len(),
            owner.len()
        )
    }
}

#[async_trait]
impl TurnLocks for PostgresTurnLocks {
    async fn try_lock(
        &self,
        owner: &str,
        thread: &ThreadId,
    ) -> Result<Option<TurnLock>, StoreError> {
        let Some(local) = self.local.try_lock_now(owner, thread) else {
            return Ok(None);
        };
        let client = self.connection().await?;
        let key = self.key(owner, thread);
        // The lock exists before the query is sent: if this request is dropped while the
        // query is in flight (the client left, a timeout layer fired), the server may hold
        // the lock already, and dropping the `TurnLock` unlocks it. Without this, the lock
        // would stay on the shared connection and every other instance would see the thread
        // busy until this one restarts. Unlocking a lock the session does not hold is
        // harmless; `held` only spares that round trip when the answer was "no".
        let held = Arc::new(AtomicBool::new(true));
        let lock = TurnLock::new(release(
            Arc::clone(&client),
            key.clone(),
            Arc::clone(&held),
            Arc::clone(&self.connection),
            local,
        ));
        let taken = query_bool(&client, TRY_LOCK, &key).await;
        match taken {
            Ok(true) => Ok(Some(lock)),
            Ok(false) => {
                // Another instance runs a turn on it; ours frees the local lock only.
                held.store(false, Ordering::Relaxed);
                lock.release().await;
                Ok(None)
            }
            Err(error) => {
                lock.release().await;
                Err(error)
            }
        }
    }
}

/// Gives back the lock on `key`: on the connection that took it (a session lock belongs to
/// it), then this instance's local lock.
async fn release(
    client: Arc<ClientWrapper>,
    key: String,
    held: Arc<AtomicBool>,
    slot: Arc<tokio::sync::Mutex<Option<Arc<ClientWrapper>>>>,
    local: TurnLock,
) {
    if held.load(Ordering::Relaxed)
        && let Err(error) = query_bool(&client, UNLOCK, &key).await
    {
        // The lock may still be held on that connection: stop handing it to new turns,
        // so that it closes once its last turn ends, and the server drops its locks.
        tracing::warn!(%error, "could not release a thread's turn lock; replacing the lock connection");
        let mut current = slot.lock().await;
        if current
            .as_ref()
            .is_some_and(|open| Arc::ptr_eq(open, &client))
        {
            *current = None;
        }
    }
    local.release().await;
}

/// Runs `statement` (a lock or an unlock) on `key` within [`LOCK_TIMEOUT`], as a prepared
/// statement: one round trip from the second call on.
async fn query_bool(
    client: &ClientWrapper,
    statement: &str,
    key: &str,
) -> Result<bool, StoreError> {
    let call = async {
        let prepared = client.prepare_cached(statement).await?;
        let row = client.query_one(&prepared, &[&key]).await?;
        Ok::<_, StoreError>(row.get::<_, bool>(0))
    };
    match tokio::time::timeout(LOCK_TIMEOUT, call).await {
        Ok(answer) => answer,
        Err(_) => Err(StoreError::Backend {
            message: format!("the turn lock did not answer within {LOCK_TIMEOUT:?}"),
        }),
    }
}
