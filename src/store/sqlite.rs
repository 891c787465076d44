//! `SqliteStore`: threads, items and attachments in one SQLite file, the lessons' default.
//!
//! # Crate and bridge
//!
//! We use [`rusqlite`] (with SQLite compiled in, feature `bundled`, so there is nothing to
//! install) and reach it from async code through [`tokio::task::spawn_blocking`]. rusqlite is
//! a synchronous API: every call may wait on the disk, or on another process's lock for up to
//! the busy timeout, and doing that on a runtime worker would stall every other request the
//! worker serves. `spawn_blocking` moves each call to tokio's blocking pool instead.
//!
//! Alternatives we turned down:
//!
//! * **sqlx** is async all the way down, but it is a large dependency (+47 crates, +12 s of cold
//!   build) for one embedded file, and it cannot sit beside rusqlite 0.43 in one build because
//!   both link `libsqlite3-sys`.
//! * **tokio-rusqlite**, **deadpool-sqlite**, **r2d2_sqlite** wrap exactly the bridge written
//!   here, but all pin an older rusqlite (0.40) and do not resolve next to 0.43. The bridge is
//!   twenty lines (`SqliteStore::with_connection`); writing it out also teaches it.
//!
//! # One connection behind a mutex
//!
//! The store owns **one** [`Connection`] behind a [`std::sync::Mutex`], and each call locks it
//! inside its blocking task. SQLite lets only one writer in at a time anyway, so a pool would
//! buy parallel *reads* at the price of writers that can collide and answer `SQLITE_BUSY`
//! ("database is locked"). With a single connection, callers in this process queue on the
//! mutex and never see that error, however many tasks write at once. The busy timeout covers
//! the remaining case, another process (or a second `SqliteStore`) on the same file. The
//! guard is never held across an `.await` (it lives only inside the blocking closure), which
//! is why a std mutex is right here and an async one would only add cost. If reads ever
//! become the bottleneck, the next step is one writer connection plus a few read-only ones,
//! which WAL mode lets run beside the writer.
//!
//! # Schema (version 1)
//!
//! ```text
//! threads     (owner, id)             created_at  json   + index (owner, created_at, id)
//! items       (owner, thread_id, id)  created_at  json   + index (owner, thread_id, created_at, id)
//! attachments (owner, id)                         json
//! ```
//!
//! Every primary key starts with the owner's user id, so a write by one user can never land on
//! another user's row, even when they pick the same ids. `json` is the value encoded with
//! [`to_store_json`] (attachment metadata included), and reads decode it back with serde, so a
//! row is exactly what the protocol says, and a new protocol field needs no migration.
//! `created_at` is repeated beside it as integer **microseconds since the Unix epoch**: the
//! text form drops its fraction when it is zero (`…:05Z` sorts after `…:05.5Z`), and an
//! integer sorts and compares correctly. There are no foreign keys: like the reference, a
//! store accepts items for a thread it has not saved, and [`Store::delete_thread`] deletes
//! the items itself.
//!
//! # Paging
//!
//! The rule of `paging.rs`, in SQL: the cursor row is looked up first (an unknown id is
//! [`StoreError::UnknownCursor`]), then `(created_at, id) > (cursor_at, cursor_id)` (`<` when
//! newest first) walks the index from the cursor without scanning what lies before it, and
//! `LIMIT limit + 1` says whether more follow.
//!
//! # Migration
//!
//! The schema version lives in the file header (`PRAGMA user_version`). `MIGRATIONS` is a
//! list of SQL scripts: script *n* takes the file from version *n* to *n + 1*, and the current
//! version is the length of the list. Opening runs the missing scripts in one transaction, so
//! a new file (version 0) gets the whole schema, an older file is brought up to date, and a
//! file from a newer build is refused with [`StoreError::UnsupportedSchema`] rather than
//! misread. Version 2 will be one more entry, never an edit of an old one.
//!
//! # Cancellation
//!
//! A blocking task cannot be stopped from outside. If the future of a store call is dropped
//! (the client went away), the SQL still runs to completion and the write happens although
//! nobody hears the answer. Every write is one statement or one transaction, so it is never
//! half applied.
//!
//! Where it sits: an implementation of [`Store`]; the server reads and writes through it.
//! Errors are [`StoreError`]s, which the server turns into an HTTP status or an in-band error
//! event. Python counterpart: `SQLiteStore` in the SDK's `tests/helpers/mock_store.py`, which
//! also keeps each model as JSON. It differs where this file is careful: it calls `sqlite3`
//! synchronously inside `async def` (blocking the event loop), opens a connection per call,
//! keys items and threads by `id` alone (so users share one id space), stores `created_at` as
//! text and pages by it alone, and records its schema version in the file *name*.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, ffi};
use serde::de::DeserializeOwned;

use crate::id_gen::{IdGenerator, IdKind, RandomIds};
use crate::protocol::{
    Attachment, AttachmentId, ItemId, Order, Page, ThreadId, ThreadItem, ThreadMetadata, Timestamp,
    to_store_json,
};

