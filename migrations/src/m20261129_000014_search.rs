//! The search index of the association registry, so that `q` (a substring of the folded name
//! and acronym, `associations.search_text`) no longer scans every row.
//!
//! - SQLite: an FTS5 table with the trigram tokenizer, `association_search(association_id,
//!   search_text)`, kept in step with `associations` by triggers, in the writing transaction.
//!   A phrase of three characters or more matches every row containing it as a substring.
//!   `association_search_terms` (fts5vocab) tells how many rows hold each trigram, so the
//!   server can tell a rare word (the index finds it) from a common one (a walk in name order
//!   finds 50 matches sooner).
//! - PostgreSQL: the `pg_trgm` extension (trusted since PostgreSQL 13: the database's owner may
//!   create it) and a GIN trigram index on `search_text`, which serves `LIKE '%…%'` directly.
//!
//! The text indexed is already folded by the server (lower case, accents removed), so "Reseau"
//! finds "Réseau" on both.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE association_search USING fts5(\
        association_id UNINDEXED, search_text, tokenize = 'trigram')",
    "INSERT INTO association_search (association_id, search_text) \
        SELECT id, search_text FROM associations",
    "CREATE TRIGGER association_search_insert AFTER INSERT ON associations BEGIN \
        INSERT INTO association_search (association_id, search_text) \
        VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER association_search_update AFTER UPDATE OF search_text ON associations \
        WHEN old.search_text IS NOT new.search_text BEGIN \
        DELETE FROM association_search WHERE association_id = old.id; \
        INSERT INTO association_search (association_id, search_text) \
        VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER association_search_delete AFTER DELETE ON associations BEGIN \
        DELETE FROM association_search WHERE association_id = old.id; END",
    "CREATE VIRTUAL TABLE association_search_terms USING fts5vocab(association_search, 'row')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TABLE IF EXISTS association_search_terms",
    "DROP TRIGGER IF EXISTS association_search_delete",
    "DROP TRIGGER IF EXISTS association_search_update",
    "DROP TRIGGER IF EXISTS association_search_insert",
    "DROP TABLE IF EXISTS association_search",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_associations_search_trgm ON associations \
        USING gin (search_text gin_trgm_ops)",
];

const POSTGRES_DOWN: &[&str] = &["DROP INDEX IF EXISTS idx_associations_search_trgm"];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, SQLITE_UP).await,
            _ => run(manager, POSTGRES_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, SQLITE_DOWN).await,
            _ => run(manager, POSTGRES_DOWN).await,
        }
    }
}
