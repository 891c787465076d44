//! The store contract, run against every store in this crate, plus the tests that are about
//! one store or about a difference from the reference.
//!
//! `store_contract_tests!` expands to one `#[tokio::test]` per behaviour of
//! `chatkit::store::contract`; each module below instantiates it for one store.

use std::sync::Mutex;

use async_trait::async_trait;
use chatkit::id_gen::{IdKind, SequentialIds};
use chatkit::protocol::{
    Attachment, AttachmentId, InferenceOptions, ItemId, ItemKind, Order, Page, ThreadId,
    ThreadItem, ThreadMetadata, Timestamp, UserMessage, UserMessageContent,
};
use chatkit::store::{MemoryStore, PageRequest, Store, StoreContext, StoreError, UserContext};

mod memory_store {
    use super::*;

    chatkit::store_contract_tests!(async { MemoryStore::new().with_ids(SequentialIds::new()) });
}

mod sqlite_store {
    use super::*;
    use chatkit::store::SqliteStore;

    chatkit::store_contract_tests!(async {
        SqliteStore::open_in_memory()
            .await
            .expect("an in-memory database opens")
            .with_ids(SequentialIds::new())
    });
}

/// The contract on PostgreSQL, each test in a schema of its own so that they run in
/// parallel, and what only a shared database has: two stores on one schema, migrations run
/// again or at once, a database that is not there.
///
/// The database comes from `CHATKIT_TEST_DATABASE_URL`. Without it these tests pass at once
/// and one line says how to run them; `.ci/run` always sets it, so CI never skips them.
mod postgres_store {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    use chatkit::store::PostgresStore;
    use chatkit::store::contract::test_database_url;

    /// Test schemas older than this are left over from earlier runs and are dropped. No run
    /// lasts an hour, so a schema that another run is still using is never dropped.
    const LEFTOVER_AGE_SECONDS: u64 = 3_600;

