//! The data set at programme scale, for benchmarks and load tests: `empower seed-demo --scale N`.
//!
//! N associations (spread over every status, the three regions and eight countries of origin),
//! five people each, the selected associations' representatives enrolled in the three modules
//! with attendance on every sitting of their module (ten lines each), assessments, restitutions
//! in every status, funding applications, partners, deliverables and their dissemination. At
//! N = 10,000: 50,000 people, 20,000 enrolments, 200,000 attendance lines, 20,000 restitutions.
//!
//! Deterministic: every name, status, date, count and link is a function of N and the row's
//! number, so two loads of the same N hold the same data (the ids and timestamps are fresh
//! UUIDv7s and clock readings, as the API makes them). Everything goes through the write
//! layer's bulk path ([`crate::resource::insert_many`], [`crate::resource::update_many`]):
//! the rows, and the change-feed and audit rows those writes imply, a few statements per 400
//! rows in one transaction. `changes` asks for a change feed of at least that many rows: the
//! associations then get an edit history (their member count corrected, round after round),
//! as a long-running programme's log would hold.

mod activity;
mod history;
mod registry;
mod training;

use chrono::{Days, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use crate::audit::AuditContext;
use crate::{DomainError, db};

/// The largest N accepted: a million associations would take hours and gigabytes.
pub const MAX_SCALE: usize = 200_000;
/// The longest change feed asked for.
pub const MAX_CHANGES: u64 = 20_000_000;

/// What was written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Scaled {
    /// Associations created (zero when the data set was already there).
    pub associations: usize,
    /// Of which selected.
    pub selected: usize,
    /// People.
    pub people: usize,
    /// Training sessions.
    pub sessions: usize,
    /// Enrolments.
    pub enrollments: usize,
    /// Attendance lines.
    pub attendance: usize,
    /// Assessments.
    pub assessments: usize,
    /// Restitutions.
    pub restitutions: usize,
    /// Funding applications.
    pub funding_applications: usize,
    /// Partners.
    pub partners: usize,
    /// Deliverables.
    pub deliverables: usize,
    /// Dissemination records.
    pub disseminations: usize,
    /// Rows of the change feed once loaded.
    pub changes: i64,
    /// Seconds it took.
    pub seconds: f64,
}

/// Loads the data set for `n` associations into a migrated database, in one transaction, and
/// grows the change feed to at least `changes` rows. A database that already holds it (its
/// first association) is left as it is.
pub async fn load(
    db: &DatabaseConnection,
    n: usize,
    changes: Option<u64>,
) -> Result<Scaled, DomainError> {
    if !(1..=MAX_SCALE).contains(&n) {
        return Err(DomainError::Invalid(vec![crate::FieldError::new(
            "scale",
            format!("must be between 1 and {MAX_SCALE}"),
        )]));
    }
    if changes.is_some_and(|c| c > MAX_CHANGES) {
        return Err(DomainError::Invalid(vec![crate::FieldError::new(
            "changes",
            format!("must be at most {MAX_CHANGES}"),
        )]));
    }
    let started = std::time::Instant::now();
    let mut scaled = Scaled::default();
    let context = AuditContext::system();
    if registry::present(db).await? {
        scaled.changes = crate::changes::last_seq(db).await?;
        scaled.seconds = started.elapsed().as_secs_f64();
        return Ok(scaled);
    }
    let tx = db::begin_write(db).await?;
    let associations = registry::load(&tx, &context, n, &mut scaled).await?;
    training::load(&tx, &context, &associations, &mut scaled).await?;
    activity::load(&tx, &context, &associations, &mut scaled).await?;
    if let Some(target) = changes {
        history::grow(&tx, &context, &associations.ids, target).await?;
    }
    scaled.changes = crate::changes::last_seq(&tx).await?;
    tx.commit().await?;
    match db.get_database_backend() {
        // Readers then find every page in the database file, not in a write-ahead log of
        // hundreds of megabytes.
        DbBackend::Sqlite => {
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?
        }
        // The planner's statistics, which autovacuum would gather only later.
        _ => db.execute_unprepared("ANALYZE").await?,
    };
    scaled.seconds = started.elapsed().as_secs_f64();
    Ok(scaled)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date + Days::new(days)
}
