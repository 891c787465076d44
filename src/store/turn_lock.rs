//! One turn per thread at a time: the lock a streaming request holds while its turn runs.
//!
//! Two browser tabs on one thread, or a double-clicked send, would otherwise run two turns
//! at once, and their items would interleave in the store and in both streams (the model of
//! each turn reads a history the other is still writing). The reference has no guard at
//! all. Here the processor takes the thread's lock before the first write of a streaming
//! request and answers a second request with `409 thread_busy` while the first turn runs.
//!
//! The lock must be shared by everything that can run a turn on the thread:
//!
//! * one process: [`LocalTurnLocks`], a set in memory. It is what memory and SQLite stores
//!   use, since a SQLite file serves one process.
//! * several instances on one database: the store provides its own through
//!   [`Store::turn_locks`](super::Store::turn_locks); [`PostgresStore`](super::PostgresStore)
//!   uses a PostgreSQL advisory lock, which the database drops by itself when the instance
//!   holding it dies.
//!
//! A [`TurnLock`] is released when its turn ends, whichever way: the pipeline awaits
//! [`TurnLock::release`] before it closes the client's stream (so a client that has read the
//! end of a stream finds the thread free at once); a lock dropped any other way (a failed
//! prelude, a panic) is released in the background.
//!
//! Where it sits: taken by the processor in the prelude of each streaming request, moved into
//! the pipeline task, released at the end of the turn.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use super::StoreError;
use crate::protocol::ThreadId;

/// The future that gives a lock back; boxed, because each kind of lock releases its own way.
type Release = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where turns take their thread's lock.
#[async_trait]
pub trait TurnLocks: Send + Sync {
    /// Takes the lock of the thread `thread` of the user `owner`, or `Ok(None)` if a turn
    /// holds it already. Never waits for the turn to end: a busy thread is an answer, not a
    /// queue (a backend may still take a round trip, or a connect, to find out).
    ///
    /// # Errors
    ///
    /// The backend that keeps the locks failed (a lost database connection, …).
    async fn try_lock(
        &self,
        owner: &str,
        thread: &ThreadId,
    ) -> Result<Option<TurnLock>, StoreError>;
}

/// A held lock; dropping it releases it, [`TurnLock::release`] does so and waits.
#[must_use = "the thread stays locked only while the TurnLock is held"]
pub struct TurnLock {
    /// Taken by `release` or by `Drop`, whichever comes first.
    release: Option<Release>,
}

impl TurnLock {
    /// A lock that `release` gives back. The future runs once: awaited by
    /// [`TurnLock::release`], or spawned when the lock is dropped.
    pub fn new(release: impl Future<Output = ()> + Send + 'static) -> Self {
        TurnLock {
            release: Some(Box::pin(release)),
        }
    }

    /// Gives the lock back and waits until it is free for the next turn.
    pub async fn release(mut self) {
        if let Some(release) = self.release.take() {
            release.await;
        }
    }
}

impl Drop for TurnLock {
    fn drop(&mut self) {
        let Some(release) = self.release.take() else {
            return;
        };
        // Dropped outside a runtime, or while the runtime shuts down, the release cannot run.
        // That is when the process is going away, and with it every lock it held: a local
        // lock with the memory, an advisory lock with the connection. (A `LocalTurnLocks`
        // kept in a `static` across runtimes, as several `#[tokio::test]`s could, would keep
        // such a key: give each runtime its own.)
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(release);
        }
    }
}

impl fmt::Debug for TurnLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnLock")
            .field("held", &self.release.is_some())
            .finish()
    }
}

/// The locks of one process: the `(owner, thread)` pairs that have a turn running.
///
/// A std `Mutex`: it is held only to insert or remove one entry, never across an `.await`.
#[derive(Debug, Clone, Default)]
pub struct LocalTurnLocks {
    held: Arc<Mutex<HashSet<(String, ThreadId)>>>,
}

impl LocalTurnLocks {
    /// No thread locked.
    pub fn new() -> Self {
        LocalTurnLocks::default()
    }

    /// The same as [`TurnLocks::try_lock`], without the `async`: nothing here waits.
    pub fn try_lock_now(&self, owner: &str, thread: &ThreadId) -> Option<TurnLock> {
        let key = (owner.to_owned(), thread.clone());
        // A poisoned set is still a correct set: each change is one insert or one remove.
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if !held.insert(key.clone()) {
            return None;
        }
        let set = Arc::clone(&self.held);
        Some(TurnLock::new(async move {
            set.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
        }))
    }
}

#[async_trait]
impl TurnLocks for LocalTurnLocks {
    async fn try_lock(
        &self,
        owner: &str,
        thread: &ThreadId,
    ) -> Result<Option<TurnLock>, StoreError> {
        Ok(self.try_lock_now(owner, thread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_turn_on_a_thread_is_refused_until_the_first_releases_it() {
        let locks = LocalTurnLocks::new();
        let thread = ThreadId::new("thr_1");
        let first = locks.try_lock_now("alice", &thread).expect("free");
        assert!(locks.try_lock_now("alice", &thread).is_none(), "busy");
        // Another thread, or another user's thread of the same id, is not affected.
        assert!(
            locks
                .try_lock_now("alice", &ThreadId::new("thr_2"))
                .is_some()
        );
        assert!(locks.try_lock_now("bob", &thread).is_some());
        first.release().await;
        assert!(locks.try_lock_now("alice", &thread).is_some(), "free again");
    }

    #[tokio::test]
    async fn a_dropped_lock_is_released_in_the_background() {
        let locks = LocalTurnLocks::new();
        let thread = ThreadId::new("thr_1");
        drop(locks.try_lock_now("alice", &thread).expect("free"));
        tokio::task::yield_now().await;
        assert!(locks.try_lock_now("alice", &thread).is_some());
    }
}