    fn now_seconds() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }

    /// A schema name no other test or run uses: its time (so that a later run can tell a
    /// leftover), the process, and a counter.
    fn fresh_schema() -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        format!("chatkit_test_{}_{}_{n}", now_seconds(), std::process::id())
    }

    /// A plain connection beside the store, to look at or change what it wrote.
    async fn raw_client(url: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("the test database is reachable");
        tokio::spawn(connection);
        client
    }

    async fn drop_schema(url: &str, schema: &str) {
        raw_client(url)
            .await
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop the test schema");
    }

    /// Drops the schemas of runs that ended more than an hour ago, once per test binary. The
    /// contract's tests cannot drop their own (the macro has no step after the test), so each
    /// run cleans up after the ones before it.
    async fn drop_leftover_schemas(url: &str) {
        static SWEPT: AtomicBool = AtomicBool::new(false);
        if SWEPT.swap(true, Ordering::Relaxed) {
            return;
        }
        let client = raw_client(url).await;
        let rows = client
            .query(
                r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'chatkit\_test\_%'",
                &[],
            )
            .await
            .expect("list the test schemas");
        for row in rows {
            let name: String = row.get(0);
            let created = name
                .split('_')
                .nth(2)
                .and_then(|seconds| seconds.parse::<u64>().ok());
            if created.is_some_and(|at| now_seconds().saturating_sub(at) > LEFTOVER_AGE_SECONDS) {
                // Another run may be dropping the same one: `IF EXISTS`, and a failure is
                // only a schema left for the next run.
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await;
            }
        }
    }

    async fn fresh_store() -> Option<PostgresStore> {
        let url = test_database_url()?;
        drop_leftover_schemas(&url).await;
        let store = PostgresStore::connect_in_schema(&url, &fresh_schema())
            .await
            .expect("the test database is reachable");
        Some(store.with_ids(SequentialIds::new()))
    }

    chatkit::store_contract_tests!(optional: fresh_store());

    async fn connect(url: &str, schema: &str) -> PostgresStore {
        PostgresStore::connect_in_schema(url, schema)
            .await
            .expect("connect")
    }

    async fn recorded_versions(url: &str, schema: &str) -> Vec<i32> {
        raw_client(url)
            .await
            .query(
                &format!("SELECT version FROM {schema}.schema_migrations ORDER BY version"),
                &[],
            )
            .await
            .expect("read the versions")
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    fn at(seconds: i64) -> Timestamp {
        let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
        Timestamp::from_datetime(start.as_datetime() + chrono::Duration::seconds(seconds))
    }

    /// Two stores stand in for two server instances: what one writes, the other reads at
    /// once, because neither keeps anything in memory.
    #[tokio::test]
    async fn two_stores_on_one_schema_see_each_others_writes() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        let (a, b) = (connect(&url, &schema).await, connect(&url, &schema).await);
        let user = UserContext::new("u");
        let thread_id = ThreadId::new("thr_1");
        let mut thread = ThreadMetadata::new("thr_1", at(0));

        a.save_thread(&thread, &user).await.expect("save on a");
        assert_eq!(b.load_thread(&thread_id, &user).await.expect("b"), thread);

        b.add_thread_item(&thread_id, &message("msg_1", at(1)), &user)
            .await
            .expect("add on b");
        let page = a
            .load_thread_items(&thread_id, &PageRequest::first(10, Order::Asc), &user)
            .await
            .expect("load on a");
        assert_eq!(page.data, [message("msg_1", at(1))]);
        let again = a
            .add_thread_item(&thread_id, &message("msg_1", at(2)), &user)
            .await;
        assert!(
            matches!(again, Err(StoreError::DuplicateItem { .. })),
            "{again:?}"
        );

        thread.title = Some("renamed on b".to_owned());
        b.save_thread(&thread, &user).await.expect("update on b");
        let seen = a.load_thread(&thread_id, &user).await.expect("a");
        assert_eq!(seen.title.as_deref(), Some("renamed on b"));

        b.delete_thread(&thread_id, &user)
            .await
            .expect("delete on b");
        let gone = a.load_thread(&thread_id, &user).await;
        assert!(
            matches!(gone, Err(StoreError::ThreadNotFound { .. })),
            "{gone:?}"
        );
        let items = a
            .load_thread_items(&thread_id, &PageRequest::first(10, Order::Asc), &user)
            .await
            .expect("load on a");
        assert!(items.data.is_empty(), "{items:?}");
        drop_schema(&url, &schema).await;
    }

    /// Two stores stand in for two instances: a thread's turn lock taken through one is
    /// refused through the other until it is released, and each instance's own second try is
    /// refused too (a session lock is re-entrant, so that is the local lock's work). Owners,
    /// threads and schemas with the same ids, and ids with any characters, are apart.
    #[tokio::test]
    async fn a_turn_lock_holds_across_instances_until_it_is_released() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        let (a, b) = (connect(&url, &schema).await, connect(&url, &schema).await);
        let locks_a = Store::<UserContext>::turn_locks(&a).expect("shared locks");
        let locks_b = Store::<UserContext>::turn_locks(&b).expect("shared locks");
        let thread = ThreadId::new("thr_1");

        let held = locks_a.try_lock("u", &thread).await.expect("no error");
        let held = held.expect("a free thread");
        assert!(
            locks_b
                .try_lock("u", &thread)
                .await
                .expect("no error")
                .is_none()
        );
        assert!(
            locks_a
                .try_lock("u", &thread)
                .await
                .expect("no error")
                .is_none()
        );
        // Apart: another owner, another thread, an owner and thread that a plain join of the
        // parts would confuse, and the same ids in another schema.
        for (owner, id) in [
            ("v", "thr_1"),
            ("u", "thr_2"),
            ("u thr", "_1"),
            ("", "u thr_1"),
        ] {
            let other = locks_b
                .try_lock(owner, &ThreadId::new(id))
                .await
                .expect("no error");
            assert!(other.is_some(), "{owner:?} {id:?} is not the locked thread");
        }
        let other_schema = fresh_schema();
        let elsewhere = connect(&url, &other_schema).await;
        let elsewhere = Store::<UserContext>::turn_locks(&elsewhere).expect("shared locks");
        assert!(
            elsewhere
                .try_lock("u", &thread)
                .await
                .expect("no error")
                .is_some()
        );

        held.release().await;
        let again = locks_b.try_lock("u", &thread).await.expect("no error");
        assert!(again.is_some(), "free once released");
        drop_schema(&url, &schema).await;
        drop_schema(&url, &other_schema).await;
    }

    #[tokio::test]
    async fn a_second_start_migrates_nothing_and_keeps_the_data() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        let user = UserContext::new("u");
        let thread = ThreadMetadata::new("thr_1", at(0));
        connect(&url, &schema)
            .await
            .save_thread(&thread, &user)
            .await
            .expect("save");

        let again = connect(&url, &schema).await;
        assert_eq!(recorded_versions(&url, &schema).await, [1]);
        let kept = again.load_thread(&thread.id, &user).await.expect("kept");
        assert_eq!(kept, thread);
        drop_schema(&url, &schema).await;
    }

    /// Instances of a deploy start together: the advisory lock makes them migrate one at a
    /// time, so none fails on a table or schema that another has just created.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn stores_starting_together_on_a_new_schema_all_succeed() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        let mut starts = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let (url, schema) = (url.clone(), schema.clone());
            starts.spawn(async move { PostgresStore::connect_in_schema(&url, &schema).await });
        }
        while let Some(started) = starts.join_next().await {
            started.expect("no panic").expect("every start succeeds");
        }
        assert_eq!(recorded_versions(&url, &schema).await, [1]);
        drop_schema(&url, &schema).await;
    }

    #[tokio::test]
    async fn a_schema_from_a_newer_build_is_refused() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        drop(connect(&url, &schema).await);
        raw_client(&url)
            .await
            .batch_execute(&format!(
                "INSERT INTO {schema}.schema_migrations (version) VALUES (2)"
            ))
            .await
            .expect("pretend a newer build migrated");

        let refused = PostgresStore::connect_in_schema(&url, &schema).await;
        assert!(
            matches!(
                refused,
                Err(StoreError::UnsupportedSchema {
                    found: 2,
                    supported: 1
                })
            ),
            "{refused:?}"
        );
        drop_schema(&url, &schema).await;
    }

    #[tokio::test]
    async fn a_row_that_is_not_protocol_json_is_reported_as_corrupt() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = fresh_schema();
        let store = connect(&url, &schema).await;
        raw_client(&url)
            .await
            .batch_execute(&format!(
                r#"INSERT INTO {schema}.threads (owner, id, created_at, json)
                   VALUES ('u', 'thr_1', 0, '{{"id": 1}}')"#
            ))
            .await
            .expect("raw insert");
        let user = UserContext::new("u");
        let loaded = store.load_thread(&ThreadId::new("thr_1"), &user).await;
        assert!(
            matches!(loaded, Err(StoreError::Corrupt { what: "thread", .. })),
            "{loaded:?}"
        );
        let listed = store
            .load_threads(&PageRequest::first(10, Order::Asc), &user)
            .await;
        assert!(
            matches!(listed, Err(StoreError::Corrupt { what: "thread", .. })),
            "{listed:?}"
        );
        drop_schema(&url, &schema).await;
    }

    /// Needs no database: nothing listens on port 1, and the second URL does not parse.
    #[tokio::test]
    async fn a_database_that_is_not_there_is_a_typed_error() {
        for url in ["postgres://postgres@127.0.0.1:1/test", "postgres://:nope"] {
            let failed = PostgresStore::connect(url).await;
            assert!(
                matches!(failed, Err(StoreError::Postgres(_))),
                "{url}: {failed:?}"
            );
        }
    }
}

