//! The framework itself: results (a tree whose levels go down from impact to outputs) and
//! their indicators, read and written through the shared write layer.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entity::{indicator, measurement, result};
use super::metrics::Params;
use super::rules::{self, IndicatorInput, Point, ResultInput};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::localized::LocalizedText;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Editable, Precondition};
use crate::training::entity::module;
use crate::{DomainError, FieldError};

/// A result as callers read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRecord {
    /// The row.
    pub row: result::Model,
    /// Its title.
    pub title: LocalizedText,
}

impl ResultRecord {
    fn of(row: result::Model) -> Result<Self, DomainError> {
        let title = LocalizedText::from_json(&row.title, "results", "title")?;
        Ok(Self { row, title })
    }
}

/// An indicator as callers read it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRecord {
    /// The row.
    pub row: indicator::Model,
    /// Its name.
    pub name: LocalizedText,
    /// Its metric's parameters.
    pub params: Params,
}

impl IndicatorRecord {
    /// The record of a row.
    pub fn of(row: indicator::Model) -> Result<Self, DomainError> {
        let name = LocalizedText::from_json(&row.name, "indicators", "name")?;
        let params = serde_json::from_str(&row.params)
            .map_err(|e| DomainError::Internal(format!("indicators.params: {e}")))?;
        Ok(Self { row, name, params })
    }

    /// Its baseline.
    pub fn baseline(&self) -> Option<Point> {
        point(self.row.baseline_value, self.row.baseline_on)
    }

    /// Its target.
    pub fn target(&self) -> Option<Point> {
        point(self.row.target_value, self.row.target_on)
    }
}

fn point(value: Option<f64>, on: Option<chrono::NaiveDate>) -> Option<Point> {
    Some(Point {
        value: value?,
        on: on?,
    })
}

