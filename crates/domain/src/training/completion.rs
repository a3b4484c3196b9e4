//! Completion of enrolments, computed in SQL over indexed columns: never rows loaded into
//! memory to be counted.
//!
//! A day counts once when the person was present at any sitting of it (a make-up session
//! included); sessions that were cancelled or deleted, and lines that were removed, do not
//! count. The enrolment is completed on the date of the day that brought the days attended to
//! `ceil(planned_days × min_attendance_pct / 100)`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
    Value,
};
use uuid::Uuid;

use super::entity::{AttendanceStatus, enrollment};
use crate::DomainError;
use crate::db::Tx;

/// Where an enrolment stands on attendance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Completion {
    /// Module days attended (each day once).
    pub attended_days: i32,
    /// The first day attended.
    pub first_day_on: Option<NaiveDate>,
    /// The date of the day that completed the module, once completed.
    pub completed_on: Option<NaiveDate>,
}

/// Which enrolments to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which<'a> {
    /// These enrolments.
    Enrollments(&'a [Uuid]),
    /// Every enrolment of this module.
    Module(Uuid),
}

#[derive(Debug, FromQueryResult)]
struct Row {
    enrollment_id: Uuid,
    attended: i64,
    first_on: Option<String>,
    completed_on: Option<String>,
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".into(),
    }
}

fn day(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok()))
}

/// A date expression as `YYYY-MM-DD` text on both databases: SQLite stores dates so, and
/// PostgreSQL formats one explicitly (a cast would follow the session's `DateStyle`).
fn date_text(backend: DbBackend, expression: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({expression}, 'YYYY-MM-DD')"),
        _ => expression.to_owned(),
    }
}

/// The most enrolments one statement names.
const MAX_IDS: usize = 1000;

/// The completion of each selected enrolment that has attended at least one day; the others
/// have attended none.
pub async fn of(
    db: &impl ConnectionTrait,
    which: Which<'_>,
) -> Result<HashMap<Uuid, Completion>, DomainError> {
    let backend = db.get_database_backend();
    let (selector, values): (String, Vec<Value>) = match which {
        Which::Enrollments([]) => return Ok(HashMap::new()),
        // A module's every enrolment (its threshold changed) can be tens of thousands: more
        // placeholders than one statement takes.
        Which::Enrollments(ids) if ids.len() > MAX_IDS => {
            let mut all = HashMap::new();
            for chunk in ids.chunks(MAX_IDS) {
                all.extend(Box::pin(of(db, Which::Enrollments(chunk))).await?);
            }
            return Ok(all);
        }
        Which::Enrollments(ids) => (
            format!(
                "e.id IN ({})",
                (1..=ids.len())
                    .map(|n| placeholder(backend, n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ids.iter().map(|id| (*id).into()).collect(),
        ),
        Which::Module(id) => (
            format!("e.module_id = {}", placeholder(backend, 1)),
            vec![id.into()],
        ),
    };
    let sql = format!(
        "WITH firsts AS ( \
           SELECT a.enrollment_id AS enrollment_id, s.day_number AS day_number, \
                  MIN(s.date) AS first_on \
           FROM enrollments e \
           JOIN attendance a ON a.enrollment_id = e.id \
           JOIN training_sessions s ON s.id = a.session_id \
           WHERE {selector} AND e.deleted_at IS NULL \
             AND a.deleted_at IS NULL AND a.status = 'present' \
             AND s.deleted_at IS NULL AND s.status <> 'cancelled' \
           GROUP BY a.enrollment_id, s.day_number \
         ), ranked AS ( \
           SELECT enrollment_id, first_on, \
                  ROW_NUMBER() OVER (PARTITION BY enrollment_id ORDER BY first_on, day_number) AS n, \
                  COUNT(*) OVER (PARTITION BY enrollment_id) AS attended \
           FROM firsts \
         ) \
         SELECT r.enrollment_id AS enrollment_id, \
                MAX(r.attended) AS attended, \
                {first_on} AS first_on, \
                {completed_on} AS completed_on \
         FROM ranked r \
         JOIN enrollments e ON e.id = r.enrollment_id \
         JOIN modules m ON m.id = e.module_id \
         GROUP BY r.enrollment_id",
        first_on = date_text(backend, "MIN(r.first_on)"),
        completed_on = date_text(
            backend,
            "MAX(CASE WHEN r.n = (m.planned_days * m.min_attendance_pct + 99) / 100 \
                      THEN r.first_on END)"
        ),
    );
    let rows = Row::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.enrollment_id,
                Completion {
                    attended_days: i32::try_from(row.attended).unwrap_or(i32::MAX),
                    first_day_on: day(row.first_on),
                    completed_on: day(row.completed_on),
                },
            )
        })
        .collect())
}