use super::{PageRequest, Store, StoreContext, StoreError};

/// How long a statement waits for another connection's lock before failing. Only other
/// processes (or other `SqliteStore`s on the same file) can hold one; see the module doc.
///
/// Five seconds is long next to any single write here (one row, or one thread's items), so a
/// timeout means something is really stuck, and short enough that the request fails with an
/// error instead of hanging until the client gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Room for every statement below in rusqlite's prepared-statement cache (the default is 16),
/// so no call parses its SQL twice.
const STATEMENT_CACHE_CAPACITY: usize = 32;

/// Version 1 of the schema; see the module doc for why each column is what it is.
///
/// Why each key and index is there:
///
/// * `PRIMARY KEY (owner, id)` and `(owner, thread_id, id)`: the owner comes first so that a
///   user's rows form one contiguous range of the key, and every lookup the store makes
///   (`WHERE owner = ? AND id = ?`) is a single seek. It also makes the same id under two
///   owners two different rows: the reference's helper keys by `id` alone, so one user's
///   insert can collide with another's. The item key puts `thread_id` before `id` so that
///   `DELETE … WHERE owner = ? AND thread_id = ?` (deleting a thread) is a range of the
///   primary key, not a scan.
/// * `threads_by_time (owner, created_at, id)`: `threads.list` pages by time, which the
///   primary key's `(owner, id)` order cannot give. With the owner first, the time order and
///   the `id` tie-break in the index, both `ORDER BY` directions walk the index (backwards for
///   newest first) and SQLite never sorts; `paged_queries_use_the_time_index_without_sorting`
///   checks that claim.
/// * `items_by_time (owner, thread_id, created_at, id)`: the same for a thread's items, which
///   are read on every turn (`items.list`, and the model's history), so this is the hottest
///   query of the store. `(owner, thread_id)` is an equality prefix, and the row-value
///   comparison `(created_at, id) > (…)` lets SQLite enter the index at the cursor.
/// * `attachments` has no second index: an attachment is only ever looked up by its id,
///   never listed, which is also why it has no `created_at` column.
/// * `TEXT` ids, not integer row ids: ids come from the protocol (`thr_…`, `msg_…`) and a
///   model provider may choose them, so they are the key as given.
const SCHEMA_V1: &str = "
CREATE TABLE threads (
    owner      TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    json       TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE INDEX threads_by_time ON threads (owner, created_at, id);

CREATE TABLE items (
    owner      TEXT    NOT NULL,
    thread_id  TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    json       TEXT    NOT NULL,
    PRIMARY KEY (owner, thread_id, id)
);
CREATE INDEX items_by_time ON items (owner, thread_id, created_at, id);

CREATE TABLE attachments (
    owner TEXT NOT NULL,
    id    TEXT NOT NULL,
    json  TEXT NOT NULL,
    PRIMARY KEY (owner, id)
);
";

/// The migration scripts: entry `n` takes a file from schema version `n` to `n + 1`.
/// Append; never edit an entry that has shipped.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

/// The schema version this build writes: one per migration, so the two cannot disagree.
const SCHEMA_VERSION: usize = MIGRATIONS.len();

// Every statement below names the owner in its `WHERE` or its key, never the id alone: that,
// and not a check in Rust, is what keeps one user away from another user's rows. Each is a
// constant, so every call passes the same text and `prepare_cached` reuses its parse.

const LOAD_THREAD: &str = "SELECT json FROM threads WHERE owner = ?1 AND id = ?2";
/// An upsert in one statement, so saving is atomic without a transaction of its own; the
/// reference's helper deletes and re-inserts instead. `created_at` is updated too, because
/// the column must stay equal to the one inside `json` for paging to agree with the data.
const SAVE_THREAD: &str = "
INSERT INTO threads (owner, id, created_at, json) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (owner, id) DO UPDATE SET created_at = excluded.created_at, json = excluded.json";
const DELETE_THREAD: &str = "DELETE FROM threads WHERE owner = ?1 AND id = ?2";
/// A range of the items' primary key `(owner, thread_id, …)`; run with [`DELETE_THREAD`] in
/// one transaction by [`delete_thread_and_items`], since there is no foreign key to cascade.
const DELETE_THREAD_ITEMS: &str = "DELETE FROM items WHERE owner = ?1 AND thread_id = ?2";

const LOAD_ITEM: &str = "SELECT json FROM items WHERE owner = ?1 AND thread_id = ?2 AND id = ?3";
/// A plain insert: the primary key refuses an id the thread already holds.
///
/// No `SELECT` first: a check followed by an insert would leave a gap in which another
/// connection could insert the same id. The key constraint is the check, atomically, and
/// `add_thread_item` turns its error into [`StoreError::DuplicateItem`].
const ADD_ITEM: &str =
    "INSERT INTO items (owner, thread_id, id, created_at, json) VALUES (?1, ?2, ?3, ?4, ?5)";
/// An upsert that replaces the whole row, so the item's kind and time may change.
const SAVE_ITEM: &str = "
INSERT INTO items (owner, thread_id, id, created_at, json) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (owner, thread_id, id) DO UPDATE SET
    created_at = excluded.created_at, json = excluded.json";
const DELETE_ITEM: &str = "DELETE FROM items WHERE owner = ?1 AND thread_id = ?2 AND id = ?3";

const LOAD_ATTACHMENT: &str = "SELECT json FROM attachments WHERE owner = ?1 AND id = ?2";
/// An upsert of the whole record, so `metadata` and `thread_id` are kept as given. The
/// server saves an attachment twice: on `attachments.create`, then again with its
/// `thread_id` once a message that uses it is posted (the reference does the same).
const SAVE_ATTACHMENT: &str = "
INSERT INTO attachments (owner, id, json) VALUES (?1, ?2, ?3)
ON CONFLICT (owner, id) DO UPDATE SET json = excluded.json";
const DELETE_ATTACHMENT: &str = "DELETE FROM attachments WHERE owner = ?1 AND id = ?2";

/// The SQL of one paged list: where its cursor is looked up, and one query for each
/// combination of order and cursor. Each is spelt out in full so it can be read (and pasted
/// into `sqlite3`) as it runs. Parameters are named because the two lists have different
/// scopes (`:owner`, or `:owner` and `:thread_id`), which positional numbers would shift.
///
/// Four queries rather than one with a computed `ORDER BY`: SQL cannot take the direction
/// as a parameter, and text assembled at run time would miss the statement cache and
/// hide from a reader which query actually ran.
struct ListQueries {
    /// What the rows are, for [`StoreError::Corrupt`].
    what: &'static str,
    /// The `created_at` of the cursor element, if it exists in this scope. Looked up by
    /// primary key and scoped like the page, so another user's id is an unknown cursor.
    cursor: &'static str,
    /// The first page, oldest first.
    first_asc: &'static str,
    /// The first page, newest first: the same index, walked backwards.
    first_desc: &'static str,
    /// A later page, oldest first. The row value compares `id` only when times are equal,
    /// which is the tie-break that keeps same-time rows from being skipped.
    after_asc: &'static str,
    /// A later page, newest first.
    after_desc: &'static str,
}

const THREAD_LIST: ListQueries = ListQueries {
    what: "thread",
    cursor: "SELECT created_at FROM threads WHERE owner = :owner AND id = :cursor",
    first_asc: "SELECT id, json FROM threads WHERE owner = :owner
        ORDER BY created_at ASC, id ASC LIMIT :limit",
    first_desc: "SELECT id, json FROM threads WHERE owner = :owner
        ORDER BY created_at DESC, id DESC LIMIT :limit",
    after_asc: "SELECT id, json FROM threads WHERE owner = :owner
        AND (created_at, id) > (:cursor_at, :cursor)
        ORDER BY created_at ASC, id ASC LIMIT :limit",
    after_desc: "SELECT id, json FROM threads WHERE owner = :owner
        AND (created_at, id) < (:cursor_at, :cursor)
        ORDER BY created_at DESC, id DESC LIMIT :limit",
};

const ITEM_LIST: ListQueries = ListQueries {
    what: "item",
    cursor: "SELECT created_at FROM items
        WHERE owner = :owner AND thread_id = :thread_id AND id = :cursor",
    first_asc: "SELECT id, json FROM items WHERE owner = :owner AND thread_id = :thread_id
        ORDER BY created_at ASC, id ASC LIMIT :limit",
    first_desc: "SELECT id, json FROM items WHERE owner = :owner AND thread_id = :thread_id
        ORDER BY created_at DESC, id DESC LIMIT :limit",
    after_asc: "SELECT id, json FROM items WHERE owner = :owner AND thread_id = :thread_id
        AND (created_at, id) > (:cursor_at, :cursor)
        ORDER BY created_at ASC, id ASC LIMIT :limit",
    after_desc: "SELECT id, json FROM items WHERE owner = :owner AND thread_id = :thread_id
        AND (created_at, id) < (:cursor_at, :cursor)
        ORDER BY created_at DESC, id DESC LIMIT :limit",
};

/// A [`Store`] kept in a SQLite file (or in memory, for tests).
///
/// Cloning is cheap and gives another handle on the same connection.
///
/// ```no_run
/// # async fn demo() -> Result<(), chatkit::store::StoreError> {
/// use chatkit::store::SqliteStore;
///
/// let store = SqliteStore::open("chatkit.db").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    /// The one connection; a std `Mutex` because it is only ever locked inside a blocking
    /// task and never held across an `.await` (see the module doc).
    connection: Arc<Mutex<Connection>>,
    /// Where new ids come from: random by default, sequential in tests.
    ids: Arc<dyn IdGenerator>,
    /// The file's path, or `:memory:`, for `Debug`. An `Arc<str>` so a clone of the store
    /// does not copy it.
    location: Arc<str>,
}

