//! Connecting to SQLite (embedded default) or PostgreSQL, migrating, and write transactions.

use std::time::Duration;

use empower_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};

pub use sea_orm::DatabaseConnection as Db;
pub use sea_orm::DbErr;

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a pool on `url`: `sqlite://path?mode=rwc` (or a bare file path) or `postgres://...`.
///
/// SQLite gets WAL (readers never block the writer), a busy timeout (writers wait instead of
/// failing), enforced foreign keys, and is created when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let url = normalise_url(url);
    let mut options = ConnectOptions::new(url.clone());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options
            .max_connections(8)
            .map_sqlx_sqlite_opts(|opts| {
                opts.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            })
            .map_sqlx_sqlite_pool_opts(|pool| {
                pool.after_connect(|conn, _| Box::pin(stable_plans::enable(conn)))
            });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) on each
/// connection of the pool.
///
/// Without it, SQLite plans a statement for the values bound to it where a value can change the
/// plan: a `LIMIT ?` (which every sea-orm `.one()` and every page has), a `LIKE ?` prefix, a
/// STAT4 range. It then marks the statement expired whenever such a value is bound again, and
/// every execution of a cached statement re-prepares it: 41-47 % of the instructions of a read
/// by id, measured with callgrind (README, "At scale"). With the guarantee a statement keeps the
/// plan it was prepared with, and the limit is read when it runs. What it costs: no `LIKE`
/// prefix plans for bound patterns (the registry's search uses its own index), no STAT4 plans
/// (the database has no statistics tables).
pub mod stable_plans {
    #![allow(unsafe_code)]

    use std::ffi::c_int;

    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config};
    use sea_orm::sqlx::{self, SqliteConnection};

    /// Turns the guarantee on for `conn`, and checks that it is on.
    pub async fn enable(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        if set(conn, 1).await? == 1 {
            Ok(())
        } else {
            Err(sqlx::Error::Configuration(
                "SQLite did not keep its query planner stability guarantee on".into(),
            ))
        }
    }

    /// Whether the guarantee is on for `conn`.
    pub async fn enabled(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
        Ok(set(conn, -1).await? == 1)
    }

    /// Sets the flag (1 on, 0 off, -1 leave it) and returns its state after the call.
    async fn set(conn: &mut SqliteConnection, to: c_int) -> Result<c_int, sqlx::Error> {
        let mut handle = conn.lock_handle().await?;
        let db = handle.as_raw_handle().as_ptr();
        let mut now: c_int = -1;
        // SAFETY: `db` is this connection's open handle, taken out of its worker thread by the
        // lock for the length of the call. SQLITE_DBCONFIG_ENABLE_QPSG takes exactly an int and
        // an int* that SQLite writes the new state to (sqlite.org/c3ref/c_dbconfig_defensive.html),
        // and `now` outlives the call.
        let rc = unsafe { sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_QPSG, to, &raw mut now) };
        if rc == SQLITE_OK {
            Ok(now)
        } else {
            Err(sqlx::Error::Configuration(
                format!("SQLite refused its query planner stability setting ({rc})").into(),
            ))
        }
    }
}

/// Accepts a plain file path as shorthand for a SQLite URL.
pub fn normalise_url(url: &str) -> String {
    if url.contains("://") || url.starts_with("sqlite:") {
        url.to_owned()
    } else {
        format!("sqlite://{url}?mode=rwc")
    }
}

/// A short, password-free description of where the database is, for the start-up log.
pub fn describe(url: &str) -> String {
    let url = normalise_url(url);
    match url.split_once("://") {
        Some((scheme, rest)) if scheme.starts_with("postgres") => {
            let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("PostgreSQL at {host_and_db}")
        }
        Some((_, rest)) => {
            let path = rest.split('?').next().unwrap_or(rest);
            let shown = std::path::Path::new(path)
                .canonicalize()
                .map_or_else(|_| path.to_owned(), |p| p.display().to_string());
            format!("SQLite file {shown}")
        }
        None => url,
    }
}

/// Applies every pending migration, then fills the derived columns a migration cannot compute
/// because they follow the domain's rules (the look-alike skeleton of association names
/// written before that rule existed). Cheap when nothing is missing.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    let tx = begin_write(db).await?;
    let filled = crate::association::upkeep(&tx)
        .await
        .map_err(|e| DbErr::Custom(format!("upkeep after migration: {e}")))?;
    tx.commit().await?;
    if filled > 0 {
        log::info!("upkeep: {filled} association name skeletons filled");
    }
    Ok(())
}

/// Rolls back the last `steps` migrations (all when `None`).
pub async fn migrate_down(db: &DatabaseConnection, steps: Option<u32>) -> Result<(), DbErr> {
    Migrator::down(db, steps).await
}

