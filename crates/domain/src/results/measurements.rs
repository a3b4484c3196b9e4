//! Measurements of manual indicators. A period's value is the latest measurement made within
//! it (the latest `period_end`, then the latest recorded); one made for a cell of a breakdown
//! (`dimension`) gives that cell.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entity::{Source, measurement};
use super::framework::IndicatorRecord;
use super::metrics::{Breakdown, Cell, Dimension, Period};
use super::rules::{self, MeasurementInput};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};

use super::entity::indicator;

/// Lists an indicator's measurements, oldest recorded first.
pub async fn list(
    db: &impl ConnectionTrait,
    indicator_id: Uuid,
    page: &PageRequest,
) -> Result<Page<measurement::Model>, DomainError> {
    resource::find_live::<indicator::Entity>(db, indicator_id, &CallerScope::SYSTEM).await?;
    let select = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.eq(indicator_id))
        .filter(measurement::Column::DeletedAt.is_null());
    paging::by_unique_key(db, select, measurement::Column::Id, Order::Asc, page, |m| {
        KeyValue::Uuid(m.id)
    })
    .await
}

/// Reads one measurement of an indicator.
pub async fn get(
    db: &impl ConnectionTrait,
    indicator_id: Uuid,
    id: Uuid,
) -> Result<measurement::Model, DomainError> {
    resource::find_live::<indicator::Entity>(db, indicator_id, &CallerScope::SYSTEM).await?;
    let found = resource::find_live::<measurement::Entity>(db, id, &CallerScope::SYSTEM).await?;
    if found.indicator_id == indicator_id {
        Ok(found)
    } else {
        Err(DomainError::NotFound("measurement"))
    }
}

/// Records a measurement of a manual indicator (409 `indicator_not_manual` for a computed
/// one).
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    indicator_id: Uuid,
    input: &MeasurementInput,
) -> Result<measurement::Model, DomainError> {
    let indicator =
        resource::lock_live::<indicator::Entity>(tx, indicator_id, &CallerScope::SYSTEM).await?;
    let indicator = indicator.row();
    if indicator.source != Source::Manual {
        return Err(DomainError::Refused(Refusal::conflict(
            "indicator_not_manual",
            "Indicator not measured by hand",
            format!(
                "indicator {} is computed from the data; only a manual indicator takes measurements",
                indicator.code
            ),
        )));
    }
    let valid = rules::check_measurement(input, indicator.unit).map_err(DomainError::Invalid)?;
    let row = measurement::ActiveModel {
        indicator_id: Set(indicator_id),
        period_start: Set(valid.period_start),
        period_end: Set(valid.period_end),
        value: Set(valid.value),
        dimension_by: Set(valid.dimension.as_ref().map(|d| d.by)),
        dimension_key: Set(valid.dimension.map(|d| d.key)),
        source: Set(valid.source),
        comment: Set(valid.comment),
        ..Default::default()
    };
    resource::insert::<measurement::Entity>(tx, context, row).await
}

/// Deletes a measurement of an indicator (a mistaken one; a correction is a new measurement).
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    indicator_id: Uuid,
    id: Uuid,
    expected: &Precondition,
) -> Result<(), DomainError> {
    get(tx, indicator_id, id).await?;
    let locked = resource::lock_live::<measurement::Entity>(tx, id, &CallerScope::SYSTEM).await?;
    resource::soft_delete::<measurement::Entity>(tx, context, locked, expected).await
}

/// The value of a manual indicator over `period`, with the day its measurement ends.
pub async fn value(
    db: &impl ConnectionTrait,
    indicator_id: Uuid,
    period: Period,
) -> Result<Option<(f64, NaiveDate)>, DomainError> {
    Ok(within(db, indicator_id, period, None)
        .await?
        .into_iter()
        .next()
        .map(|m| (m.value, m.period_end)))
}

/// The breakdown of a manual indicator over `period` by `by`: the latest measurement of each
/// cell.
pub async fn breakdown(
    db: &impl ConnectionTrait,
    indicator: &IndicatorRecord,
    period: Period,
    by: Dimension,
) -> Result<Breakdown, DomainError> {
    let mut cells: BTreeMap<String, f64> = BTreeMap::new();
    for m in within(db, indicator.row.id, period, Some(by)).await? {
        if let Some(key) = m.dimension_key {
            cells.entry(key).or_insert(m.value);
        }
    }
    let cells = cells
        .into_iter()
        .map(|(key, value)| Cell {
            key,
            label: None,
            value,
        })
        .collect();
    let multi_valued = matches!(by, Dimension::Country | Dimension::Module);
    Ok(Breakdown::new(by, multi_valued, indicator.row.unit, cells))
}

/// The dimensions an indicator's measurements break down by, within `period`.
pub async fn dimensions(
    db: &impl ConnectionTrait,
    indicator_id: Uuid,
    period: Period,
) -> Result<Vec<Dimension>, DomainError> {
    let mut found: Vec<Dimension> = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.eq(indicator_id))
        .filter(measurement::Column::DeletedAt.is_null())
        .filter(measurement::Column::DimensionBy.is_not_null())
        .filter(measurement::Column::PeriodStart.gte(period.from))
        .filter(measurement::Column::PeriodEnd.lte(period.to))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.dimension_by)
        .collect();
    found.sort_by_key(|d| d.as_str());
    found.dedup();
    Ok(found)
}

/// The measurements made within `period` for the total (`by` none) or for cells of `by`,
/// latest first.
async fn within(
    db: &impl ConnectionTrait,
    indicator_id: Uuid,
    period: Period,
    by: Option<Dimension>,
) -> Result<Vec<measurement::Model>, DomainError> {
    let select = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.eq(indicator_id))
        .filter(measurement::Column::DeletedAt.is_null())
        .filter(measurement::Column::PeriodStart.gte(period.from))
        .filter(measurement::Column::PeriodEnd.lte(period.to));
    let select = match by {
        None => select.filter(measurement::Column::DimensionBy.is_null()),
        Some(by) => select.filter(measurement::Column::DimensionBy.eq(by)),
    };
    Ok(select
        .order_by_desc(measurement::Column::PeriodEnd)
        .order_by_desc(measurement::Column::Id)
        .all(db)
        .await?)
}