impl fmt::Debug for SqliteStore {
    // By hand, so that printing the store never waits for the connection's lock.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .field("ids", &self.ids)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and the schema if they do not exist,
    /// and migrating an older schema to the current one.
    ///
    /// `async` because opening touches the disk and may wait for another process's lock, and
    /// so runs on the blocking pool like every other call.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnsupportedSchema`] if the file comes from a newer build;
    /// [`StoreError::Sqlite`] if the file cannot be opened or is not a database.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        // An owned path, because the opening runs on the blocking pool ('static).
        let path = path.as_ref().to_path_buf();
        let location = path.display().to_string().into();
        SqliteStore::open_with(move || Connection::open(path), location).await
    }

    /// A fresh, private database in memory, gone when the store is dropped; for tests.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] if SQLite cannot allocate it.
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        SqliteStore::open_with(Connection::open_in_memory, ":memory:".into()).await
    }

    /// The same store, making ids with `ids` instead (e.g. `SequentialIds` in tests).
    pub fn with_ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        self.ids = Arc::new(ids);
        self
    }

    /// Opens a connection with `open` and prepares it, both on the blocking pool.
    async fn open_with<F>(open: F, location: Arc<str>) -> Result<Self, StoreError>
    where
        F: FnOnce() -> rusqlite::Result<Connection> + Send + 'static,
    {
        // Two `?`s: the outer for the blocking task itself (it panicked), the inner for
        // SQLite (the file could not be opened, or the schema is too new).
        let connection = tokio::task::spawn_blocking(move || prepare(open()?))
            .await
            .map_err(StoreError::WorkerGone)??;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            ids: Arc::new(RandomIds),
            location,
        })
    }

    /// Runs `job` with the connection on tokio's blocking pool: the async bridge.
    ///
    /// Every store method is a call to this. The job owns its inputs (`'static`), because the
    /// blocking task may outlive the future that started it.
    async fn with_connection<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        // A clone of the `Arc` moves into the task, not `&self`: the task must own what it
        // uses, since it keeps running even if this future is dropped (module doc,
        // "Cancellation").
        let connection = Arc::clone(&self.connection);
        // The mutex is locked inside the blocking task, never here: waiting for it is
        // blocking too, and must not happen on a runtime worker either.
        tokio::task::spawn_blocking(move || {
            // Poisoned means an earlier job panicked while holding the lock. Every write is
            // one statement or a transaction that rolls back when dropped, so the connection
            // is still consistent and later calls may use it.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            job(&mut connection)
        })
        .await
        .map_err(StoreError::WorkerGone)?
    }
}