/// The contract through `Arc<dyn Store<_>>`, the type a binary holds when it picks its store
/// from a flag: the forwarding impl must keep every behaviour, the store's own ids included.
mod shared_store {
    use super::*;
    use std::sync::Arc;

    chatkit::store_contract_tests!(async {
        let store: Arc<dyn Store<UserContext>> =
            Arc::new(MemoryStore::new().with_ids(SequentialIds::new()));
        store
    });
}

/// The reference's `CustomSQLiteStore`: a store whose id methods are overridden, here by
/// wrapping another store and delegating everything else to it.
#[derive(Debug)]
struct CustomIdStore {
    inner: MemoryStore,
    counter: Mutex<u32>,
}

impl CustomIdStore {
    fn next(&self) -> u32 {
        let mut counter = self.counter.lock().expect("not poisoned");
        *counter += 1;
        *counter
    }
}

#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for CustomIdStore {
    fn generate_thread_id(&self, _ctx: &C) -> ThreadId {
        ThreadId::new(format!("thr_custom_{}", self.next()))
    }

    fn generate_item_id(&self, kind: IdKind, thread: &ThreadMetadata, _ctx: &C) -> ItemId {
        ItemId::new(format!(
            "{}_custom_{}_{}",
            kind.name(),
            self.next(),
            thread.id
        ))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        self.inner.load_thread(id, ctx).await
    }
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        self.inner.save_thread(thread, ctx).await
    }
    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        self.inner.load_threads(page, ctx).await
    }
    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        self.inner.delete_thread(id, ctx).await
    }
    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        self.inner.load_thread_items(thread_id, page, ctx).await
    }
    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.add_thread_item(thread_id, item, ctx).await
    }
    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.save_item(thread_id, item, ctx).await
    }
    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        self.inner.load_item(thread_id, item_id, ctx).await
    }
    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.delete_thread_item(thread_id, item_id, ctx).await
    }
    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        self.inner.save_attachment(attachment, ctx).await
    }
    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        self.inner.load_attachment(id, ctx).await
    }
    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        self.inner.delete_attachment(id, ctx).await
    }
}

