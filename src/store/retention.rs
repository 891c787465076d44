//! Retention: purging a user's old threads and closing the ones left idle, through the
//! [`Store`] trait alone, so the same code works on every store.
//!
//! ChatKit has no session to expire: a user's "session" is their threads, and a thread lives
//! until someone deletes it. A production server decides how long that is. These two
//! functions are the usual policies, and both act for **one user**: every store call takes
//! the user's context, so another user's threads are never read, let alone changed. A job
//! that sweeps every user runs them once per user it knows of (the store cannot list users).
//!
//! * [`purge_threads_created_before`] deletes each thread (with its items) created before a
//!   cutoff.
//! * [`close_idle_threads`] sets `closed(reason)` on each active thread whose newest item is
//!   older than a limit; the server then refuses new work on it (409 `thread_closed`), and
//!   the client shows the reason instead of the composer.
//!
//! Both walk the threads a page at a time ([`PAGE_SIZE`]), so a user with ten thousand
//! threads costs ten thousand rows of memory at no point.
//!
//! Both leave alone a thread whose turn is running, when the store shares its turn locks
//! ([`Store::turn_locks`], as the PostgreSQL store does): they take the thread's lock, skip
//! the thread if it is busy, and read it again under the lock before changing it, so a turn
//! that ends meanwhile (renaming the thread, say) is not undone by a stale copy. A memory or
//! SQLite store keeps its locks in the server's process, out of reach of a separate command:
//! run retention there while the server is stopped, or from inside it. Time comes in as an argument, so a
//! test passes a fixed `now` rather than waiting half an hour.
//!
//! Where it sits: beside the stores, called by an application's own job or command (lesson
//! 05's `purge` and `close-idle`), never by the request flow.

use chrono::TimeDelta;

use super::{PageRequest, Store, StoreContext, StoreError, TurnLock};
use crate::protocol::{Order, ThreadId, ThreadMetadata, ThreadStatus, Timestamp};

/// How many threads each store call loads.
pub const PAGE_SIZE: usize = 100;

/// Deletes every thread of the user in `ctx` created strictly before `cutoff`, items included,
/// and returns their ids, oldest first.
///
/// # Why it re-reads the first page
///
/// Threads are listed oldest first, so the ones to delete form the front of the list. A
/// cursor cannot be used to go on after deleting a page: it names the last thread read, which
/// is gone, and a store answers an unknown cursor with an error. So each round reads the
/// *first* page again, deletes its old threads, and stops at the first thread that is new
/// enough (or at the end of the list). Each round deletes at least one thread or stops, so
/// the loop ends.
///
/// # Errors
///
/// The first store failure; threads deleted before it stay deleted.
pub async fn purge_threads_created_before<C, S>(
    store: &S,
    ctx: &C,
    cutoff: Timestamp,
) -> Result<Vec<ThreadId>, StoreError>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    let mut purged = Vec::new();
    loop {
        let page = store
            .load_threads(&PageRequest::first(PAGE_SIZE, Order::Asc), ctx)
            .await?;
        let reached_the_end = !page.has_more;
        let old: Vec<ThreadMetadata> = page
            .data
            .into_iter()
            .take_while(|thread| thread.created_at < cutoff)
            .collect();
        let whole_page_was_old = old.len() == PAGE_SIZE;
        let mut deleted_any = false;
        for thread in old {
            let Some(lock) = lock_if_shared(store, ctx, &thread.id).await? else {
                continue; // Busy: a turn is running on it; the next purge takes it.
            };
            let result = store.delete_thread(&thread.id, ctx).await;
            release(lock).await;
            result?;
            deleted_any = true;
            purged.push(thread.id);
        }
        // A page of old threads that were all busy would be read again for ever.
        if reached_the_end || !whole_page_was_old || !deleted_any {
            return Ok(purged);
        }
    }
}

/// Closes, with `reason`, every active thread of the user in `ctx` that has been idle for
/// longer than `idle_for` at `now`, and returns their ids, oldest first.
///
/// A thread's last activity is the `created_at` of its newest item (hidden items count: a
/// widget click is activity), or the thread's own `created_at` when it has none. Locked and
/// closed threads are left as they are, so an earlier, more specific reason is kept.
///
/// # Errors
///
/// The first store failure; threads closed before it stay closed.
pub async fn close_idle_threads<C, S>(
    store: &S,
    ctx: &C,
    now: Timestamp,
    idle_for: TimeDelta,
    reason: &str,
) -> Result<Vec<ThreadId>, StoreError>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    let mut closed = Vec::new();
    let mut request = PageRequest::first(PAGE_SIZE, Order::Asc);
    loop {
        // Closing saves the thread without changing its `created_at`, so the cursor stays
        // valid across the writes, unlike in the purge above.
        let page = store.load_threads(&request, ctx).await?;
        for listed in page.data {
            if listed.status != ThreadStatus::Active {
                continue;
            }
            let Some(lock) = lock_if_shared(store, ctx, &listed.id).await? else {
                continue; // Busy: a turn is running on it, so it is not idle.
            };
            let result = close_if_idle(store, ctx, &listed.id, now, idle_for, reason).await;
            release(lock).await;
            if result? {
                closed.push(listed.id);
            }
        }
        match page.after {
            Some(after) if page.has_more => {
                request = PageRequest::after(after, PAGE_SIZE, Order::Asc)
            }
            _ => return Ok(closed),
        }
    }
}

/// Closes the thread `id` if, read afresh, it is still active and idle for longer than
/// `idle_for` at `now`; whether it did.
async fn close_if_idle<C, S>(
    store: &S,
    ctx: &C,
    id: &ThreadId,
    now: Timestamp,
    idle_for: TimeDelta,
    reason: &str,
) -> Result<bool, StoreError>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    let mut thread = store.load_thread(id, ctx).await?;
    if thread.status != ThreadStatus::Active {
        return Ok(false);
    }
    let idle = now.as_datetime() - last_activity(store, &thread, ctx).await?.as_datetime();
    if idle <= idle_for {
        return Ok(false);
    }
    thread.status = ThreadStatus::Closed {
        reason: Some(reason.to_owned()),
    };
    store.save_thread(&thread, ctx).await?;
    Ok(true)
}

/// The thread's turn lock when the store shares its locks: `Ok(None)` if a turn holds it,
/// `Ok(Some(None))` when the store has no shared locks to take.
async fn lock_if_shared<C, S>(
    store: &S,
    ctx: &C,
    id: &ThreadId,
) -> Result<Option<Option<TurnLock>>, StoreError>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    match store.turn_locks() {
        Some(locks) => Ok(locks.try_lock(ctx.user_id(), id).await?.map(Some)),
        None => Ok(Some(None)),
    }
}

/// Gives back a lock taken by [`lock_if_shared`], if one was.
async fn release(lock: Option<TurnLock>) {
    if let Some(lock) = lock {
        lock.release().await;
    }
}

/// When `thread` last changed: its newest item's `created_at`, or its own without items.
///
/// # Errors
///
/// A store failure.
pub async fn last_activity<C, S>(
    store: &S,
    thread: &ThreadMetadata,
    ctx: &C,
) -> Result<Timestamp, StoreError>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    let newest = store
        .load_thread_items(&thread.id, &PageRequest::first(1, Order::Desc), ctx)
        .await?;
    Ok(newest
        .data
        .first()
        .map_or_else(|| thread.created_at, |item| item.created_at))
}
