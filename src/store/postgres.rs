//! `PostgresStore`: threads, items and attachments in PostgreSQL, for more than one instance.
//!
//! The memory and SQLite stores live inside one process (or one machine's disk). The day a
//! server needs a second instance, for load or for a deploy without downtime, every instance
//! must read and write the same data: this store keeps it in a PostgreSQL database that they
//! all reach. It holds **no cache**: every call is a query, so what one instance writes, the
//! next request sees on any instance. (A store that keeps items in process memory is the
//! mistake the reference's users keep making; it works with one instance and breaks with two.)
//!
//! # Crates
//!
//! [`tokio_postgres`] speaks the PostgreSQL protocol natively in async Rust (no blocking bridge
//! as in `sqlite.rs`), and [`deadpool_postgres`] keeps a pool of its connections. Together
//! they add 36 crates to a Linux build, all small (the protocol, `md-5`/`sha2`/`hmac` for
//! SCRAM authentication, `stringprep`, `parking_lot`, …): everything large they use (tokio,
//! futures, bytes, tracing) is already in the build for the server. Measured as the increment
//! over those shared crates, on this project's two-core machines: about 18 s of wall time
//! (15 s of CPU) in a cold build, once, while another build may have been running.
//!
//! We turned down **sqlx**, first because it cannot sit beside rusqlite 0.43 in one build at
//! all: both link `libsqlite3-sys`, in versions that cannot be unified. Its own cost is of the
//! same order in time and larger in crates (about +47 crates and +12 s, the figures `sqlite.rs`
//! gives), and its compile-time checked queries need a database at build time or checked-in
//! query metadata.
//!
//! No TLS is compiled in (`NoTls`): the deployments this crate teaches reach PostgreSQL on
//! localhost or a private network. A deployment that needs TLS adds `postgres-native-tls` or
//! `tokio-postgres-rustls` and a constructor that passes its connector to the `Manager`.
//!
//! # Where it sits
//!
//! An implementation of [`Store`]; the server reads and writes through it exactly as through
//! the other two, and it passes the same contract suite (`tests/store.rs`, when
//! `CHATKIT_TEST_DATABASE_URL` names a database). Errors are [`StoreError`]s: a failed query
//! or connection is [`StoreError::Postgres`], an empty pool [`StoreError::PostgresPool`].
//!
//! # Schema (version 1), in a schema of its own
//!
//! ```text
//! threads     (owner, id)             created_at  json   + index (owner, created_at, id)
//! items       (owner, thread_id, id)  created_at  json   + index (owner, thread_id, created_at, id)
//! attachments (owner, id)                         json
//! schema_migrations (version)         applied_at
//! ```
//!
//! The same tables as the SQLite store, for the same reasons (see `sqlite.rs`): every key
//! starts with the owner, `json` is the value as [`to_store_json`] writes it, and `created_at`
//! beside it is `BIGINT` microseconds since the Unix epoch, so that it sorts as a number.
//! Three PostgreSQL-specific choices:
//!
//! * **`json` is `TEXT`, not `JSONB`.** The store never queries inside the JSON, and `JSONB`
//!   would reorder object keys (and drop duplicates), so a thread's `metadata` would come back
//!   in another order than it was written. `TEXT` gives back the exact bytes.
//! * **Ids are `COLLATE "C"`.** Paging breaks ties by `id`, and the memory and SQLite stores
//!   compare ids byte by byte. A database's default collation (`en_US.UTF-8`, …) ignores
//!   punctuation at first, so `msg_1` and `msg1` could sort the other way round, and a page
//!   would differ from store to store. `"C"` is byte order, and faster to compare too.
//! * **The tables live in a schema of their own** (`chatkit` by default; see
//!   [`PostgresStore::connect_in_schema`]), so that they cannot collide with an application's
//!   own `items` table, and so that tests can each have a fresh schema in one database. The
//!   schema is chosen by the connections' `search_path` (a startup option), which keeps every
//!   statement below a plain constant.
//!
//! # Paging
//!
//! The rule of `paging.rs`, in one statement per page: the cursor's `created_at` is a scalar
//! subquery, and `(created_at, id) > (cursor_at, cursor)` (`<` when newest first) enters the
//! time index at the cursor; `LIMIT limit + 1` says whether more follow. One statement means
//! one snapshot: no write by another instance can fall between the cursor lookup and the page.
//! An unknown cursor makes the subquery `NULL`, so the page is empty; only then does the
//! store ask whether the cursor exists, and answers [`StoreError::UnknownCursor`] if it does
//! not. A full page so costs one round trip, and the cursor check is paid only at the end.
//!
//! # Migration
//!
//! `MIGRATIONS` is a list of SQL scripts, as in `sqlite.rs`: script *n* takes the schema from
//! version *n* to *n + 1*. The version is the largest row of `schema_migrations` (PostgreSQL
//! has no `user_version`). Connecting runs the missing scripts in **one transaction** (DDL is
//! transactional in PostgreSQL), after taking a transaction-scoped advisory lock
//! (`pg_advisory_xact_lock`) named after the schema. Several instances started together
//! (a deploy) therefore migrate one at a time: the first creates the tables, the others wait
//! for its commit, then find version 1 and do nothing. A schema from a newer build is refused
//! with [`StoreError::UnsupportedSchema`] rather than misread.
//!
//! # Cancellation
//!
//! If the future of a store call is dropped (the client went away), its query may or may not
//! have reached the server. Every write is one statement, or one transaction: a transaction
//! dropped unfinished sends `ROLLBACK` (tokio-postgres does so when it is dropped), ahead of
//! whatever the connection runs next for another caller, so it is never half applied.
//!
//! Python counterpart: none ships with the SDK. Its documentation's Postgres example is
//! partial: its `save_thread` is a plain `INSERT`, although the SDK calls it to update a
//! thread's title and metadata too; here every save is an upsert.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime,
};
use serde::de::DeserializeOwned;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, NoTls};