/// Reference `test_overridden_id_generators_are_used`.
#[tokio::test]
async fn overridden_id_generators_are_used() {
    let store = CustomIdStore {
        inner: MemoryStore::new(),
        counter: Mutex::new(0),
    };
    let user = UserContext::new("test_user");
    let thread_id = Store::<UserContext>::generate_thread_id(&store, &user);
    assert_eq!(thread_id, "thr_custom_1");
    let at = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let thread = ThreadMetadata::new(thread_id, at);
    let item_id = Store::<UserContext>::generate_item_id(&store, IdKind::Message, &thread, &user);
    assert_eq!(item_id, "message_custom_2_thr_custom_1");
}

fn message(id: &str, created_at: Timestamp) -> ThreadItem {
    ThreadItem {
        id: ItemId::new(id),
        thread_id: ThreadId::new("thr_1"),
        created_at,
        kind: ItemKind::UserMessage(UserMessage {
            content: vec![UserMessageContent::text(id)],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        }),
    }
}

/// The reference's cursor rule (`tests/helpers/mock_store.py`): the page after a cursor holds
/// the items whose `created_at` is strictly greater than the cursor's.
fn reference_page_after<'a>(
    sorted: &'a [ThreadItem],
    cursor: &str,
    limit: usize,
) -> Vec<&'a ThreadItem> {
    let cursor_time = sorted
        .iter()
        .find(|item| item.id == cursor)
        .map(|item| item.created_at);
    sorted
        .iter()
        .filter(|item| Some(item.created_at) > cursor_time)
        .take(limit)
        .collect()
}

/// Difference from the reference: three messages stamped in the same microsecond, read one
/// per page. The reference's rule loses the second and third; ours returns all three.
#[tokio::test]
async fn paging_by_created_at_and_id_returns_what_the_reference_rule_skips() {
    let same_time = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let items: Vec<_> = ["msg_a", "msg_b", "msg_c"]
        .iter()
        .map(|id| message(id, same_time))
        .collect();
    assert!(
        reference_page_after(&items, "msg_a", 1).is_empty(),
        "the reference rule skips msg_b"
    );

    let store = MemoryStore::new();
    let user = UserContext::new("u");
    for item in &items {
        store
            .add_thread_item(&ThreadId::new("thr_1"), item, &user)
            .await
            .expect("insert");
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(1, Order::Asc);
    loop {
        let loaded = store
            .load_thread_items(&ThreadId::new("thr_1"), &page, &user)
            .await
            .expect("page");
        seen.extend(loaded.data.iter().map(|item| item.id.to_string()));
        let Some(cursor) = loaded.after else { break };
        page = PageRequest::after(cursor, 1, Order::Asc);
    }
    assert_eq!(seen, ["msg_a", "msg_b", "msg_c"]);
}