/// Each migration's name and whether it is applied.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let applied: Vec<String> = Migrator::get_applied_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_owned();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}

/// A write transaction: the only way to call a service that writes, so a write outside a
/// transaction does not compile. Made by [`begin_write`]; reads inside it see its writes.
/// Dropped without [`Tx::commit`], it rolls back.
pub struct Tx(DatabaseTransaction);

impl Tx {
    /// Makes every write of the transaction durable.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.0.commit().await
    }

    /// Undoes every write of the transaction (a dry run, say).
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.0.rollback().await
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tx")
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Tx {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }
}

/// Advisory lock key of the writers' lock on PostgreSQL ("EMPOWER" in ASCII).
const WRITERS_LOCK: i64 = 0x0045_4d50_4f57_4552;

/// Begins a transaction that will write, as the only writer until it ends.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so concurrent writers queue
/// on the busy timeout instead of failing with "database is locked" when they upgrade from a
/// read. On PostgreSQL it takes the writers' lock ([`lock_writers`]) at once. The change feed
/// needs writers to commit in order anyway (`crate::changes`), and so every check a write makes
/// before it writes (a name is free, an id is new, a parent is live, a password is current)
/// still holds when it commits, and no two writers can deadlock over row locks taken in
/// different orders. Rows are also locked as they are read ([`crate::resource`]).
pub async fn begin_write(db: &DatabaseConnection) -> Result<Tx, DbErr> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    let tx = Tx(db.begin_with_options(options).await?);
    lock_writers(&tx).await?;
    Ok(tx)
}

/// Begins a transaction over queue rows only (webhook deliveries), which does not wait for the
/// writers: on PostgreSQL rows are claimed with `FOR UPDATE SKIP LOCKED` instead, so workers in
/// several processes share the queue without blocking each other or the API's writers. SQLite has
/// one writer at a time whatever the tables, so it begins `IMMEDIATE`, like [`begin_write`].
pub async fn begin_queue(db: &DatabaseConnection) -> Result<Tx, DbErr> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    Ok(Tx(db.begin_with_options(options).await?))
}

/// Takes the writers' lock for the rest of the transaction on PostgreSQL (a transaction-level
/// advisory lock; taking it again is free). SQLite writers hold its write lock already.
pub async fn lock_writers(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [WRITERS_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Begins a read that PostgreSQL plans for the values bound to it, at every execution.
///
/// PostgreSQL plans a prepared statement for its first five executions' values, then may keep a
/// generic plan that it judges as cheap as theirs. For the registry's search that plan walks the
/// name index to find 50 matches of any pattern: as fast as the value's plan for a common word,
/// three times slower for a rare one, whose matches lie anywhere in the name order (17 against
/// 5-7 ms by `EXPLAIN ANALYZE EXECUTE` at N = 10,000; README, "At scale"). `SET LOCAL` holds to
/// the end of the transaction, so the pool's other statements keep their plans. On SQLite the
/// transaction is a plain one.
pub async fn begin_read_planned_per_value(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, DbErr> {
    let tx = db.begin().await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    Ok(tx)
}

/// The installation's id: one random id per database, made by its migrations, which the files
/// directory is tied to.
pub async fn installation_id(db: &impl ConnectionTrait) -> Result<uuid::Uuid, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM installation",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("installation".into()))?;
    row.try_get::<uuid::Uuid>("", "id")
}

/// Checks that the database answers.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_paths_become_sqlite_urls() {
        assert_eq!(
            normalise_url("./empower.db"),
            "sqlite://./empower.db?mode=rwc"
        );
        assert_eq!(normalise_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(normalise_url("sqlite::memory:"), "sqlite::memory:");
    }

    #[tokio::test]
    async fn every_sqlite_connection_keeps_its_plans() {
        let dir = std::env::temp_dir().join(format!("empower-plans-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = connect(&dir.join("plans.db").display().to_string())
            .await
            .expect("connect");
        let pool = db.get_sqlite_connection_pool();
        // More connections than one, so each is a new one the pool opened.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = pool.acquire().await.expect("acquire");
            assert!(
                stable_plans::enabled(&mut conn)
                    .await
                    .expect("read the flag")
            );
            held.push(conn);
        }
        drop(held);
        db.close().await.expect("close");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn descriptions_never_show_passwords() {
        let shown = describe("postgres://empower:s3cret@db:5432/empower");
        assert_eq!(shown, "PostgreSQL at db:5432/empower");
        assert!(describe("sqlite://nowhere/x.db?mode=rwc").starts_with("SQLite file nowhere/x.db"));
    }
}
