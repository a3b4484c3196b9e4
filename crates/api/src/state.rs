//! What every handler can reach: the database pool and the resolved secrets.

use std::sync::Arc;

use chrono::NaiveDate;
use empower_domain::db::Db;
use empower_domain::files::FileStore;
use empower_domain::results::report::Report;

use crate::auth::jwt::TokenKeys;
use crate::memo::Memo;
use crate::routes::v1::results::report::Format;
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
    /// Where webhooks may be sent.
    pub webhook_policy: empower_domain::webhooks::address::AddressPolicy,
    /// How long personal data is kept.
    pub retention: empower_domain::privacy::RetentionPeriods,
    /// The public results' body, computed once per change of the data (and day): computing
    /// them reads the whole programme.
    pub public_results: Memo<(), Vec<u8>>,
    /// Results reports by period and format, computed once per change of the data (and day).
    pub results_reports: Memo<ReportKey, Arc<Report>>,
}

/// A results report asked for: its first and last day, and its format (which breakdowns).
pub type ReportKey = (NaiveDate, NaiveDate, Format);