/// Writes the completion day of the selected enrolments into `enrollments.completed_on`, which
/// the results report reads, without giving them a new version: for enrolments written in bulk
/// in the same transaction as their attendance (the scale data set). Every other write keeps
/// the column through `enrollments::touch`, with a new version.
pub async fn store(tx: &Tx, which: Which<'_>) -> Result<(), DomainError> {
    let selection = match which {
        Which::Enrollments(ids) => enrollment::Column::Id.is_in(ids.to_vec()),
        Which::Module(id) => enrollment::Column::ModuleId.eq(id),
    };
    let mut by_day: BTreeMap<NaiveDate, Vec<Uuid>> = BTreeMap::new();
    for (id, completion) in of(tx, which).await? {
        if let Some(day) = completion.completed_on {
            by_day.entry(day).or_default().push(id);
        }
    }
    enrollment::Entity::update_many()
        .col_expr(
            enrollment::Column::CompletedOn,
            Expr::value(Option::<NaiveDate>::None),
        )
        .filter(selection)
        .exec(tx)
        .await?;
    for (day, ids) in by_day {
        for chunk in ids.chunks(MAX_IDS) {
            enrollment::Entity::update_many()
                .col_expr(enrollment::Column::CompletedOn, Expr::value(day))
                .filter(enrollment::Column::Id.is_in(chunk.to_vec()))
                .exec(tx)
                .await?;
        }
    }
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct DayRow {
    enrollment_id: Uuid,
    day_number: i32,
    best: i32,
}

/// Per enrolment of module `module_id` and per module day, the best status recorded at any
/// live, not cancelled sitting of the day (present, then excused, then absent): one row per
/// enrolment and day, grouped in SQL.
pub async fn best_by_day(
    db: &impl ConnectionTrait,
    module_id: Uuid,
) -> Result<HashMap<(Uuid, i32), AttendanceStatus>, DomainError> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT a.enrollment_id AS enrollment_id, s.day_number AS day_number, \
                MAX(CASE a.status WHEN 'present' THEN 3 WHEN 'excused' THEN 2 ELSE 1 END) AS best \
         FROM attendance a \
         JOIN training_sessions s ON s.id = a.session_id \
         WHERE s.module_id = {} AND a.deleted_at IS NULL \
           AND s.deleted_at IS NULL AND s.status <> 'cancelled' \
         GROUP BY a.enrollment_id, s.day_number",
        placeholder(backend, 1)
    );
    let rows = DayRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        sql,
        vec![module_id.into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let status = match row.best {
                3 => AttendanceStatus::Present,
                2 => AttendanceStatus::Excused,
                _ => AttendanceStatus::Absent,
            };
            ((row.enrollment_id, row.day_number), status)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_days_read_back_on_both_databases() {
        assert_eq!(
            day(Some("2026-03-12".into())),
            NaiveDate::from_ymd_opt(2026, 3, 12)
        );
        assert_eq!(day(Some("junk".into())), None);
        assert_eq!(day(None), None);
    }
}