use crate::id_gen::{IdGenerator, IdKind, RandomIds};
use crate::protocol::{
    Attachment, AttachmentId, ItemId, Order, Page, ThreadId, ThreadItem, ThreadMetadata, Timestamp,
    to_store_json,
};

use super::postgres_turns::PostgresTurnLocks;
use super::{PageRequest, Store, StoreContext, StoreError, TurnLocks};

/// The schema [`PostgresStore::connect`] keeps its tables in.
pub const DEFAULT_SCHEMA: &str = "chatkit";

/// How many connections one store opens at most.
///
/// Each connection is a server process on the PostgreSQL side, and the server's default
/// `max_connections` is 100: sixteen per instance leaves room for several instances and for
/// the administrator, while a single instance rarely has more than a few queries in flight
/// at once (each store call is one or two short statements).
///
/// One more connection per instance holds its turn locks (`postgres_turns.rs`): an instance
/// uses at most 17, so N instances need `max_connections` above 17 × N plus what else connects.
const POOL_SIZE: usize = 16;

/// How long a call waits for a connection: for a free one in the pool, or for a new one to be
/// opened (TCP and authentication). Past it the call fails with an error instead of hanging
/// until the client gives up; five seconds is long next to any query here.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The first key of the migration's advisory lock: a constant of this crate (the bytes of
/// "ckrs"), so that the lock does not collide with advisory locks the application takes for
/// its own purposes. The second key is the hash of the schema's name, so that stores in
/// different schemas (parallel tests) do not wait for each other.
const MIGRATION_LOCK_CLASS: i32 = 0x636b_7273;

/// Version 1 of the schema; see the module doc for the column types.
///
/// The keys and indexes are those of `sqlite.rs`, for the same reasons: the owner first, so
/// a user's rows are one range and one user can never write another's row; `thread_id`
/// before `id` in the item key, so deleting a thread's items is a range of the key; and the
/// two `_by_time` indexes, which both list queries walk in either direction (backwards for
/// newest first) without sorting, entering them at the cursor. The primary keys are named
/// because [`is_duplicate_item`] recognises `items_pkey` by name.
const SCHEMA_V1: &str = r#"
CREATE TABLE threads (
    owner      TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    created_at BIGINT           NOT NULL,
    json       TEXT             NOT NULL,
    CONSTRAINT threads_pkey PRIMARY KEY (owner, id)
);
CREATE INDEX threads_by_time ON threads (owner, created_at, id);

CREATE TABLE items (
    owner      TEXT COLLATE "C" NOT NULL,
    thread_id  TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    created_at BIGINT           NOT NULL,
    json       TEXT             NOT NULL,
    CONSTRAINT items_pkey PRIMARY KEY (owner, thread_id, id)
);
CREATE INDEX items_by_time ON items (owner, thread_id, created_at, id);

CREATE TABLE attachments (
    owner TEXT COLLATE "C" NOT NULL,
    id    TEXT COLLATE "C" NOT NULL,
    json  TEXT             NOT NULL,
    CONSTRAINT attachments_pkey PRIMARY KEY (owner, id)
);
"#;

