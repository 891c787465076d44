//! The PostgreSQL side of the PostgreSQL rows: where the database URL comes from, what the
//! database's own processes spend, and removing a run's rows afterwards.
//!
//! The servers keep their tables in the store's default schema (`chatkit`), which other
//! suites share: the multi-instance tests use it too, each run with users of its own. So the
//! harness does the same. Every server of a run acts for users whose ids name the run
//! (`measure.rs`), and once a PostgreSQL server has been measured, the harness deletes the
//! rows of exactly those users. Nothing else is touched, and repeated runs do not make the
//! tables grow: what a run leaves behind is dead rows, which autovacuum reclaims. A run that
//! is interrupted leaves its rows; they belong to no one else's users and cost only space.

use std::time::Duration;

use anyhow::Context;
use chatkit::store::postgres::DEFAULT_SCHEMA;

use crate::servers::cpu_time;

/// The variable `.ci/run` sets, and the database tests read.
pub(crate) const DATABASE_URL_VARIABLE: &str = "CHATKIT_TEST_DATABASE_URL";

/// The database for the PostgreSQL rows: `--database-url`, else [`DATABASE_URL_VARIABLE`];
/// `None` (after saying so in one line) when neither is set.
pub(crate) fn database_url(flag: Option<String>) -> Option<String> {
    let url = flag.or_else(|| {
        std::env::var(DATABASE_URL_VARIABLE)
            .ok()
            .filter(|url| !url.is_empty())
    });
    if url.is_none() {
        eprintln!(
            "bench: PostgreSQL rows skipped: no --database-url and {DATABASE_URL_VARIABLE} is not set"
        );
    }
    url
}

/// The CPU time every `postgres` process on the machine has used so far: the postmaster, the
/// backends of every connection, the WAL writer and the checkpointer.
///
/// The server's own CPU leaves out what its queries cost the database, which runs on the same
/// cores here; this is that part. It counts every database client of the machine, so it is
/// only meaningful while nothing else uses the database. A process that exits between the
/// listing and the reading is left out.
pub(crate) fn postgres_cpu_time() -> Duration {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim_end() == "postgres")
        })
        .filter_map(|pid| cpu_time(pid).ok())
        .sum()
}

/// Deletes every thread, item and attachment of `owners` from the store's default schema, and
/// returns how many threads went.
///
/// Plain SQL on the store's tables rather than `Store::delete_thread` per thread: a full run
/// creates tens of thousands of threads, and one statement per table removes them in a
/// second. The tables are those of `PostgresStore` (`src/store/postgres.rs`), keyed by owner.
///
/// # Errors
///
/// The database cannot be reached, or a statement fails.
pub(crate) async fn delete_rows_of(url: &str, owners: &[String]) -> anyhow::Result<u64> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .context("connecting to the database to remove the run's rows")?;
    let connection = tokio::spawn(connection);
    let mut threads = 0;
    for table in ["items", "attachments", "threads"] {
        let deleted = client
            .execute(
                &format!("DELETE FROM {DEFAULT_SCHEMA}.{table} WHERE owner = ANY($1)"),
                &[&owners],
            )
            .await
            .with_context(|| format!("deleting the run's rows from {DEFAULT_SCHEMA}.{table}"))?;
        if table == "threads" {
            threads = deleted;
        }
    }
    drop(client);
    // The connection task ends once the client is gone; its outcome no longer matters.
    let _ = connection.await;
    Ok(threads)
}
