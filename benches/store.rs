//! How fast the two stores are at the two things a chat server does most: append an item to
//! a thread, and read the newest page of a long thread.
//!
//! Run with `cargo bench --bench store`. Each benchmark runs once per store type:
//!
//! * `add_thread_item`: one `add_thread_item` per iteration into a growing thread; divan
//!   reports the rate as items per second.
//! * `load_first_page` / `load_middle_page`: a 20-item page, newest first, of a thread of
//!   10,000 items: the first page, and the page after a cursor halfway down.
//! * `blocking_pool_round_trip`: an empty `spawn_blocking`, the floor under every
//!   `SqliteStore` call; subtract it to see what SQLite itself costs.
//!
//! Every call goes through a tokio runtime with `block_on`, as a server's would, so the
//! figures include the async bridge (for `SqliteStore`, a hop to the blocking pool and back).
//! `SqliteStore` works on a file in a temporary directory, in WAL mode, as in production.

use std::cell::Cell;

use chatkit::protocol::{
    InferenceOptions, ItemId, ItemKind, Order, ThreadId, ThreadItem, Timestamp, UserMessage,
    UserMessageContent,
};
use chatkit::store::{MemoryStore, PageRequest, SqliteStore, Store, UserContext};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// How many items the thread of the page benchmarks holds.
const THREAD_LENGTH: usize = 10_000;
/// The size of a page, as the server's `items.list` default.
const PAGE_SIZE: usize = 20;

fn main() {
    divan::main();
}

/// A store opened for one benchmark, with whatever must live as long as it.
struct Opened<S> {
    store: S,
    /// The temporary directory of a file-backed store, removed when the benchmark ends.
    _dir: Option<TempDir>,
}

/// How each store under test is opened.
trait BenchStore: Store<UserContext> + Sized {
    fn open(runtime: &Runtime) -> Opened<Self>;
}

impl BenchStore for MemoryStore {
    fn open(_runtime: &Runtime) -> Opened<Self> {
        Opened {
            store: MemoryStore::new(),
            _dir: None,
        }
    }
}

impl BenchStore for SqliteStore {
    fn open(runtime: &Runtime) -> Opened<Self> {
        let dir = TempDir::new().expect("a temporary directory");
        let path = dir.path().join("bench.db");
        let store = runtime
            .block_on(SqliteStore::open(path))
            .expect("open the database");
        Opened {
            store,
            _dir: Some(dir),
        }
    }
}

fn user() -> UserContext {
    UserContext::new("bench_user")
}

fn thread_id() -> ThreadId {
    ThreadId::new("thr_bench")
}

/// The `n`th message of the thread: a short user message, `n` seconds after a fixed start.
fn message(n: usize) -> ThreadItem {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
    let offset = chrono::Duration::seconds(n as i64);
    ThreadItem {
        id: ItemId::new(format!("msg_{n:06}")),
        thread_id: thread_id(),
        created_at: Timestamp::from_datetime(start.as_datetime() + offset),
        kind: ItemKind::UserMessage(UserMessage {
            content: vec![UserMessageContent::text("How long until the bus arrives?")],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        }),
    }
}

/// Appends one new item per iteration to a thread that grows as the benchmark runs, to
/// 10,000 items (1,000 samples of 10).
#[divan::bench(types = [MemoryStore, SqliteStore], sample_count = 1_000, sample_size = 10)]
fn add_thread_item<S: BenchStore>(bencher: Bencher) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let opened = S::open(&runtime);
    let next = Cell::new(0);
    bencher
        .counter(ItemsCount::new(1_usize))
        .with_inputs(|| {
            let n = next.get();
            next.set(n + 1);
            message(n)
        })
        .bench_local_refs(|item| {
            runtime
                .block_on(opened.store.add_thread_item(&thread_id(), item, &user()))
                .expect("insert")
        });
}

/// A store holding one thread of [`THREAD_LENGTH`] items.
fn long_thread<S: BenchStore>(runtime: &Runtime) -> Opened<S> {
    let opened = S::open(runtime);
    runtime.block_on(async {
        for n in 0..THREAD_LENGTH {
            opened
                .store
                .add_thread_item(&thread_id(), &message(n), &user())
                .await
                .expect("insert");
        }
    });
    opened
}

/// Loads `page` of the long thread once per iteration.
fn bench_page<S: BenchStore>(bencher: Bencher, page: PageRequest) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let opened = long_thread::<S>(&runtime);
    bencher.bench_local(|| {
        let loaded = runtime
            .block_on(opened.store.load_thread_items(&thread_id(), &page, &user()))
            .expect("load");
        assert_eq!(loaded.data.len(), PAGE_SIZE);
        black_box(loaded)
    });
}

/// The newest 20 items: what a client shows when it opens a thread.
#[divan::bench(types = [MemoryStore, SqliteStore], sample_count = 1_000)]
fn load_first_page<S: BenchStore>(bencher: Bencher) {
    bench_page::<S>(bencher, PageRequest::first(PAGE_SIZE, Order::Desc));
}

/// The 20 items after one halfway down: scrolling back through history.
#[divan::bench(types = [MemoryStore, SqliteStore], sample_count = 1_000)]
fn load_middle_page<S: BenchStore>(bencher: Bencher) {
    let cursor = message(THREAD_LENGTH / 2).id.to_string();
    bench_page::<S>(bencher, PageRequest::after(cursor, PAGE_SIZE, Order::Desc));
}

/// A `spawn_blocking` that does nothing: what the async bridge alone costs per call.
#[divan::bench(sample_count = 1_000)]
fn blocking_pool_round_trip(bencher: Bencher) {
    let runtime = Runtime::new().expect("a tokio runtime");
    bencher.bench_local(|| {
        // Spawned inside `block_on`: `spawn_blocking` needs to be called within the runtime.
        runtime
            .block_on(async { tokio::task::spawn_blocking(|| black_box(1)).await })
            .expect("the blocking task ran")
    });
}
