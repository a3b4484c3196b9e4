//! Reporting periods. Closing one computes every indicator's value and breakdowns over it and
//! stores that report, which never changes afterwards, whatever later edits do to the data;
//! reopening (admin only) drops it. The report is computed before the write (writers do not wait
//! for it); storing it and the status change are one atomic step, recorded in the audit log.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter,
};
use uuid::Uuid;

use super::entity::{PeriodStatus, period, period_report};
use super::metrics::Period;
use super::report::{self, ALL, Breakdowns, Closure, Report};
use super::rules::{self, PeriodInput};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Editable, Precondition, Written};

/// Lists reporting periods, oldest created first.
pub async fn list(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<period::Model>, DomainError> {
    let select = period::Entity::find().filter(period::Column::DeletedAt.is_null());
    paging::by_unique_key(db, select, period::Column::Id, Order::Asc, page, |p| {
        KeyValue::Uuid(p.id)
    })
    .await
}

/// Reads one period.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<period::Model, DomainError> {
    resource::find_live::<period::Entity>(db, id, &CallerScope::SYSTEM).await
}

fn apply(valid: &PeriodInput, row: &mut period::ActiveModel) {
    row.name = Set(valid.name.clone());
    row.start_on = Set(valid.start_on);
    row.end_on = Set(valid.end_on);
}

/// Creates an open period.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &PeriodInput,
) -> Result<period::Model, DomainError> {
    let valid = rules::check_period(input).map_err(DomainError::Invalid)?;
    let mut row = period::ActiveModel {
        status: Set(PeriodStatus::Open),
        closed_at: Set(None),
        closed_by_type: Set(None),
        closed_by_id: Set(None),
        ..Default::default()
    };
    apply(&valid, &mut row);
    resource::insert::<period::Entity>(tx, context, row).await
}

fn closed_conflict(row: &period::Model) -> DomainError {
    DomainError::Refused(Refusal::conflict(
        "period_closed",
        "Reporting period closed",
        format!(
            "period {} is closed: its report is frozen (an admin may reopen it)",
            row.name
        ),
    ))
}

/// The period a report covers.
pub fn span(row: &period::Model) -> Period {
    Period {
        from: row.start_on,
        to: row.end_on,
    }
}

/// The report a period would be closed with: every indicator with every breakdown it
/// supports. Computed before the write transaction (it can take seconds over a large data set,
/// and writers must not wait for it); [`close`] checks it still covers the period.
pub async fn closing_report(db: &impl ConnectionTrait, id: Uuid) -> Result<Report, DomainError> {
    let row = get(db, id).await?;
    report::build(db, span(&row), Breakdowns::Only(ALL)).await
}

/// Closes an open period with `report` (from [`closing_report`]): stores it, and records who
/// closed it and when. The status is checked on the locked row, so of parallel closings one
/// wins; a report computed for other dates (the period was edited meanwhile) is computed again.
pub async fn close(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    mut report: Report,
) -> Result<Written<period::Model>, DomainError> {
    let locked = resource::lock_live::<period::Entity>(tx, id, &CallerScope::SYSTEM).await?;
    expected.check(locked.row().version)?;
    if locked.row().status == PeriodStatus::Closed {
        return Err(closed_conflict(locked.row()));
    }
    let covers = span(locked.row());
    if (report.from, report.to) != (covers.from, covers.to) {
        report = report::build(tx, covers, Breakdowns::Only(ALL)).await?;
    }
    let now = Utc::now();
    let (actor_type, actor_id) = context.actor.parts();
    report.period_id = Some(id);
    report.closed = Some(Closure {
        closed_at: now,
        closed_by_type: actor_type,
        closed_by_id: actor_id,
    });
    let stored = serde_json::to_string(&report)
        .map_err(|e| DomainError::Internal(format!("period report: {e}")))?;
    period_report::Entity::insert(period_report::ActiveModel {
        period_id: Set(id),
        report: Set(stored),
    })
    .exec(tx)
    .await?;
    resource::update::<period::Entity>(tx, context, locked, expected, "closed", false, |row| {
        row.status = Set(PeriodStatus::Closed);
        row.closed_at = Set(Some(now));
        row.closed_by_type = Set(Some(actor_type));
        row.closed_by_id = Set(actor_id);
    })
    .await
}

/// Reopens a closed period: its stored report is dropped and its report is live again.
pub async fn reopen(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
) -> Result<Written<period::Model>, DomainError> {
    let locked = resource::lock_live::<period::Entity>(tx, id, &CallerScope::SYSTEM).await?;
    expected.check(locked.row().version)?;
    if locked.row().status == PeriodStatus::Open {
        return Err(DomainError::Refused(Refusal::conflict(
            "period_open",
            "Reporting period open",
            format!(
                "period {} is open: there is nothing to reopen",
                locked.row().name
            ),
        )));
    }
    if let Some(stored) = period_report::Entity::find_by_id(id).one(tx).await? {
        stored.delete(tx).await?;
    }
    resource::update::<period::Entity>(tx, context, locked, expected, "reopened", false, |row| {
        row.status = Set(PeriodStatus::Open);
        row.closed_at = Set(None);
        row.closed_by_type = Set(None);
        row.closed_by_id = Set(None);
    })
    .await
}

/// A period's report: the stored one once closed, else computed live with every breakdown.
pub async fn report(db: &impl ConnectionTrait, id: Uuid) -> Result<Report, DomainError> {
    let row = get(db, id).await?;
    if row.status == PeriodStatus::Closed
        && let Some(stored) = period_report::Entity::find_by_id(id).one(db).await?
    {
        return serde_json::from_str(&stored.report)
            .map_err(|e| DomainError::Internal(format!("stored period report: {e}")));
    }
    let mut report = report::build(db, span(&row), Breakdowns::Only(ALL)).await?;
    report.period_id = Some(id);
    Ok(report)
}

/// Periods are edited through the write layer, while open.
impl Editable for period::Entity {
    type View = period::Model;
    type Input = PeriodInput;
    type Valid = PeriodInput;

    async fn view(_tx: &Tx, row: period::Model) -> Result<period::Model, DomainError> {
        Ok(row)
    }

    fn input(current: &period::Model) -> PeriodInput {
        PeriodInput {
            name: current.name.clone(),
            start_on: current.start_on,
            end_on: current.end_on,
        }
    }

    async fn check(
        _tx: &Tx,
        current: &period::Model,
        input: PeriodInput,
        _scope: &CallerScope,
    ) -> Result<PeriodInput, DomainError> {
        if current.status == PeriodStatus::Closed {
            return Err(closed_conflict(current));
        }
        rules::check_period(&input).map_err(DomainError::Invalid)
    }

    fn apply(_current: &period::Model, valid: &PeriodInput, row: &mut period::ActiveModel) {
        apply(valid, row);
    }

    /// A closed period stays (409 `period_closed`): the delete is undone with the transaction.
    async fn on_deleted(
        _tx: &Tx,
        _context: &AuditContext,
        row: &period::Model,
    ) -> Result<(), DomainError> {
        if row.status == PeriodStatus::Closed {
            return Err(closed_conflict(row));
        }
        Ok(())
    }
}