/// The migration scripts: entry `n` takes a schema from version `n` to `n + 1`.
/// Append; never edit an entry that has shipped.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

/// The schema version this build writes: one per migration, so the two cannot disagree.
const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The version table. Created with `IF NOT EXISTS` (unlike the migrations) because it is what
/// tells a new schema from an old one, and so must exist before the version can be read.
const CREATE_VERSION_TABLE: &str = "
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER     PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)";
/// `hashtext` maps the schema's name to the lock's second `int4` key. Two names that hash
/// alike only make their migrations wait for each other, which is harmless.
const LOCK_MIGRATIONS: &str = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
const SCHEMA_EXISTS: &str = "SELECT 1 FROM pg_namespace WHERE nspname = $1";
const CURRENT_VERSION: &str = "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations";
const RECORD_VERSION: &str = "INSERT INTO schema_migrations (version) VALUES ($1)";

// Every statement below names the owner in its `WHERE` or its key, never the id alone: that,
// and not a check in Rust, is what keeps one user away from another user's rows. Each is a
// constant, so `prepare_cached` parses it once per connection.

const LOAD_THREAD: &str = "SELECT json FROM threads WHERE owner = $1 AND id = $2";
/// An upsert in one statement (the SDK calls `save_thread` for new threads and for updates
/// alike). `created_at` is updated too, so the column stays equal to the one inside `json`.
const SAVE_THREAD: &str = "
INSERT INTO threads (owner, id, created_at, json) VALUES ($1, $2, $3, $4)
ON CONFLICT (owner, id) DO UPDATE SET created_at = excluded.created_at, json = excluded.json";
const DELETE_THREAD: &str = "DELETE FROM threads WHERE owner = $1 AND id = $2";
/// A range of the items' primary key; run with [`DELETE_THREAD`] in one transaction, since
/// there is no foreign key to cascade (a store accepts items for a thread it has not saved).
const DELETE_THREAD_ITEMS: &str = "DELETE FROM items WHERE owner = $1 AND thread_id = $2";

const LOAD_ITEM: &str = "SELECT json FROM items WHERE owner = $1 AND thread_id = $2 AND id = $3";
/// A plain insert: the primary key refuses an id the thread already holds, atomically, even
/// against another instance inserting the same id at the same moment (a `SELECT` first would
/// leave a gap between the check and the insert).
const ADD_ITEM: &str =
    "INSERT INTO items (owner, thread_id, id, created_at, json) VALUES ($1, $2, $3, $4, $5)";
/// An upsert that replaces the whole row, so the item's kind and time may change.
const SAVE_ITEM: &str = "
INSERT INTO items (owner, thread_id, id, created_at, json) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (owner, thread_id, id) DO UPDATE SET
    created_at = excluded.created_at, json = excluded.json";
const DELETE_ITEM: &str = "DELETE FROM items WHERE owner = $1 AND thread_id = $2 AND id = $3";

const LOAD_ATTACHMENT: &str = "SELECT json FROM attachments WHERE owner = $1 AND id = $2";
/// An upsert of the whole record, so `metadata` and `thread_id` are kept as given (the
/// server saves an attachment again once a message that uses it names its thread).
const SAVE_ATTACHMENT: &str = "
INSERT INTO attachments (owner, id, json) VALUES ($1, $2, $3)
ON CONFLICT (owner, id) DO UPDATE SET json = excluded.json";
const DELETE_ATTACHMENT: &str = "DELETE FROM attachments WHERE owner = $1 AND id = $2";

/// The SQL of one paged list, as in `sqlite.rs`: four page queries spelt out in full (SQL
/// cannot take the direction as a parameter) and the cursor's existence check.
///
/// Parameters are positional, in one order for every query of a list: the scope first
/// (`$1` owner, and for items `$2` thread), then the cursor if the query has one, then the
/// limit. [`load_page`] builds its arguments in that order.
struct ListQueries {
    /// What the rows are, for [`StoreError::Corrupt`].
    what: &'static str,
    /// Whether the cursor names an element of this list (scoped like the page, so another
    /// user's id is an unknown cursor). Asked only when a page after a cursor is empty.
    cursor_exists: &'static str,
    /// The first page, oldest first.
    first_asc: &'static str,
    /// The first page, newest first: the same index, walked backwards.
    first_desc: &'static str,
    /// A later page, oldest first. The subquery finds the cursor's time from its full key
    /// (one index lookup); the row value compares `id` only when times are equal, the
    /// tie-break of `paging.rs`.
    after_asc: &'static str,
    /// A later page, newest first.
    after_desc: &'static str,
}