/// Sets a new connection up for this store: pragmas first, then the schema.
fn prepare(mut connection: Connection) -> Result<Connection, StoreError> {
    // First, so that even switching to WAL below waits for another process's lock.
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers in other connections proceed while a write is in progress, and makes a
    // commit one append to the log instead of a journal copy plus an in-place write. An in-memory database
    // answers "memory" and stays as it is, which is fine.
    connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    // In WAL mode, NORMAL syncs at checkpoints rather than at every commit. A power cut may
    // lose the last few commits but never corrupts the file: the usual trade for a chat log.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    // The schema last, so that the migration's write lock waits under the busy timeout and
    // its tables are created in a file that is already in WAL mode.
    migrate(&mut connection)?;
    Ok(connection)
}

/// Brings the schema up to [`SCHEMA_VERSION`], refusing files from newer builds.
///
/// The transaction is `IMMEDIATE` (it takes the write lock at once), so two processes opening
/// a new file together cannot both create the tables: the second waits, then sees version 1.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read inside the transaction, after the lock is held: read before it, the version
    // could be changed by the other process that is migrating the same file.
    let found: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = SCHEMA_VERSION as i64;
    // A negative version (someone else's `PRAGMA user_version = -1`) fails the conversion
    // and is refused like a newer one: it is not a file this build wrote.
    let from = usize::try_from(found)
        .ok()
        .filter(|&version| version <= SCHEMA_VERSION)
        .ok_or(StoreError::UnsupportedSchema { found, supported })?;
    if from == SCHEMA_VERSION {
        // Up to date: end the transaction without writing anything.
        return Ok(());
    }
    // Only the missing steps, in order. The scripts say `CREATE TABLE` without
    // `IF NOT EXISTS`, so a step run twice fails loudly instead of keeping an old table.
    for script in &MIGRATIONS[from..] {
        transaction.execute_batch(script)?;
    }
    // `user_version` is in the file header, which is written as part of this transaction:
    // the tables and the version they belong to commit together or not at all.
    transaction.pragma_update(None, "user_version", supported)?;
    transaction.commit()?;
    Ok(())
}

/// A timestamp as the integer the tables sort by: microseconds since the Unix epoch.
fn micros(at: Timestamp) -> i64 {
    at.as_datetime().timestamp_micros()
}

/// Encodes a protocol value for a row, attachment metadata included.
fn encode<T: serde::Serialize>(value: &T, what: &'static str) -> Result<String, StoreError> {
    // Serializing the protocol types cannot fail; the mapping exists to avoid an `unwrap`.
    to_store_json(value).map_err(|error| StoreError::Backend {
        message: format!("could not encode the {what}: {error}"),
    })
}

