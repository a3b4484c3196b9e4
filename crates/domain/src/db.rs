//! Connecting to SQLite (embedded default) or PostgreSQL, migrating, and write transactions.

use std::time::Duration;

use empower_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
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
        options.max_connections(8).map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
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

/// Applies every pending migration.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
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

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout instead of failing
/// with "database is locked" when they upgrade from a read.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    db.begin_with_options(options).await
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

    #[test]
    fn descriptions_never_show_passwords() {
        let shown = describe("postgres://empower:s3cret@db:5432/empower");
        assert_eq!(shown, "PostgreSQL at db:5432/empower");
        assert!(describe("sqlite://nowhere/x.db?mode=rwc").starts_with("SQLite file nowhere/x.db"));
    }
}