const THREAD_LIST: ListQueries = ListQueries {
    what: "thread",
    cursor_exists: "SELECT 1 FROM threads WHERE owner = $1 AND id = $2",
    first_asc: "SELECT id, json FROM threads WHERE owner = $1
        ORDER BY created_at ASC, id ASC LIMIT $2",
    first_desc: "SELECT id, json FROM threads WHERE owner = $1
        ORDER BY created_at DESC, id DESC LIMIT $2",
    after_asc: "SELECT id, json FROM threads WHERE owner = $1
        AND (created_at, id) > ((SELECT created_at FROM threads WHERE owner = $1 AND id = $2), $2)
        ORDER BY created_at ASC, id ASC LIMIT $3",
    after_desc: "SELECT id, json FROM threads WHERE owner = $1
        AND (created_at, id) < ((SELECT created_at FROM threads WHERE owner = $1 AND id = $2), $2)
        ORDER BY created_at DESC, id DESC LIMIT $3",
};

const ITEM_LIST: ListQueries = ListQueries {
    what: "item",
    cursor_exists: "SELECT 1 FROM items WHERE owner = $1 AND thread_id = $2 AND id = $3",
    first_asc: "SELECT id, json FROM items WHERE owner = $1 AND thread_id = $2
        ORDER BY created_at ASC, id ASC LIMIT $3",
    first_desc: "SELECT id, json FROM items WHERE owner = $1 AND thread_id = $2
        ORDER BY created_at DESC, id DESC LIMIT $3",
    after_asc: "SELECT id, json FROM items WHERE owner = $1 AND thread_id = $2
        AND (created_at, id) > (
            (SELECT created_at FROM items WHERE owner = $1 AND thread_id = $2 AND id = $3), $3)
        ORDER BY created_at ASC, id ASC LIMIT $4",
    after_desc: "SELECT id, json FROM items WHERE owner = $1 AND thread_id = $2
        AND (created_at, id) < (
            (SELECT created_at FROM items WHERE owner = $1 AND thread_id = $2 AND id = $3), $3)
        ORDER BY created_at DESC, id DESC LIMIT $4",
};

/// One statement argument, as `tokio_postgres` takes them.
type Param<'a> = &'a (dyn ToSql + Sync);

/// A [`Store`] kept in a PostgreSQL database, shared by every instance that connects to it.
///
/// Cloning is cheap and gives another handle on the same connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), chatkit::store::StoreError> {
/// use chatkit::store::PostgresStore;
///
/// let store = PostgresStore::connect("postgres://chatkit@127.0.0.1:5432/chatkit").await?;
/// # let _ = store;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    /// The connections; `deadpool`'s pool is itself a cheap handle (an `Arc` inside).
    pool: Pool,
    /// Where new ids come from: random by default, sequential in tests.
    ids: Arc<dyn IdGenerator>,
    /// The schema the tables are in, for `Debug`.
    schema: Arc<str>,
    /// One turn per thread across every instance on this schema (`postgres_turns.rs`).
    turn_locks: Arc<PostgresTurnLocks>,
}

impl fmt::Debug for PostgresStore {
    // By hand: the pool's configuration holds the password, which must not reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("pool", &self.pool.status())
            .field("ids", &self.ids)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// the `key=value` form), creating the tables in the [`DEFAULT_SCHEMA`] or migrating them.
    ///
    /// # Errors
    ///
    /// [`StoreError::Postgres`] if the URL does not parse or the database cannot be reached;
    /// [`StoreError::UnsupportedSchema`] if the schema comes from a newer build.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        PostgresStore::connect_in_schema(url, DEFAULT_SCHEMA).await
    }

    /// Like [`PostgresStore::connect`], with the tables in `schema`, created if missing.
    ///
    /// Two stores in two schemas of one database share nothing: this is how the tests run in
    /// parallel, each in a fresh schema.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidSchemaName`] unless `schema` is a plain lowercase identifier
    /// (letters, digits and `_`, not starting with a digit, at most 63 bytes); otherwise as
    /// [`PostgresStore::connect`].
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        // Checked first, because the name goes into a startup option and into `CREATE
        // SCHEMA`, neither of which takes a bound parameter: only a name that needs no
        // quoting or escaping anywhere is accepted.
        if !is_plain_identifier(schema) {
            return Err(StoreError::InvalidSchemaName {
                name: schema.to_owned(),
            });
        }
        let pool = connection_pool(session_config(url, schema)?)?;
        // The first connection, which also proves that the URL leads somewhere.
        let mut client = pool.get().await.map_err(pool_error)?;
        migrate(&mut client, schema).await?;
        let schema: Arc<str> = schema.into();
        Ok(PostgresStore {
            turn_locks: Arc::new(PostgresTurnLocks::new(pool.clone(), Arc::clone(&schema))),
            pool,
            ids: Arc::new(RandomIds),
            schema,
        })
    }

    /// The same store, making ids with `ids` instead (e.g. `SequentialIds` in tests).
    pub fn with_ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        self.ids = Arc::new(ids);
        self
    }

    /// The schema the tables are in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// A connection from the pool, returned to it when dropped.
    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// The connection settings for `url` with the tables in `schema` (a checked plain name).