/// Decodes one row's JSON; a row that does not parse is [`StoreError::Corrupt`].
fn decode<T: DeserializeOwned>(json: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|source| StoreError::Corrupt { what, source })
}

/// Whether an insert failed because the primary key already exists.
///
/// The extended code, not the plain `SQLITE_CONSTRAINT`: that one also covers `NOT NULL`
/// and any future `CHECK`, which are bugs of ours and must stay [`StoreError::Sqlite`].
fn is_duplicate_key(error: &rusqlite::Error) -> bool {
    error.sqlite_extended_error_code() == Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Runs a single-row `SELECT json …`; `None` when there is no such row.
fn query_json(
    connection: &Connection,
    sql: &str,
    params: &[&dyn ToSql],
) -> Result<Option<String>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let json = statement
        .query_row(params, |row| row.get::<_, String>(0))
        .optional()?;
    Ok(json)
}

/// Runs a write statement through the statement cache.
fn execute(connection: &Connection, sql: &str, params: &[&dyn ToSql]) -> Result<(), StoreError> {
    connection.prepare_cached(sql)?.execute(params)?;
    Ok(())
}

/// A page as it comes out of SQL: JSON not yet decoded, and the paging fields worked out.
struct RawPage {
    json: Vec<String>,
    has_more: bool,
    after: Option<String>,
}

/// Loads one page of `list` within `scope` (the `:owner`, and for items the `:thread_id`).
///
/// The cursor lookup and the page read share one read transaction, so another process
/// writing in between cannot make them disagree.
fn load_page(
    connection: &mut Connection,
    list: &ListQueries,
    scope: &[(&str, &dyn ToSql)],
    request: &PageRequest,
) -> Result<RawPage, StoreError> {
    // A deferred transaction: it takes no write lock, and under WAL its first read fixes a
    // snapshot that writers in other connections do not disturb.
    let transaction = connection.transaction()?;
    // One row past the page says whether another page follows. The limit comes from the
    // client, so `usize::MAX` must not overflow, and SQLite takes an `i64`.
    let fetch = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let rows = match &request.after {
        None => {
            let sql = match request.order {
                Order::Asc => list.first_asc,
                Order::Desc => list.first_desc,
            };
            let params = [scope, &[(":limit", &fetch as &dyn ToSql)]].concat();
            id_and_json_rows(&transaction, sql, &params)?
        }
        Some(cursor) => {
            // The cursor is an id, but the index is ordered by time first, so its time is
            // looked up before the page. The reference keeps only this time and compares
            // `created_at` alone; keeping the id as well is what breaks ties.
            let cursor_at = cursor_time(&transaction, list, scope, cursor)?;
            let sql = match request.order {
                Order::Asc => list.after_asc,
                Order::Desc => list.after_desc,
            };
            let bounds: [(&str, &dyn ToSql); 3] = [
                (":cursor_at", &cursor_at),
                (":cursor", cursor),
                (":limit", &fetch),
            ];
            id_and_json_rows(&transaction, sql, &[scope, &bounds].concat())?
        }
    };
    // Nothing was written, so commit and rollback would do the same; commit says that the
    // reads succeeded, and an error above drops the transaction, which rolls it back.
    transaction.commit()?;
    Ok(cut_page(rows, request.limit))
}

/// The `created_at` of the cursor element, or [`StoreError::UnknownCursor`].
fn cursor_time(
    connection: &Connection,
    list: &ListQueries,
    scope: &[(&str, &dyn ToSql)],
    cursor: &str,
) -> Result<i64, StoreError> {
    let params = [scope, &[(":cursor", &cursor as &dyn ToSql)]].concat();
    let mut statement = connection.prepare_cached(list.cursor)?;
    let found = statement
        .query_row(params.as_slice(), |row| row.get::<_, i64>(0))
        .optional()?;
    found.ok_or_else(|| StoreError::UnknownCursor {
        cursor: cursor.to_owned(),
    })
}

/// Runs a page query: each row's id (the next cursor, if it is the last) and its JSON.
fn id_and_json_rows(
    connection: &Connection,
    sql: &str,
    params: &[(&str, &dyn ToSql)],
) -> Result<Vec<(String, String)>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keeps the first `limit` of up to `limit + 1` rows and works out `has_more` and `after`.
fn cut_page(mut rows: Vec<(String, String)>, limit: usize) -> RawPage {
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let after = match (has_more, rows.last()) {
        (true, Some((id, _))) => Some(id.clone()),
        _ => None,
    };
    RawPage {
        json: rows.into_iter().map(|(_, json)| json).collect(),
        has_more,
        after,
    }
}

/// Decodes a page's rows. Done after the connection is released: it is CPU work that
/// other callers need not wait for.
fn decode_page<T: DeserializeOwned>(
    raw: RawPage,
    what: &'static str,
) -> Result<Page<T>, StoreError> {
    let data = raw
        .json
        .iter()
        .map(|json| decode(json, what))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        data,
        has_more: raw.has_more,
        after: raw.after,
    })
}

