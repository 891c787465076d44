//! Continuity and retention: a user's threads, straight from the store.
//!
//! A ChatKit "session" is the user's threads. The client's history panel pages through them
//! with `threads.list` (newest first, `limit`, `after`); `lesson05 threads` does the same
//! through the `Store` trait, so you can see what the panel sees. Retention is the other end
//! of a thread's life: `purge` deletes a user's old threads, `close-idle` closes the ones left
//! idle. Both come from `chatkit::store::retention` and act for one user only: every store
//! call carries that user's context, so no other user's thread is read or touched.
//!
//! Where it sits: beside the server, on the same store; run it while the server is stopped
//! or running (the SQLite file takes both).

use chatkit::clock::{Clock, SystemClock};
use chatkit::prelude::*;
use chatkit::protocol::ThreadStatus;
use chatkit::store::retention;
use chrono::TimeDelta;

use crate::context::{AppContext, LANGUAGES};

/// What to do with a user's threads instead of serving.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ThreadsCommand {
    /// List a user's threads, newest first, one page at a time, as the history panel does.
    Threads {
        /// Whose threads.
        #[arg(long)]
        user: String,
        /// Threads per page.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// The last thread of the previous page (printed at the end of each page).
        #[arg(long, value_name = "THREAD_ID")]
        after: Option<String>,
    },
    /// Delete a user's threads created more than DAYS days ago, with their items.
    Purge {
        /// Whose threads.
        #[arg(long)]
        user: String,
        /// The age, in days, past which a thread is deleted.
        #[arg(long, value_name = "DAYS")]
        older_than_days: u32,
    },
    /// Close a user's active threads that have had no new item for more than MINUTES minutes.
    CloseIdle {
        /// Whose threads.
        #[arg(long)]
        user: String,
        /// How long a thread may stay idle.
        #[arg(long, value_name = "MINUTES")]
        idle_minutes: u32,
    },
}

// ANCHOR: run
/// Runs `command` on `store` and prints what it did.
pub(crate) async fn run(
    command: ThreadsCommand,
    store: &dyn Store<AppContext>,
) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match command {
        ThreadsCommand::Threads { user, limit, after } => {
            let page = PageRequest {
                after,
                limit,
                order: Order::Desc,
            };
            let threads = store.load_threads(&page, &as_user(user)).await?;
            for thread in &threads.data {
                let title = thread.title.as_deref().unwrap_or("(untitled)");
                let status = status_text(&thread.status);
                println!("{}  {}  {status}  {title}", thread.id, thread.created_at);
            }
            match threads.after {
                Some(last) if threads.has_more => println!("more: --after {last}"),
                _ => println!("({} threads, no more)", threads.data.len()),
            }
        }
        ThreadsCommand::Purge {
            user,
            older_than_days,
        } => {
            let cutoff = now.as_datetime() - TimeDelta::days(older_than_days.into());
            let ctx = as_user(user);
            let purged =
                retention::purge_threads_created_before(store, &ctx, cutoff.into()).await?;
            println!("deleted {} threads created before {cutoff}", purged.len());
        }
        ThreadsCommand::CloseIdle { user, idle_minutes } => {
            let idle_for = TimeDelta::minutes(idle_minutes.into());
            let reason = format!("Closed after {idle_minutes} minutes without a message");
            let ctx = as_user(user);
            let closed = retention::close_idle_threads(store, &ctx, now, idle_for, &reason).await?;
            println!("closed {} idle threads: {closed:?}", closed.len());
        }
    }
    Ok(())
}
// ANCHOR_END: run

/// `active`, `locked: <reason>` or `closed: <reason>`.
fn status_text(status: &ThreadStatus) -> String {
    let (word, reason) = match status {
        ThreadStatus::Active => return "active".to_owned(),
        ThreadStatus::Locked { reason } => ("locked", reason),
        ThreadStatus::Closed { reason } => ("closed", reason),
    };
    match reason {
        Some(reason) => format!("{word}: {reason}"),
        None => word.to_owned(),
    }
}

/// The context of a command run for `user`: no request, so no language either.
fn as_user(user: String) -> AppContext {
    AppContext {
        user_id: user,
        language: LANGUAGES[0],
    }
}