fn session_config(url: &str, schema: &str) -> Result<Config, StoreError> {
    let mut config = Config::from_str(url)?;
    // The schema is selected per connection at startup, so that the statements can name
    // tables without a schema and stay constants. Appended to any options the URL sets.
    //
    // The keep-alive settings make each side notice a peer that vanished without closing
    // the connection (a host that froze or left the network) within about a minute (30 s
    // idle, then 3 probes 10 s apart), rather than the systems' default two hours: on the
    // server, that is when a dead instance's turn locks are dropped (`postgres_turns.rs`).
    let session = format!(
        "-c search_path={schema} -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 \
         -c tcp_keepalives_count=3"
    );
    let options = match config.get_options() {
        Some(given) if !given.is_empty() => format!("{given} {session}"),
        _ => session,
    };
    config.options(options);
    config.keepalives_idle(Duration::from_secs(30));
    config.connect_timeout(CONNECTION_TIMEOUT);
    // Shown in `pg_stat_activity`, so an administrator can tell whose connections these are.
    if config.get_application_name().is_none() {
        config.application_name("chatkit-rs");
    }
    Ok(config)
}

/// The pool of this store's connections, made with `config`.
fn connection_pool(config: Config) -> Result<Pool, StoreError> {
    // `Fast` recycling hands a connection back out without a test query: a connection
    // the server closed is noticed (`is_closed`) and replaced, and one that breaks while
    // idle fails its next query with an error, which is cheaper than a round trip per
    // call for a case that is rare.
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .wait_timeout(Some(CONNECTION_TIMEOUT))
        // Longer than the connect timeout, so that an unreachable database fails with the
        // connection's own error ("connection refused", "timed out"), not the pool's.
        .create_timeout(Some(CONNECTION_TIMEOUT + Duration::from_secs(1)))
        .recycle_timeout(Some(CONNECTION_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        // Only a pool with timeouts and no runtime fails to build, and one is given.
        .map_err(|error| StoreError::Backend {
            message: format!("could not build the PostgreSQL connection pool: {error}"),
        })
}

/// Whether `name` can be used as a schema name without quoting: what an unquoted identifier
/// may be in PostgreSQL, restricted to lowercase ASCII (unquoted names are folded to
/// lowercase, so `Chat` would become `chat` in one place and not in another).
fn is_plain_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    let starts_well = bytes
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == b'_');
    // 63 bytes is PostgreSQL's `NAMEDATALEN - 1`; a longer name would be cut silently.
    starts_well
        && name.len() <= 63
        && bytes.all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// A pool failure as a [`StoreError`]: a failed connection is the database's own error, so it
/// reads the same as a failed query; anything else (a timeout, a closed pool) is the pool's.
pub(super) fn pool_error(error: PoolError) -> StoreError {
    match error {
        PoolError::Backend(error) => StoreError::Postgres(error),
        other => StoreError::PostgresPool(other),
    }
}

/// Creates the schema if needed and brings it up to [`SCHEMA_VERSION`], refusing schemas
/// from newer builds. See the module doc, "Migration".
async fn migrate(client: &mut deadpool_postgres::Client, schema: &str) -> Result<(), StoreError> {
    let transaction = client.transaction().await?;
    // The lock first, before anything is read or created: it is what makes two instances
    // starting together take turns. It is released by the commit (or the rollback).
    transaction
        .execute(LOCK_MIGRATIONS, &[&MIGRATION_LOCK_CLASS, &schema])
        .await?;
    // Created only if missing, checked by hand rather than with `CREATE SCHEMA IF NOT
    // EXISTS`: that statement wants the right to create schemas in the database even when the
    // schema exists, which a role given only its own, ready-made schema does not have. The
    // lock is what makes check-then-create safe: without it, two sessions could both find
    // the schema missing, and the second would fail on a unique key. `schema` is a checked
    // plain identifier (see `connect_in_schema`), so it needs no quoting.
    if transaction
        .query_opt(SCHEMA_EXISTS, &[&schema])
        .await?
        .is_none()
    {
        transaction
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await?;
    }
    // `IF NOT EXISTS` on an existing table makes the server send a NOTICE, which the driver
    // logs at every start; a student would read it as a problem. Warnings and errors remain.
    transaction
        .batch_execute("SET LOCAL client_min_messages = warning")
        .await?;
    transaction.batch_execute(CREATE_VERSION_TABLE).await?;
    // Read under the lock: before it, another instance could be migrating this very schema.
    let found: i64 = transaction
        .query_one(CURRENT_VERSION, &[])
        .await?
        .try_get(0)?;
    let supported = SCHEMA_VERSION as i64;
    let from = usize::try_from(found)
        .ok()
        .filter(|&version| version <= SCHEMA_VERSION)
        .ok_or(StoreError::UnsupportedSchema { found, supported })?;
    // Only the missing steps, in order. The scripts say `CREATE TABLE` without `IF NOT
    // EXISTS`, so a step run twice fails loudly instead of keeping an old table. When there
    // is none, the commit below writes nothing: a second start is a no-op.
    for (step, script) in MIGRATIONS.iter().enumerate().skip(from) {
        transaction.batch_execute(script).await?;
        // `step` is below `MIGRATIONS.len()`, a handful, so it fits an `INTEGER`.
        let version = i32::try_from(step + 1).unwrap_or(i32::MAX);
        transaction.execute(RECORD_VERSION, &[&version]).await?;
    }
    // The tables and the versions they belong to commit together or not at all.
    transaction.commit().await?;
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

/// Whether an insert failed because the item's primary key already exists.
///
/// By constraint name, not just the `unique_violation` code: that code would also cover a
/// unique index added later for another purpose, which would be a bug of ours and must stay
/// [`StoreError::Postgres`].
fn is_duplicate_item(error: &tokio_postgres::Error) -> bool {
    error.as_db_error().is_some_and(|db| {
        db.code() == &SqlState::UNIQUE_VIOLATION && db.constraint() == Some("items_pkey")
    })
}

/// Runs a write statement, prepared once per connection.
async fn execute(
    client: &impl GenericClient,
    sql: &str,
    params: &[Param<'_>],
) -> Result<(), StoreError> {
    let statement = client.prepare_cached(sql).await?;
    client.execute(&statement, params).await?;
    Ok(())
}

/// Runs a single-row `SELECT json …`; `None` when there is no such row.
async fn query_json(
    client: &impl GenericClient,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Option<String>, StoreError> {
    let statement = client.prepare_cached(sql).await?;
    let row = client.query_opt(&statement, params).await?;
    Ok(row.map(|row| row.try_get(0)).transpose()?)
}

/// Loads one page of `list` within `scope` (the owner, and for items the thread).
///
/// The JSON is decoded here too: unlike in `sqlite.rs` no lock is held while decoding, only
/// a pooled connection, which `load_threads` and `load_thread_items` release right after.
async fn load_page<T: DeserializeOwned>(
    client: &impl GenericClient,
    list: &ListQueries,
    scope: &[Param<'_>],
    request: &PageRequest,
) -> Result<Page<T>, StoreError> {
    // One row past the page says whether another page follows. The limit comes from the
    // client, so `usize::MAX` must not overflow, and PostgreSQL takes an `i64`.
    let fetch = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let rows = match &request.after {
        None => {
            let sql = match request.order {
                Order::Asc => list.first_asc,
                Order::Desc => list.first_desc,
            };
            let statement = client.prepare_cached(sql).await?;
            client
                .query(&statement, &[scope, &[&fetch as Param<'_>]].concat())
                .await?
        }
        Some(cursor) => {
            let sql = match request.order {
                Order::Asc => list.after_asc,
                Order::Desc => list.after_desc,
            };
            let statement = client.prepare_cached(sql).await?;
            let bounds: [Param<'_>; 2] = [cursor, &fetch];
            let rows = client.query(&statement, &[scope, &bounds].concat()).await?;
            // An empty page is either the end of the list or an unknown cursor (whose time
            // the subquery could not find): only now is the difference worth a round trip.
            if rows.is_empty() && !cursor_exists(client, list, scope, cursor).await? {
                return Err(StoreError::UnknownCursor {
                    cursor: cursor.clone(),
                });
            }
            rows
        }
    };
    let has_more = rows.len() > request.limit;
    let mut data = Vec::with_capacity(rows.len().min(request.limit));
    let mut last_id = None;
    for row in rows.iter().take(request.limit) {
        let id: String = row.try_get(0)?;
        let json: String = row.try_get(1)?;
        data.push(decode(&json, list.what)?);
        last_id = Some(id);
    }
    // `after` only when there is a next page, as in `paging.rs`.
    Ok(Page {
        data,
        has_more,
        after: if has_more { last_id } else { None },
    })
}

/// Whether `cursor` names an element of `list` within `scope`.
async fn cursor_exists(
    client: &impl GenericClient,
    list: &ListQueries,
    scope: &[Param<'_>],
    cursor: &str,
) -> Result<bool, StoreError> {
    let statement = client.prepare_cached(list.cursor_exists).await?;
    let params = [scope, &[&cursor as Param<'_>]].concat();
    Ok(client.query_opt(&statement, &params).await?.is_some())
}

// Every method has the same shape: take a pooled connection, run one statement (or one
// transaction), turn "no row" into the typed not-found error, decode the JSON. Unlike
// `sqlite.rs`, nothing needs to be copied into owned values first: the queries are awaited
// right here, not sent to another thread.
#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for PostgresStore {
    // Ids come from the injected generator, not from a sequence: they are protocol strings
    // with a kind prefix, and tests need them predictable.
    fn generate_thread_id(&self, _ctx: &C) -> ThreadId {
        ThreadId::new(self.ids.generate(IdKind::Thread))
    }

    fn generate_item_id(&self, kind: IdKind, _thread: &ThreadMetadata, _ctx: &C) -> ItemId {
        ItemId::new(self.ids.generate(kind))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        let client = self.client().await?;
        let json = query_json(&client, LOAD_THREAD, &[&ctx.user_id(), &id.as_str()]).await?;
        let json = json.ok_or_else(|| StoreError::ThreadNotFound { id: id.clone() })?;
        decode(&json, "thread")
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        // Encoded before a connection is taken, so an encoding error never holds one.
        let json = encode(thread, "thread")?;
        let created_at = micros(thread.created_at);
        let client = self.client().await?;
        let params: [Param<'_>; 4] = [&ctx.user_id(), &thread.id.as_str(), &created_at, &json];
        execute(&client, SAVE_THREAD, &params).await
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        let client = self.client().await?;
        load_page(&client, &THREAD_LIST, &[&ctx.user_id()], page).await
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        // One transaction, so other instances see the thread and its items go together;
        // READ COMMITTED is enough, since each statement only deletes. Attachments stay, as
        // in the reference (see the trait's doc).
        let transaction = client.transaction().await?;
        let scope: [Param<'_>; 2] = [&ctx.user_id(), &id.as_str()];
        execute(&transaction, DELETE_THREAD_ITEMS, &scope).await?;
        execute(&transaction, DELETE_THREAD, &scope).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        let client = self.client().await?;
        let scope: [Param<'_>; 2] = [&ctx.user_id(), &thread_id.as_str()];
        load_page(&client, &ITEM_LIST, &scope, page).await
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let json = encode(item, "item")?;
        let created_at = micros(item.created_at);
        let client = self.client().await?;
        let params: [Param<'_>; 5] = [
            &ctx.user_id(),
            &thread_id.as_str(),
            &item.id.as_str(),
            &created_at,
            &json,
        ];
        // The duplicate is recognised from the server's answer (see `ADD_ITEM`), and becomes
        // the same typed error the other stores give (a 409 before the first byte).
        match execute(&client, ADD_ITEM, &params).await {
            Err(StoreError::Postgres(error)) if is_duplicate_item(&error) => {
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
        let json = encode(item, "item")?;
        let created_at = micros(item.created_at);
        let client = self.client().await?;
        let params: [Param<'_>; 5] = [
            &ctx.user_id(),
            &thread_id.as_str(),
            &item.id.as_str(),
            &created_at,
            &json,
        ];
        execute(&client, SAVE_ITEM, &params).await
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        let client = self.client().await?;
        let params: [Param<'_>; 3] = [&ctx.user_id(), &thread_id.as_str(), &item_id.as_str()];
        let json = query_json(&client, LOAD_ITEM, &params).await?;
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
        let client = self.client().await?;
        let params: [Param<'_>; 3] = [&ctx.user_id(), &thread_id.as_str(), &item_id.as_str()];
        execute(&client, DELETE_ITEM, &params).await
    }

    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        let json = encode(attachment, "attachment")?;
        let client = self.client().await?;
        let params: [Param<'_>; 3] = [&ctx.user_id(), &attachment.id.as_str(), &json];
        execute(&client, SAVE_ATTACHMENT, &params).await
    }

    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        let client = self.client().await?;
        let json = query_json(&client, LOAD_ATTACHMENT, &[&ctx.user_id(), &id.as_str()]).await?;
        let json = json.ok_or_else(|| StoreError::AttachmentNotFound { id: id.clone() })?;
        decode(&json, "attachment")
    }

    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(&client, DELETE_ATTACHMENT, &[&ctx.user_id(), &id.as_str()]).await
    }

    /// Advisory locks that every instance on this schema sees (`postgres_turns.rs`).
    fn turn_locks(&self) -> Option<Arc<dyn TurnLocks>> {
        Some(self.turn_locks.clone())
    }
}

#[cfg(test)]
mod tests {
    //! What needs no database (the schema-name rule), and the query plans, which need one but
    //! look at this file's private SQL. The store's behaviour is in `tests/store.rs`.

    use crate::store::contract::test_database_url;

    use super::*;

    #[test]
    fn only_plain_lowercase_identifiers_are_schema_names() {
        for good in ["chatkit", "_x", "chatkit_test_17_3", &"a".repeat(63)] {
            assert!(is_plain_identifier(good), "{good}");
        }
        let too_long = "a".repeat(64);
        for bad in ["", "1abc", "Chat", "a-b", "a b", "a;drop", "é", &too_long] {
            assert!(!is_plain_identifier(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_bad_schema_name_is_refused_before_connecting() {
        // No database is listening on port 1; the name is refused before that matters.
        let refused = PostgresStore::connect_in_schema("postgres://x@127.0.0.1:1/x", "a;b").await;
        assert!(
            matches!(refused, Err(StoreError::InvalidSchemaName { ref name }) if name == "a;b"),
            "{refused:?}"
        );
    }

    /// The claim of the module doc: every paged query walks a `_by_time` index in the order
    /// asked for, with no sort step, and a later page enters the index at the cursor.
    #[tokio::test]
    async fn paged_queries_walk_the_time_index_without_sorting() {
        let Some(url) = test_database_url() else {
            return;
        };
        let schema = format!("chatkit_plan_test_{}", std::process::id());
        let store = PostgresStore::connect_in_schema(&url, &schema)
            .await
            .expect("connect");
        let mut client = store.client().await.expect("a connection");
        let transaction = client.transaction().await.expect("begin");
        // The tables are empty, so a sequential scan and a sort would be cheapest and the
        // planner would choose them; priced out, what is left shows whether an index can
        // give the rows in order. `SET LOCAL` ends with the transaction.
        transaction
            .batch_execute("SET LOCAL enable_seqscan = off")
            .await
            .expect("set");
        let (owner, thread, cursor, limit) = ("u", "thr_1", "msg_1", 21_i64);
        let queries: [(&str, Vec<Param<'_>>); 6] = [
            (ITEM_LIST.first_asc, vec![&owner, &thread, &limit]),
            (ITEM_LIST.first_desc, vec![&owner, &thread, &limit]),
            (ITEM_LIST.after_asc, vec![&owner, &thread, &cursor, &limit]),
            (ITEM_LIST.after_desc, vec![&owner, &thread, &cursor, &limit]),
            (THREAD_LIST.after_asc, vec![&owner, &cursor, &limit]),
            (THREAD_LIST.after_desc, vec![&owner, &cursor, &limit]),
        ];
        for (sql, params) in queries {
            let plan: Vec<String> = transaction
                .query(&format!("EXPLAIN {sql}"), &params)
                .await
                .expect("explain")
                .iter()
                .map(|row| row.get(0))
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("_by_time"), "{sql}\n→ {plan}");
            assert!(!plan.contains("Sort"), "{sql}\n→ {plan}");
            if sql.contains("(created_at, id) ") {
                // The row comparison is an index condition, not a filter on scanned rows.
                assert!(
                    plan.contains("Index Cond") && plan.contains("ROW(created_at, id)"),
                    "{sql}\n→ {plan}"
                );
                assert!(!plan.contains("Filter"), "{sql}\n→ {plan}");
            }
        }
        transaction.rollback().await.expect("rollback");
        drop(client);
        store
            .client()
            .await
            .expect("a connection")
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop the test schema");
    }
}