/// Deletes a thread's items and then the thread, as one unit.
///
/// `IMMEDIATE` takes the write lock up front. A deferred transaction would start as a reader
/// and try to upgrade at the first `DELETE`; in WAL mode that upgrade fails at once with
/// "database is locked" if another connection wrote in between, without waiting.
fn delete_thread_and_items(
    connection: &mut Connection,
    owner: &str,
    thread_id: &str,
) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Other connections see both deletions or neither, so their order does not matter.
    execute(&transaction, DELETE_THREAD_ITEMS, &[&owner, &thread_id])?;
    execute(&transaction, DELETE_THREAD, &[&owner, &thread_id])?;
    transaction.commit()?;
    Ok(())
}

// Every method below has the same shape: copy what the query needs into owned values (the
// blocking task is `'static` and cannot borrow the caller's `&ThreadId` or `ctx`), run the
// SQL through `with_connection`, then turn "no row" into the typed not-found error and
// decode the JSON *after* the connection is released, so other callers do not wait on serde.
#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for SqliteStore {
    // Ids come from the injected generator, not from SQLite (no `AUTOINCREMENT`): they are
    // protocol strings with a kind prefix, and tests need them predictable.
    fn generate_thread_id(&self, _ctx: &C) -> ThreadId {
        ThreadId::new(self.ids.generate(IdKind::Thread))
    }

    fn generate_item_id(&self, kind: IdKind, _thread: &ThreadMetadata, _ctx: &C) -> ItemId {
        ItemId::new(self.ids.generate(kind))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        let owner = ctx.user_id().to_owned();
        let thread_id = id.to_string();
        let json = self
            .with_connection(move |connection| {
                query_json(connection, LOAD_THREAD, &[&owner, &thread_id])
            })
            .await?;
        let json = json.ok_or_else(|| StoreError::ThreadNotFound { id: id.clone() })?;
        decode(&json, "thread")
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let id = thread.id.to_string();
        let created_at = micros(thread.created_at);
        // Encoded here, before the connection is taken: serde is CPU work that need not
        // hold up other callers, and an encoding error then never touches the database.
        let json = encode(thread, "thread")?;
        self.with_connection(move |connection| {
            execute(connection, SAVE_THREAD, &[&owner, &id, &created_at, &json])
        })
        .await
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        let owner = ctx.user_id().to_owned();
        let request = page.clone();
        let raw = self
            .with_connection(move |connection| {
                // Built inside the task, because it borrows `owner`, which the task owns.
                let scope: [(&str, &dyn ToSql); 1] = [(":owner", &owner)];
                load_page(connection, &THREAD_LIST, &scope, &request)
            })
            .await?;
        decode_page(raw, THREAD_LIST.what)
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let thread_id = id.to_string();
        // The items are deleted here because the schema has no foreign keys to cascade;
        // attachments stay, as in the reference (see the trait's doc).
        self.with_connection(move |connection| {
            delete_thread_and_items(connection, &owner, &thread_id)
        })
        .await
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        let owner = ctx.user_id().to_owned();
        let thread_id = thread_id.to_string();
        let request = page.clone();
        let raw = self
            .with_connection(move |connection| {
                let scope: [(&str, &dyn ToSql); 2] =
                    [(":owner", &owner), (":thread_id", &thread_id)];
                load_page(connection, &ITEM_LIST, &scope, &request)
            })
            .await?;
        decode_page(raw, ITEM_LIST.what)
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let (thread, id) = (thread_id.to_string(), item.id.to_string());
        let created_at = micros(item.created_at);
        let json = encode(item, "item")?;
        let inserted = self
            .with_connection(move |connection| {
                execute(
                    connection,
                    ADD_ITEM,
                    &[&owner, &thread, &id, &created_at, &json],
                )
            })
            .await;
        // The duplicate is recognised from SQLite's answer (see `ADD_ITEM`), after the
        // fact, and becomes the same typed error the memory store gives (a 409 when it
        // happens before the first byte of a response).
        match inserted {
            Err(StoreError::Sqlite(error)) if is_duplicate_key(&error) => {
                Err(StoreError::DuplicateItem {
                    thread_id: thread_id.clone(),
                    id: item.id.clone(),
                })
            }
            other => other,
        }
    }

    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let (thread, id) = (thread_id.to_string(), item.id.to_string());
        let created_at = micros(item.created_at);
        let json = encode(item, "item")?;
        self.with_connection(move |connection| {
            execute(
                connection,
                SAVE_ITEM,
                &[&owner, &thread, &id, &created_at, &json],
            )
        })
        .await
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        let owner = ctx.user_id().to_owned();
        let (thread, id) = (thread_id.to_string(), item_id.to_string());
        let json = self
            .with_connection(move |connection| {
                query_json(connection, LOAD_ITEM, &[&owner, &thread, &id])
            })
            .await?;
        let json = json.ok_or_else(|| StoreError::ItemNotFound {
            thread_id: thread_id.clone(),
            id: item_id.clone(),
        })?;
        decode(&json, "item")
    }

    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let (thread, id) = (thread_id.to_string(), item_id.to_string());
        self.with_connection(move |connection| {
            execute(connection, DELETE_ITEM, &[&owner, &thread, &id])
        })
        .await
    }

    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let id = attachment.id.to_string();
        let json = encode(attachment, "attachment")?;
        self.with_connection(move |connection| {
            execute(connection, SAVE_ATTACHMENT, &[&owner, &id, &json])
        })
        .await
    }

    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        let owner = ctx.user_id().to_owned();
        let attachment_id = id.to_string();
        let json = self
            .with_connection(move |connection| {
                query_json(connection, LOAD_ATTACHMENT, &[&owner, &attachment_id])
            })
            .await?;
        let json = json.ok_or_else(|| StoreError::AttachmentNotFound { id: id.clone() })?;
        decode(&json, "attachment")
    }

    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        let owner = ctx.user_id().to_owned();
        let attachment_id = id.to_string();
        self.with_connection(move |connection| {
            execute(connection, DELETE_ATTACHMENT, &[&owner, &attachment_id])
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! Behaviour that only a SQLite store has: the file, its schema version, WAL, locking.
    //! The behaviour every store shares is the contract suite, run from `tests/store.rs`.

    use tempfile::TempDir;

    use super::*;
    use crate::protocol::{
        AttachmentKind, InferenceOptions, ItemKind, UserMessage, UserMessageContent,
    };
    use crate::store::UserContext;

    fn user() -> UserContext {
        UserContext::new("test_user")
    }

    fn at(seconds: i64) -> Timestamp {
        let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
        Timestamp::from_datetime(start.as_datetime() + chrono::Duration::seconds(seconds))
    }

    fn message(thread_id: &str, id: &str, created_at: Timestamp) -> ThreadItem {
        ThreadItem {
            id: ItemId::new(id),
            thread_id: ThreadId::new(thread_id),
            created_at,
            kind: ItemKind::UserMessage(UserMessage {
                content: vec![UserMessageContent::text(id)],
                attachments: Vec::new(),
                quoted_text: None,
                inference_options: InferenceOptions::default(),
            }),
        }
    }

    fn attachment_with_metadata(id: &str) -> Attachment {
        Attachment {
            id: AttachmentId::new(id),
            name: "notes.txt".to_owned(),
            mime_type: "text/plain".to_owned(),
            upload_descriptor: None,
            thread_id: Some(ThreadId::new("thr_1")),
            metadata: serde_json::json!({"bucket": "b1"}).as_object().cloned(),
            kind: AttachmentKind::File,
        }
    }

    /// A temporary directory and the path of a database file inside it.
    fn temp_db() -> (TempDir, std::path::PathBuf) {
        let dir = TempDir::new().expect("a temporary directory");
        let path = dir.path().join("chatkit.db");
        (dir, path)
    }

    /// Reads a pragma through the store's own connection.
    async fn pragma(store: &SqliteStore, name: &'static str) -> String {
        store
            .with_connection(move |connection| {
                let value = connection.pragma_query_value(None, name, |row| {
                    row.get::<_, rusqlite::types::Value>(0)
                })?;
                Ok(format!("{value:?}"))
            })
            .await
            .expect("pragma")
    }

    #[tokio::test]
    async fn a_new_file_records_the_schema_version() {
        let (_dir, path) = temp_db();
        let store = SqliteStore::open(&path).await.expect("open");
        assert_eq!(pragma(&store, "user_version").await, "Integer(1)");
        drop(store);
        let raw = Connection::open(&path).expect("open raw");
        let tables: Vec<String> = raw
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("list tables");
        assert_eq!(tables, ["attachments", "items", "threads"]);
    }

    #[tokio::test]
    async fn a_file_from_a_newer_build_is_refused() {
        let (_dir, path) = temp_db();
        drop(SqliteStore::open(&path).await.expect("open"));
        let raw = Connection::open(&path).expect("open raw");
        raw.pragma_update(None, "user_version", 2)
            .expect("set version");
        drop(raw);

        let refused = SqliteStore::open(&path).await;
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
    }

    #[tokio::test]
    async fn everything_survives_closing_and_reopening_the_file() {
        let (_dir, path) = temp_db();
        let thread = ThreadMetadata::new("thr_1", at(0));
        let items = [
            message("thr_1", "msg_1", at(1)),
            message("thr_1", "msg_2", at(2)),
        ];
        let attachment = attachment_with_metadata("atc_1");
        {
            let store = SqliteStore::open(&path).await.expect("open");
            store.save_thread(&thread, &user()).await.expect("thread");
            for item in &items {
                store
                    .add_thread_item(&thread.id, item, &user())
                    .await
                    .expect("item");
            }
            store
                .save_attachment(&attachment, &user())
                .await
                .expect("attachment");
        }

        let store = SqliteStore::open(&path).await.expect("reopen");
        let loaded = store
            .load_thread(&thread.id, &user())
            .await
            .expect("thread");
        assert_eq!(loaded, thread);
        let page = store
            .load_thread_items(&thread.id, &PageRequest::first(10, Order::Asc), &user())
            .await
            .expect("items");
        assert_eq!(page.data, items);
        let kept = store
            .load_attachment(&attachment.id, &user())
            .await
            .expect("attachment");
        assert_eq!(kept, attachment, "metadata and thread_id are kept");
    }

    #[tokio::test]
    async fn a_file_is_opened_in_wal_mode_with_normal_sync() {
        let (_dir, path) = temp_db();
        let store = SqliteStore::open(&path).await.expect("open");
        assert_eq!(pragma(&store, "journal_mode").await, "Text(\"wal\")");
        // 1 is NORMAL.
        assert_eq!(pragma(&store, "synchronous").await, "Integer(1)");
    }

    /// The claim of the module doc: the paged queries walk the index, with no sort step.
    #[tokio::test]
    async fn paged_queries_use_the_time_index_without_sorting() {
        let store = SqliteStore::open_in_memory().await.expect("open");
        let queries = [
            ITEM_LIST.first_asc,
            ITEM_LIST.first_desc,
            ITEM_LIST.after_asc,
            ITEM_LIST.after_desc,
            THREAD_LIST.after_asc,
            THREAD_LIST.after_desc,
        ];
        for sql in queries {
            let plan = store
                .with_connection(move |connection| {
                    let mut statement = connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    // The plan does not depend on the values, so every parameter is NULL.
                    let nulls = vec![rusqlite::types::Null; statement.parameter_count()];
                    let steps = statement.query_map(rusqlite::params_from_iter(nulls), |row| {
                        row.get::<_, String>(3)
                    })?;
                    Ok(steps.collect::<Result<Vec<_>, _>>()?.join("; "))
                })
                .await
                .expect("plan");
            assert!(plan.contains("_by_time"), "{sql}\n→ {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql}\n→ {plan}");
            if sql.contains(":cursor_at") {
                // The index is entered at the cursor, not scanned from the start.
                assert!(plan.contains("(created_at,id)"), "{sql}\n→ {plan}");
            }
        }
    }

    #[tokio::test]
    async fn a_row_that_is_not_protocol_json_is_reported_as_corrupt() {
        let store = SqliteStore::open_in_memory().await.expect("open");
        store
            .with_connection(|connection| {
                execute(
                    connection,
                    SAVE_THREAD,
                    &[&"test_user", &"thr_1", &0_i64, &"{\"id\": 1}"],
                )
            })
            .await
            .expect("raw insert");
        let loaded = store.load_thread(&ThreadId::new("thr_1"), &user()).await;
        assert!(
            matches!(loaded, Err(StoreError::Corrupt { what: "thread", .. })),
            "{loaded:?}"
        );
    }

    /// 50 tasks × 20 inserts on a multi-threaded runtime: all 1,000 land, none fails.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fifty_tasks_inserting_at_once_lose_nothing() {
        let (_dir, path) = temp_db();
        let store = SqliteStore::open(&path).await.expect("open");
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..50 {
            let store = store.clone();
            tasks.spawn(async move {
                for n in 0..20 {
                    let item = message("busy", &format!("msg_{task:02}_{n:02}"), at(n));
                    store
                        .add_thread_item(&ThreadId::new("busy"), &item, &user())
                        .await?;
                }
                Ok::<(), StoreError>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("no panic").expect("no insert failed");
        }
        let page = store
            .load_thread_items(
                &ThreadId::new("busy"),
                &PageRequest::first(2_000, Order::Asc),
                &user(),
            )
            .await
            .expect("load");
        assert_eq!(page.data.len(), 1_000);
    }

    /// Two stores on one file stand in for two processes: they have separate connections and
    /// so really contend for SQLite's write lock. The busy timeout makes them wait their turn.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_stores_on_one_file_wait_for_each_other_instead_of_failing() {
        let (_dir, path) = temp_db();
        let stores = [
            SqliteStore::open(&path).await.expect("open first"),
            SqliteStore::open(&path).await.expect("open second"),
        ];
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..20 {
            let store = stores[task % 2].clone();
            tasks.spawn(async move {
                for n in 0..20 {
                    let item = message("busy", &format!("msg_{task:02}_{n:02}"), at(n));
                    store
                        .add_thread_item(&ThreadId::new("busy"), &item, &user())
                        .await?;
                    store.delete_thread(&ThreadId::new("gone"), &user()).await?;
                }
                Ok::<(), StoreError>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("no panic").expect("no write failed");
        }
        let page = stores[1]
            .load_thread_items(
                &ThreadId::new("busy"),
                &PageRequest::first(1_000, Order::Desc),
                &user(),
            )
            .await
            .expect("load");
        assert_eq!(page.data.len(), 400);
    }
}
