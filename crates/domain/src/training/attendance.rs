//! Daily attendance: the sheet of a session, taken by a trainer in the room (so only for a
//! session that was held or takes place today), and the register of a module: one row per
//! enrolled person, one column per module day.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::completion::{self, Completion, Which};
use super::entity::{
    AttendanceStatus, EnrollmentStatus, SessionStatus, attendance, enrollment, session,
};
use super::modules::{self, Module};
use crate::association;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource::{self, Locked, Precondition};
use crate::{DomainError, FieldError, time};

/// The most lines a sheet has (the largest capacity of a session).
pub const MAX_SHEET: usize = 500;

/// One line of a sheet as a trainer sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetEntry {
    /// A person enrolled in the session's module.
    pub person_id: Uuid,
    /// Present, absent or excused.
    pub status: AttendanceStatus,
    /// Came late.
    pub arrived_late: bool,
}

/// Whether attendance may be taken for a session: it was held, or it takes place `today` (a
/// trainer takes it in the room). A future, past planned or cancelled session is refused.
pub fn check_open(
    status: SessionStatus,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    let open = match status {
        SessionStatus::Held => date <= today,
        SessionStatus::Planned => date == today,
        SessionStatus::Cancelled => false,
    };
    if open {
        return Ok(());
    }
    let why = match status {
        SessionStatus::Cancelled => "the session was cancelled".to_owned(),
        _ if date > today => format!("the session is on {date}, in the future"),
        _ => format!("the session of {date} is still planned; mark it held first"),
    };
    Err(DomainError::Refused(Refusal::conflict(
        "attendance_not_open",
        "Attendance cannot be taken for this session",
        format!("attendance is taken for a held session or on the day of the session: {why}"),
    )))
}

/// A session's sheet as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The live lines the caller may see (a bound caller: its own association's people only;
    /// the lines of a deleted association are gone with it).
    pub lines: Vec<attendance::Model>,
    /// The sheet's version (its `ETag`): +1 on each write that changes a line.
    pub version: i32,
}

/// A session's live lines whose association is live.
fn live_lines(session_id: Uuid) -> Condition {
    Condition::all()
        .add(attendance::Column::SessionId.eq(session_id))
        .add(attendance::Column::AssociationId.in_subquery(association::live_ids()))
}

/// The lines of a session's sheet that `scope` sees.
async fn lines(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    scope: &CallerScope,
) -> Result<Vec<attendance::Model>, DomainError> {
    let mut select = attendance::Entity::find()
        .filter(live_lines(session_id))
        .filter(attendance::Column::DeletedAt.is_null());
    if let Some(own) = scope.bound_to {
        select = select.filter(attendance::Column::AssociationId.eq(own));
    }
    Ok(select.order_by_asc(attendance::Column::Id).all(db).await?)
}

/// A session's sheet.
pub async fn sheet(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    scope: &CallerScope,
) -> Result<Sheet, DomainError> {
    let session = resource::find_live::<session::Entity>(db, session_id, scope).await?;
    Ok(Sheet {
        lines: lines(db, session_id, scope).await?,
        version: session.attendance_version,
    })
}

