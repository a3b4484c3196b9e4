//! What every handler can reach: the database pool and the resolved secrets.

use empower_domain::db::Db;

use crate::settings::Secret;

/// Shared application state, one per server.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// The key access tokens are signed with (given, or random for this process).
    pub jwt_secret: Secret,
}
