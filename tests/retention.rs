//! Retention through the store API (`chatkit::store::retention`), on both stores: a purge of
//! one user's old threads across several pages, and idle threads closed at an injected time,
//! with another user's threads left exactly as they were.

use chatkit::protocol::{Order, ThreadId, ThreadItem, ThreadMetadata, ThreadStatus, Timestamp};
use chatkit::store::retention::{self, PAGE_SIZE};
use chatkit::store::{AnyStore, MemoryStore, PageRequest, SqliteStore, Store, UserContext};
use chrono::TimeDelta;
use serde_json::json;

fn at(seconds: i64) -> Timestamp {
    let start = Timestamp::from_ymd_hms(2025, 1, 1, 0, 0, 0).expect("a valid date");
    (start.as_datetime() + TimeDelta::seconds(seconds)).into()
}

fn user(name: &str) -> UserContext {
    UserContext::new(name)
}

async fn save_thread(store: &AnyStore, id: &str, created: i64, owner: &str) {
    let thread = ThreadMetadata::new(ThreadId::new(id), at(created));
    store
        .save_thread(&thread, &user(owner))
        .await
        .expect("saved");
}

async fn add_message(store: &AnyStore, thread: &str, id: &str, created: i64, owner: &str) {
    let item: ThreadItem = serde_json::from_value(json!({
        "id": id, "thread_id": thread, "created_at": at(created), "type": "user_message",
        "content": [{"type": "input_text", "text": "hi"}], "attachments": [], "inference_options": {}
    }))
    .expect("an item");
    store
        .add_thread_item(&ThreadId::new(thread), &item, &user(owner))
        .await
        .expect("added");
}

/// Every thread of `owner`, oldest first, as `(id, status)`.
async fn threads_of(store: &AnyStore, owner: &str) -> Vec<(String, ThreadStatus)> {
    let all = PageRequest::first(10_000, Order::Asc);
    let page = store
        .load_threads(&all, &user(owner))
        .await
        .expect("listed");
    page.data
        .into_iter()
        .map(|thread| (thread.id.to_string(), thread.status))
        .collect()
}

async fn stores() -> [AnyStore; 2] {
    let sqlite = SqliteStore::open_in_memory()
        .await
        .expect("an in-memory SQLite store");
    [MemoryStore::new().into(), sqlite.into()]
}

#[tokio::test]
async fn a_purge_deletes_one_users_old_threads_across_pages_and_no_one_elses() {
    for store in stores().await {
        // Two and a half pages of Alice's threads, one a second; Bob's are all older.
        let alice_threads = 2 * PAGE_SIZE + PAGE_SIZE / 2;
        for n in 0..alice_threads {
            let id = format!("thr_a{n:04}");
            save_thread(&store, &id, 100 + n as i64, "alice").await;
            add_message(
                &store,
                &id,
                &format!("msg_a{n:04}"),
                100 + n as i64,
                "alice",
            )
            .await;
        }
        for n in 0..3 {
            save_thread(&store, &format!("thr_b{n}"), n, "bob").await;
        }
        let bob_before = threads_of(&store, "bob").await;

        // Everything created before Alice's thread number 230 goes.
        let cutoff = at(100 + 230);
        let purged = retention::purge_threads_created_before(&store, &user("alice"), cutoff)
            .await
            .expect("purged");

        let expected: Vec<String> = (0..230).map(|n| format!("thr_a{n:04}")).collect();
        let purged: Vec<String> = purged.iter().map(ThreadId::to_string).collect();
        assert_eq!(purged, expected, "{store:?}");
        let left = threads_of(&store, "alice").await;
        assert_eq!(left.len(), alice_threads - 230, "{store:?}");
        assert_eq!(left[0].0, "thr_a0230");
        // Their items went with them.
        let items = store
            .load_thread_items(
                &ThreadId::new("thr_a0000"),
                &PageRequest::first(10, Order::Asc),
                &user("alice"),
            )
            .await
            .expect("listed");
        assert!(items.data.is_empty(), "{store:?}");
        assert_eq!(threads_of(&store, "bob").await, bob_before, "{store:?}");
    }
}

#[tokio::test]
async fn a_purge_with_nothing_old_enough_deletes_nothing() {
    for store in stores().await {
        save_thread(&store, "thr_new", 500, "alice").await;
        let purged = retention::purge_threads_created_before(&store, &user("alice"), at(10))
            .await
            .expect("purged");
        assert!(purged.is_empty());
        assert_eq!(threads_of(&store, "alice").await.len(), 1);
    }
}

#[tokio::test]
async fn idle_threads_are_closed_by_their_newest_item_and_others_are_left_alone() {
    let minutes = |n: i64| n * 60;
    for store in stores().await {
        // Quiet since minute 0; busy at minute 50 though created at 0; created at 45 and
        // empty; already locked and quiet; Bob's, quiet.
        save_thread(&store, "thr_quiet", 0, "alice").await;
        add_message(&store, "thr_quiet", "msg_q", minutes(1), "alice").await;
        save_thread(&store, "thr_busy", 0, "alice").await;
        add_message(&store, "thr_busy", "msg_b", minutes(50), "alice").await;
        save_thread(&store, "thr_empty", minutes(45), "alice").await;
        let locked = ThreadMetadata {
            status: ThreadStatus::Locked {
                reason: Some("Waiting for an agent".into()),
            },
            ..ThreadMetadata::new(ThreadId::new("thr_locked"), at(0))
        };
        store
            .save_thread(&locked, &user("alice"))
            .await
            .expect("saved");
        save_thread(&store, "thr_bob", 0, "bob").await;

        // At minute 60, with a 30-minute limit: only the quiet thread has been idle longer.
        let closed = retention::close_idle_threads(
            &store,
            &user("alice"),
            at(minutes(60)),
            TimeDelta::minutes(30),
            "Closed after 30 idle minutes",
        )
        .await
        .expect("closed");

        assert_eq!(closed, [ThreadId::new("thr_quiet")], "{store:?}");
        let closed_status = ThreadStatus::Closed {
            reason: Some("Closed after 30 idle minutes".into()),
        };
        let statuses = threads_of(&store, "alice").await;
        let status_of = |id: &str| {
            statuses
                .iter()
                .find(|(thread, _)| thread == id)
                .map(|(_, s)| s.clone())
        };
        assert_eq!(status_of("thr_quiet"), Some(closed_status));
        assert_eq!(status_of("thr_busy"), Some(ThreadStatus::Active));
        assert_eq!(status_of("thr_empty"), Some(ThreadStatus::Active));
        assert_eq!(
            status_of("thr_locked"),
            Some(locked.status.clone()),
            "an earlier reason is kept"
        );
        assert_eq!(
            threads_of(&store, "bob").await,
            [("thr_bob".into(), ThreadStatus::Active)]
        );
    }
}
