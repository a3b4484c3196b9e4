//! What every handler can reach: the database pool and the resolved secrets.

use empower_domain::db::Db;
use empower_domain::files::FileStore;

use crate::auth::jwt::TokenKeys;
use crate::settings::Iati;

/// Shared application state, one per server.
#[derive(Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// Signs and verifies access tokens.
    pub tokens: TokenKeys,
    /// Uploaded files.
    pub files: FileStore,
    /// The identifiers of the IATI results export.
    pub iati: Iati,
    /// The public results as last computed, with the change and the day they were computed
    /// at: reused until either moves (computing them reads the whole programme).
    pub public_results: PublicResultsCache,
}

/// The public results' body, by (last change, day).
pub type PublicResultsCache = std::sync::Mutex<Option<((i64, chrono::NaiveDate), Vec<u8>)>>;
