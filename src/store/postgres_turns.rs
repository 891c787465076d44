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
//! `hashtextextended` of `chatkit-turn`, the schema, the owner and the thread id, computed by
//! the server, so every instance, whatever its build, names a thread's lock the same way. Two
//! threads whose keys collide would wait for each other: with 64 bits, one chance in about
//! 10^15 for a pair of threads running at once. The two-number form that the migrations lock
//! with is a separate key space.
//!
//! If the lock connection breaks, its locks are gone with it; the next turn opens a new one.
//! A turn that was running then finishes without its lock, which is the one window where a
//! second instance could start a turn on its thread.
//!
//! Where it sits: made by `PostgresStore::connect_in_schema`, handed to the processor by
//! `Store::turn_locks`.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::{ClientWrapper, Object, Pool};

use super::turn_lock::{LocalTurnLocks, TurnLock, TurnLocks};
use super::{StoreError, postgres::pool_error};
use crate::protocol::ThreadId;

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

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
    connection: tokio::sync::Mutex<Option<Arc<ClientWrapper>>>,
}

impl PostgresTurnLocks {
    pub(crate) fn new(pool: Pool, schema: Arc<str>) -> Self {
        PostgresTurnLocks {
            pool,
            schema,
            local: LocalTurnLocks::new(),
            connection: tokio::sync::Mutex::new(None),
        }
    }

    /// The lock connection, opened (again) if there is none or it has closed.
    async fn connection(&self) -> Result<Arc<ClientWrapper>, StoreError> {
        // An async mutex, held across the connect: two turns that both find the connection
        // gone must not open two, or each would hold only some of the instance's locks.
        let mut slot = self.connection.lock().await;
        if let Some(client) = slot.as_ref().filter(|client| !client.is_closed()) {
            return Ok(Arc::clone(client));
        }
        let pooled = self.pool.get().await.map_err(pool_error)?;
        let client = Arc::new(Object::take(pooled));
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    fn key(&self, owner: &str, thread: &ThreadId) -> String {
        // NUL cannot occur in PostgreSQL text, so no owner or thread id can shift the parts.
        format!("chatkit-turn\0{}\0{owner}\0{thread}", self.schema)
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
        let row = client.query_one(TRY_LOCK, &[&key]).await?;
        if !row.get::<_, bool>(0) {
            // Another instance runs a turn on it; `local` is dropped, so ours is free again.
            return Ok(None);
        }
        Ok(Some(TurnLock::new(async move {
            // Unlocked on the connection that locked: a session lock belongs to it. If that
            // connection has died since, the lock died with it and there is nothing to undo.
            if let Err(error) = client.query_one(UNLOCK, &[&key]).await {
                tracing::warn!(%error, "could not release a thread's turn lock");
            }
            local.release().await;
        })))
    }
}