/// Replaces a session's sheet: lines for new people are added, changed lines written (each a
/// change in the feed), lines for people no longer on it removed. Nothing is written unless
/// every line keeps the rules, and `expected` (from `If-Match`) names the sheet's version: the
/// session row is locked first, so of parallel writers holding one version exactly one wins.
pub async fn replace(
    tx: &Tx,
    context: &AuditContext,
    session_id: Uuid,
    entries: &[SheetEntry],
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<Sheet, DomainError> {
    let session = resource::lock_live::<session::Entity>(tx, session_id, scope).await?;
    expected.check(session.attendance_version)?;
    check_open(session.status, session.date, time::brussels_today())?;
    let mut errors = Vec::new();
    if entries.len() > MAX_SHEET {
        errors.push(FieldError::new(
            "",
            format!("must list at most {MAX_SHEET} people"),
        ));
    }
    for (i, entry) in entries.iter().enumerate() {
        if entries[..i].iter().any(|e| e.person_id == entry.person_id) {
            errors.push(FieldError::new(
                format!("/{i}/person_id"),
                "is listed twice",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let people: Vec<Uuid> = entries.iter().map(|e| e.person_id).collect();
    let enrolled: HashMap<Uuid, enrollment::Model> = if people.is_empty() {
        HashMap::new()
    } else {
        enrollment::Entity::find()
            .filter(enrollment::Column::ModuleId.eq(session.module_id))
            .filter(enrollment::Column::PersonId.is_in(people))
            .filter(enrollment::Column::Status.eq(EnrollmentStatus::Enrolled))
            .filter(enrollment::Column::DeletedAt.is_null())
            .filter(enrollment::Column::AssociationId.in_subquery(association::live_ids()))
            .all(tx)
            .await?
            .into_iter()
            .map(|e| (e.person_id, e))
            .collect()
    };
    let strangers: Vec<FieldError> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !enrolled.contains_key(&e.person_id))
        .map(|(i, _)| {
            FieldError::new(
                format!("/{i}/person_id"),
                "is not enrolled in the session's module",
            )
        })
        .collect();
    if !strangers.is_empty() {
        let detail = format!(
            "{} of the people listed are not enrolled in the session's module",
            strangers.len()
        );
        return Err(DomainError::Refused(Refusal {
            errors: strangers,
            ..Refusal::unprocessable("not_enrolled", "Not enrolled", "", detail)
        }));
    }
    // The sheet's lines, locked in one query (a deleted association's are gone with it).
    let mut existing: HashMap<Uuid, Locked<attendance::Model>> =
        resource::lock_live_where::<attendance::Entity>(tx, live_lines(session_id))
            .await?
            .into_iter()
            .map(|a| (a.person_id, a))
            .collect();
    let mut new = Vec::new();
    let mut touched = Vec::new();
    for entry in entries {
        let Some(enrollment) = enrolled.get(&entry.person_id) else {
            continue;
        };
        match existing.remove(&entry.person_id) {
            Some(line) => {
                let before = line.enrollment_id;
                let written = resource::update::<attendance::Entity>(
                    tx,
                    context,
                    line,
                    &Precondition::None,
                    "updated",
                    false,
                    |row| {
                        row.status = Set(entry.status);
                        row.arrived_late = Set(entry.arrived_late);
                        row.enrollment_id = Set(enrollment.id);
                    },
                )
                .await?;
                if written.changed {
                    touched.extend([before, enrollment.id]);
                }
            }
            None => {
                touched.push(enrollment.id);
                new.push(attendance::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    session_id: Set(session_id),
                    enrollment_id: Set(enrollment.id),
                    person_id: Set(entry.person_id),
                    association_id: Set(enrollment.association_id),
                    status: Set(entry.status),
                    arrived_late: Set(entry.arrived_late),
                    ..Default::default()
                });
            }
        }
    }
    if !new.is_empty() {
        resource::insert_many::<attendance::Entity>(tx, context, new).await?;
    }
    // Whoever is left was taken off the sheet.
    for line in existing.into_values() {
        touched.push(line.enrollment_id);
        resource::soft_delete::<attendance::Entity>(tx, context, line, &Precondition::None).await?;
    }
    let mut version = session.attendance_version;
    if !touched.is_empty() {
        version += 1;
        let bumped = session::Entity::update_many()
            .col_expr(session::Column::AttendanceVersion, Expr::value(version))
            .filter(session::Column::Id.eq(session_id))
            .filter(session::Column::AttendanceVersion.eq(session.attendance_version))
            .exec(tx)
            .await?;
        if bumped.rows_affected != 1 {
            return Err(DomainError::Stale {
                current: session.attendance_version,
            });
        }
    }
    super::enrollments::touch(tx, context, &touched).await?;
    Ok(Sheet {
        lines: lines(tx, session_id, scope).await?,
        version,
    })
}

/// An association was deleted: its people's lines leave the sheets they were on, so those
/// sheets get a new version (their `ETag` must not hide the change).
pub async fn association_deleted(tx: &Tx, association_id: Uuid) -> Result<(), DomainError> {
    let sheets = sea_orm::sea_query::Query::select()
        .column(attendance::Column::SessionId)
        .from(attendance::Entity)
        .and_where(attendance::Column::AssociationId.eq(association_id))
        .and_where(attendance::Column::DeletedAt.is_null())
        .to_owned();
    session::Entity::update_many()
        .col_expr(
            session::Column::AttendanceVersion,
            Expr::col(session::Column::AttendanceVersion).add(1),
        )
        .filter(session::Column::Id.in_subquery(sheets))
        .exec(tx)
        .await?;
    Ok(())
}

/// One person's row of a register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    /// The enrolment.
    pub enrollment: enrollment::Model,
    /// First and last name, for callers who may see personal data.
    pub name: Option<(String, String)>,
    /// Per module day, in the module's order: the best status recorded at any sitting of the
    /// day (present, then excused, then absent), or none.
    pub days: Vec<Option<AttendanceStatus>>,
    /// Days attended and completion.
    pub completion: Completion,
}

/// The register of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    /// The module, with its days (the register's columns).
    pub module: Module,
    /// One row per enrolled person.
    pub rows: Vec<RegisterRow>,
}

/// The register trainers keep: every enrolled person of the module the caller may see (a
/// bound caller: its own association's), by name.
pub async fn register(
    db: &impl ConnectionTrait,
    module_id: Uuid,
    scope: &CallerScope,
) -> Result<Register, DomainError> {
    let module = modules::get(db, module_id, scope).await?;
    let mut select = enrollment::Entity::find()
        .filter(enrollment::Column::ModuleId.eq(module_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Enrolled))
        .filter(enrollment::Column::DeletedAt.is_null())
        .filter(enrollment::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(own) = scope.bound_to {
        select = select.filter(enrollment::Column::AssociationId.eq(own));
    }
    let enrollments = select.order_by_asc(enrollment::Column::Id).all(db).await?;
    let best = completion::best_by_day(db, module_id).await?;
    let completions = completion::of(db, Which::Module(module_id)).await?;
    let names: HashMap<Uuid, (String, String)> = if scope.personal_data && !enrollments.is_empty() {
        person::Entity::find()
            .filter(person::Column::Id.is_in(enrollments.iter().map(|e| e.person_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.first_name, p.last_name)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut rows: Vec<RegisterRow> = enrollments
        .into_iter()
        .map(|enrollment| RegisterRow {
            name: names.get(&enrollment.person_id).cloned(),
            days: module
                .days
                .iter()
                .map(|d| best.get(&(enrollment.id, d.day_number)).copied())
                .collect(),
            completion: completions.get(&enrollment.id).copied().unwrap_or_default(),
            enrollment,
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &RegisterRow| {
            r.name
                .as_ref()
                .map(|(first, last)| (crate::text::fold(last), crate::text::fold(first)))
        };
        key(a)
            .cmp(&key(b))
            .then(a.enrollment.id.cmp(&b.enrollment.id))
    });
    Ok(Register { module, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(DomainError::Refused(r)) => r.code,
            Err(_) => "other",
        }
    }

    #[test]
    fn a_sheet_is_taken_for_a_held_session_or_on_the_day() {
        let today = day(10);
        assert_eq!(code(check_open(SessionStatus::Held, day(3), today)), "ok");
        assert_eq!(code(check_open(SessionStatus::Planned, today, today)), "ok");
        assert_eq!(code(check_open(SessionStatus::Held, today, today)), "ok");
        for (status, date) in [
            (SessionStatus::Planned, day(11)),
            (SessionStatus::Held, day(11)),
            (SessionStatus::Planned, day(9)),
            (SessionStatus::Cancelled, today),
        ] {
            assert_eq!(code(check_open(status, date, today)), "attendance_not_open");
        }
    }
}