/// Lists results by code.
pub async fn list_results(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<ResultRecord>, DomainError> {
    let select = result::Entity::find().filter(result::Column::DeletedAt.is_null());
    let page = paging::by_unique_key(db, select, result::Column::Code, Order::Asc, page, |r| {
        KeyValue::Text(r.code.clone())
    })
    .await?;
    page.try_map(ResultRecord::of)
}

/// Reads one result.
pub async fn get_result(db: &impl ConnectionTrait, id: Uuid) -> Result<ResultRecord, DomainError> {
    ResultRecord::of(resource::find_live::<result::Entity>(db, id, &CallerScope::SYSTEM).await?)
}

/// Every live result, by code (the whole framework is small).
pub async fn all_results(db: &impl ConnectionTrait) -> Result<Vec<ResultRecord>, DomainError> {
    result::Entity::find()
        .filter(result::Column::DeletedAt.is_null())
        .order_by_asc(result::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(ResultRecord::of)
        .collect()
}

/// Every live indicator, by code.
pub async fn all_indicators(
    db: &impl ConnectionTrait,
) -> Result<Vec<IndicatorRecord>, DomainError> {
    indicator::Entity::find()
        .filter(indicator::Column::DeletedAt.is_null())
        .order_by_asc(indicator::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(IndicatorRecord::of)
        .collect()
}

/// Checks a result against the data: its parent is a live result of a higher level, and its
/// own children stay below it.
async fn check_result_in_tree(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    input: ResultInput,
) -> Result<ResultInput, DomainError> {
    let checked = rules::check_result(&input).map_err(DomainError::Invalid)?;
    if let Some(parent_id) = checked.parent_id {
        if Some(parent_id) == id {
            return Err(DomainError::invalid(
                "/parent_id",
                "must not be the result itself",
            ));
        }
        let parent = result::Entity::find_by_id(parent_id)
            .filter(result::Column::DeletedAt.is_null())
            .one(db)
            .await?
            .ok_or_else(|| DomainError::invalid("/parent_id", "names no result"))?;
        if !rules::may_contain(parent.level, checked.level) {
            return Err(DomainError::invalid(
                "/parent_id",
                format!(
                    "names a result of level {}, which cannot contain one of level {}",
                    level_name(parent.level),
                    level_name(checked.level)
                ),
            ));
        }
    }
    if let Some(id) = id {
        let children: Vec<result::Model> = result::Entity::find()
            .filter(result::Column::ParentId.eq(id))
            .filter(result::Column::DeletedAt.is_null())
            .all(db)
            .await?;
        if let Some(child) = children
            .iter()
            .find(|c| !rules::may_contain(checked.level, c.level))
        {
            return Err(DomainError::invalid(
                "/level",
                format!(
                    "must stay above the level of its result {} ({})",
                    child.code,
                    level_name(child.level)
                ),
            ));
        }
    }
    Ok(checked)
}

fn level_name(level: super::entity::ResultLevel) -> &'static str {
    match level {
        super::entity::ResultLevel::Impact => "impact",
        super::entity::ResultLevel::Outcome => "outcome",
        super::entity::ResultLevel::Output => "output",
    }
}

fn apply_result(valid: &ResultInput, row: &mut result::ActiveModel) {
    row.code = Set(valid.code.clone());
    row.level = Set(valid.level);
    row.title = Set(valid.title.to_json());
    row.parent_id = Set(valid.parent_id);
}

/// Creates a result.
pub async fn create_result(
    tx: &Tx,
    context: &AuditContext,
    input: ResultInput,
) -> Result<ResultRecord, DomainError> {
    let valid = check_result_in_tree(tx, None, input).await?;
    let mut row = result::ActiveModel::default();
    apply_result(&valid, &mut row);
    ResultRecord::of(resource::insert::<result::Entity>(tx, context, row).await?)
}

/// Results are edited through the write layer.
impl Editable for result::Entity {
    type View = ResultRecord;
    type Input = ResultInput;
    type Valid = ResultInput;

    async fn view(_tx: &Tx, row: result::Model) -> Result<ResultRecord, DomainError> {
        ResultRecord::of(row)
    }

    fn input(current: &ResultRecord) -> ResultInput {
        ResultInput {
            code: current.row.code.clone(),
            level: current.row.level,
            title: current.title.clone(),
            parent_id: current.row.parent_id,
        }
    }

    async fn check(
        tx: &Tx,
        current: &ResultRecord,
        input: ResultInput,
        _scope: &CallerScope,
    ) -> Result<ResultInput, DomainError> {
        check_result_in_tree(tx, Some(current.row.id), input).await
    }

    fn apply(_current: &ResultRecord, valid: &ResultInput, row: &mut result::ActiveModel) {
        apply_result(valid, row);
    }

    /// A result with live results or indicators under it stays (409 `result_not_empty`): the
    /// delete is undone with the transaction.
    async fn on_deleted(
        tx: &Tx,
        _context: &AuditContext,
        row: &result::Model,
    ) -> Result<(), DomainError> {
        let children = result::Entity::find()
            .filter(result::Column::ParentId.eq(row.id))
            .filter(result::Column::DeletedAt.is_null())
            .count(tx)
            .await?;
        let indicators = indicator::Entity::find()
            .filter(indicator::Column::ResultId.eq(row.id))
            .filter(indicator::Column::DeletedAt.is_null())
            .count(tx)
            .await?;
        if children + indicators > 0 {
            return Err(DomainError::Refused(Refusal::conflict(
                "result_not_empty",
                "Result not empty",
                format!(
                    "result {} has {children} result(s) and {indicators} indicator(s) under it: move or delete them first",
                    row.code
                ),
            )));
        }
        Ok(())
    }
}

/// Filters of the indicator list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorFilter {
    /// Only of this result.
    pub result_id: Option<Uuid>,
    /// Only computed, or only manual.
    pub source: Option<super::entity::Source>,
}

/// Lists indicators by code.
pub async fn list_indicators(
    db: &impl ConnectionTrait,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> Result<Page<IndicatorRecord>, DomainError> {
    let mut select = indicator::Entity::find().filter(indicator::Column::DeletedAt.is_null());
    if let Some(result_id) = filter.result_id {
        select = select.filter(indicator::Column::ResultId.eq(result_id));
    }
    if let Some(source) = filter.source {
        select = select.filter(indicator::Column::Source.eq(source));
    }
    let page = paging::by_unique_key(db, select, indicator::Column::Code, Order::Asc, page, |r| {
        KeyValue::Text(r.code.clone())
    })
    .await?;
    page.try_map(IndicatorRecord::of)
}

/// Reads one indicator.
pub async fn get_indicator(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<IndicatorRecord, DomainError> {
    IndicatorRecord::of(
        resource::find_live::<indicator::Entity>(db, id, &CallerScope::SYSTEM).await?,
    )
}

/// The codes of the live modules.
async fn module_codes(db: &impl ConnectionTrait) -> Result<Vec<String>, DomainError> {
    Ok(module::Entity::find()
        .select_only()
        .column(module::Column::Code)
        .filter(module::Column::DeletedAt.is_null())
        .into_tuple::<String>()
        .all(db)
        .await?)
}

async fn check_indicator_in_framework(
    db: &impl ConnectionTrait,
    input: &IndicatorInput,
) -> Result<IndicatorInput, DomainError> {
    let modules = module_codes(db).await?;
    let mut errors = match rules::check_indicator(input, |code| modules.iter().any(|m| m == code)) {
        Ok(valid) => {
            if result::Entity::find_by_id(valid.result_id)
                .filter(result::Column::DeletedAt.is_null())
                .one(db)
                .await?
                .is_none()
            {
                vec![FieldError::new("/result_id", "names no result")]
            } else {
                return Ok(valid);
            }
        }
        Err(errors) => errors,
    };
    errors.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    Err(DomainError::Invalid(errors))
}

fn apply_indicator(valid: &IndicatorInput, row: &mut indicator::ActiveModel) {
    row.code = Set(valid.code.clone());
    row.result_id = Set(valid.result_id);
    row.name = Set(valid.name.to_json());
    row.definition = Set(valid.definition.clone());
    row.unit = Set(valid.unit);
    row.baseline_value = Set(valid.baseline.map(|p| p.value));
    row.baseline_on = Set(valid.baseline.map(|p| p.on));
    row.target_value = Set(valid.target.map(|p| p.value));
    row.target_on = Set(valid.target.map(|p| p.on));
    row.direction = Set(valid.direction);
    row.source = Set(valid.source);
    row.metric = Set(valid.metric);
    row.params = Set(serde_json::to_string(&valid.params).unwrap_or_else(|_| "{}".into()));
}

/// Creates an indicator.
pub async fn create_indicator(
    tx: &Tx,
    context: &AuditContext,
    input: &IndicatorInput,
) -> Result<IndicatorRecord, DomainError> {
    let valid = check_indicator_in_framework(tx, input).await?;
    let mut row = indicator::ActiveModel::default();
    apply_indicator(&valid, &mut row);
    IndicatorRecord::of(resource::insert::<indicator::Entity>(tx, context, row).await?)
}

/// Indicators are edited through the write layer.
impl Editable for indicator::Entity {
    type View = IndicatorRecord;
    type Input = IndicatorInput;
    type Valid = IndicatorInput;

    async fn view(_tx: &Tx, row: indicator::Model) -> Result<IndicatorRecord, DomainError> {
        IndicatorRecord::of(row)
    }

    fn input(current: &IndicatorRecord) -> IndicatorInput {
        IndicatorInput {
            code: current.row.code.clone(),
            result_id: current.row.result_id,
            name: current.name.clone(),
            definition: current.row.definition.clone(),
            unit: current.row.unit,
            baseline: current.baseline(),
            target: current.target(),
            direction: current.row.direction,
            source: current.row.source,
            metric: current.row.metric,
            params: current.params.clone(),
        }
    }

    async fn check(
        tx: &Tx,
        _current: &IndicatorRecord,
        input: IndicatorInput,
        _scope: &CallerScope,
    ) -> Result<IndicatorInput, DomainError> {
        check_indicator_in_framework(tx, &input).await
    }

    fn apply(_current: &IndicatorRecord, valid: &IndicatorInput, row: &mut indicator::ActiveModel) {
        apply_indicator(valid, row);
    }

    /// Its measurements go with it (each with its tombstone in the feed).
    async fn on_deleted(
        tx: &Tx,
        context: &AuditContext,
        row: &indicator::Model,
    ) -> Result<(), DomainError> {
        let measurements = resource::lock_live_where::<measurement::Entity>(
            tx,
            sea_orm::Condition::all().add(measurement::Column::IndicatorId.eq(row.id)),
        )
        .await?;
        for locked in measurements {
            resource::soft_delete::<measurement::Entity>(tx, context, locked, &Precondition::None)
                .await?;
        }
        Ok(())
    }
}
