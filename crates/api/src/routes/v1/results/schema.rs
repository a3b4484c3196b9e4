//! The results framework's bodies and views: what clients send and read.

use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::audit::ActorType;
use empower_domain::localized::LocalizedText;
use empower_domain::results::entity::{measurement, period};
use empower_domain::results::framework::{IndicatorRecord, ResultRecord};
use empower_domain::results::metrics::{Breakdown, Params};
use empower_domain::results::{
    CellKey, Dimension, Direction, IndicatorInput, Metric, PeriodInput, PeriodStatus, Point,
    ResultInput, ResultLevel, Source, Unit,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};
use crate::routes::v1::edit::Fields;
use crate::routes::v1::training::modules::LocalizedTextPatch;

/// A result's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "R1.3", "level": "output",
    "title": {"en": "Associations are coached to write their first project", "fr": "Les associations sont accompagnées pour écrire leur premier projet"},
    "parent_id": "019ac100-0000-7000-8000-000000000002"
}))]
pub struct ResultBody {
    /// Its code in the framework, unique: 1-20 letters, digits, dots, dashes or underscores.
    #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9._-]{1,20}$")]
    pub code: String,
    /// `impact`, `outcome` or `output`.
    pub level: ResultLevel,
    /// Each language 1-300 characters; at least one language.
    pub title: LocalizedText,
    /// The result it contributes to, of a higher level (impact above outcome above output).
    #[serde(default)]
    pub parent_id: Option<Uuid>,
}

impl Fields<ResultInput> for ResultBody {
    fn into_input(self) -> ResultInput {
        ResultInput {
            code: self.code,
            level: self.level,
            title: self.title,
            parent_id: self.parent_id,
        }
    }

    fn from_input(input: ResultInput) -> Self {
        Self {
            code: input.code,
            level: input.level,
            title: input.title,
            parent_id: input.parent_id,
        }
    }
}

/// A merge patch of a result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": {"nl": "Verenigingen worden begeleid"}}))]
pub struct ResultPatch {
    /// Its code.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9._-]{1,20}$")]
    pub code: Option<String>,
    /// Its level (its own results must stay below it).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = ResultLevel)]
    pub level: Option<ResultLevel>,
    /// The title, by language (`null` removes a language).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<LocalizedTextPatch>,
    /// The result it contributes to (`null`: none).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
}

impl Patch for ResultPatch {
    const READ_ONLY: &'static [&'static str] = &["/id", "/version", "/created_at", "/updated_at"];
}

/// A result as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ac100-0000-7000-8000-000000000004", "code": "R1.1", "level": "output",
    "title": {"en": "Associations are selected and their representatives trained in the three modules"},
    "parent_id": "019ac100-0000-7000-8000-000000000002", "version": 1,
    "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct ResultView {
    /// Id.
    pub id: Uuid,
    /// Its code.
    pub code: String,
    /// `impact`, `outcome` or `output`.
    pub level: ResultLevel,
    /// Its title, by language.
    pub title: LocalizedText,
    /// The result it contributes to.
    #[schema(required = true)]
    pub parent_id: Option<Uuid>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ResultRecord> for ResultView {
    fn from(r: ResultRecord) -> Self {
        Self {
            id: r.row.id,
            code: r.row.code,
            level: r.row.level,
            title: r.title,
            parent_id: r.row.parent_id,
            version: r.row.version,
            created_at: r.row.created_at,
            updated_at: r.row.updated_at,
        }
    }
}

/// An indicator's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "R1.1.7", "result_id": "019ac100-0000-7000-8000-000000000004",
    "name": {"en": "Representatives who completed module 1", "fr": "Représentantes ayant suivi le module 1"},
    "definition": "Representatives whose present days reached the module's minimum attendance.",
    "unit": "count", "baseline": {"value": 0, "on": "2026-01-01"}, "target": {"value": 10, "on": "2027-12-31"},
    "direction": "increase", "source": "computed", "metric": "representatives_completed",
    "params": {"module": "M1"}
}))]
pub struct IndicatorBody {
    /// Its code, unique: 1-20 letters, digits, dots, dashes or underscores.
    #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9._-]{1,20}$")]
    pub code: String,
    /// The result it measures.
    pub result_id: Uuid,
    /// Each language 1-300 characters; at least one language.
    pub name: LocalizedText,
    /// What exactly is counted, 1-4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub definition: String,
    /// `count` or `percent` (a computed indicator has its metric's unit).
    pub unit: Unit,
    /// The value at the start (a percent is 0-100), or null: not set.
    #[serde(default)]
    pub baseline: Option<Point>,
    /// The value aimed at, or null: not set.
    #[serde(default)]
    pub target: Option<Point>,
    /// `increase` (default) or `decrease`.
    #[serde(default = "increase")]
    pub direction: Direction,
    /// `computed` by a metric of the catalogue, or `manual` (measurements).
    pub source: Source,
    /// The metric (`computed` only; see `GET /api/v1/metrics`).
    #[serde(default)]
    pub metric: Option<Metric>,
    /// The metric's parameters; only those the metric takes.
    #[serde(default)]
    pub params: Params,
}

fn increase() -> Direction {
    Direction::Increase
}

impl Fields<IndicatorInput> for IndicatorBody {
    fn into_input(self) -> IndicatorInput {
        IndicatorInput {
            code: self.code,
            result_id: self.result_id,
            name: self.name,
            definition: self.definition,
            unit: self.unit,
            baseline: self.baseline,
            target: self.target,
            direction: self.direction,
            source: self.source,
            metric: self.metric,
            params: self.params,
        }
    }

    fn from_input(input: IndicatorInput) -> Self {
        Self {
            code: input.code,
            result_id: input.result_id,
            name: input.name,
            definition: input.definition,
            unit: input.unit,
            baseline: input.baseline,
            target: input.target,
            direction: input.direction,
            source: input.source,
            metric: input.metric,
            params: input.params,
        }
    }
}

/// A merge patch of a baseline or a target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointPatch {
    /// The value.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = f64)]
    pub value: Option<f64>,
    /// The date.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub on: Option<NaiveDate>,
}

/// A merge patch of an indicator: staff edit targets, names and definitions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target": {"value": 12, "on": "2027-12-31"}}))]
pub struct IndicatorPatch {
    /// Its code.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9._-]{1,20}$")]
    pub code: Option<String>,
    /// The result it measures.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Uuid)]
    pub result_id: Option<Uuid>,
    /// The name, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub name: Option<LocalizedTextPatch>,
    /// What is counted.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 4000)]
    pub definition: Option<String>,
    /// `count` or `percent`.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Unit)]
    pub unit: Option<Unit>,
    /// The baseline (`null` clears it; a new one needs both fields).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PointPatch>)]
    pub baseline: Option<Option<PointPatch>>,
    /// The target (`null` clears it; a new one needs both fields).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PointPatch>)]
    pub target: Option<Option<PointPatch>>,
    /// Which way is progress.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Direction)]
    pub direction: Option<Direction>,
    /// `computed` or `manual`.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Source)]
    pub source: Option<Source>,
    /// The metric (`null` for a manual indicator).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Metric>)]
    pub metric: Option<Option<Metric>>,
    /// The parameters, merged by name (`null` removes one).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Params)]
    pub params: Option<serde_json::Value>,
}

impl Patch for IndicatorPatch {
    const READ_ONLY: &'static [&'static str] = &["/id", "/version", "/created_at", "/updated_at"];
}

/// An indicator as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ac100-0000-7000-8000-000000010005", "code": "R1.1.2",
    "result_id": "019ac100-0000-7000-8000-000000000004",
    "name": {"en": "Representatives who completed module 1", "fr": "Représentantes ayant suivi le module 1"},
    "definition": "Computed by the metric `representatives_completed` ({\"module\":\"M1\"}).",
    "unit": "count", "baseline": {"value": 0, "on": "2026-01-01"}, "target": {"value": 10, "on": "2027-12-31"},
    "direction": "increase", "source": "computed", "metric": "representatives_completed",
    "params": {"module": "M1"}, "version": 1,
    "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct IndicatorView {
    /// Id.
    pub id: Uuid,
    /// Its code.
    pub code: String,
    /// The result it measures.
    pub result_id: Uuid,
    /// Its name, by language.
    pub name: LocalizedText,
    /// What exactly is counted.
    pub definition: String,
    /// `count` or `percent`.
    pub unit: Unit,
    /// The value at the start; null: not set.
    #[schema(required = true)]
    pub baseline: Option<Point>,
    /// The value aimed at; null: not set.
    #[schema(required = true)]
    pub target: Option<Point>,
    /// Which way is progress.
    pub direction: Direction,
    /// `computed` or `manual`.
    pub source: Source,
    /// The metric of a computed indicator.
    #[schema(required = true)]
    pub metric: Option<Metric>,
    /// The metric's parameters.
    pub params: Params,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<IndicatorRecord> for IndicatorView {
    fn from(i: IndicatorRecord) -> Self {
        Self {
            baseline: i.baseline(),
            target: i.target(),
            id: i.row.id,
            code: i.row.code,
            result_id: i.row.result_id,
            name: i.name,
            definition: i.row.definition,
            unit: i.row.unit,
            direction: i.row.direction,
            source: i.row.source,
            metric: i.row.metric,
            params: i.params,
            version: i.row.version,
            created_at: i.row.created_at,
            updated_at: i.row.updated_at,
        }
    }
}

/// A measurement of a manual indicator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period_start": "2027-01-01", "period_end": "2027-06-30", "value": 7,
    "dimension": null, "source": "Follow-up survey of the ten associations",
    "comment": "Two activities in Senegal, five in Burkina Faso."
}))]
pub struct MeasurementBody {
    /// First day measured (1900-2100).
    pub period_start: NaiveDate,
    /// Last day measured, not before `period_start`.
    pub period_end: NaiveDate,
    /// The value (a percent is 0-100; a count ±1,000,000,000).
    #[schema(minimum = -1_000_000_000.0, maximum = 1_000_000_000.0)]
    pub value: f64,
    /// The breakdown cell it measures (`{"by": "sex", "key": "female"}`), or null: the total.
    #[serde(default)]
    pub dimension: Option<CellKey>,
    /// Where the figure comes from, 1-200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub source: String,
    /// A comment, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A measurement as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ad000-0000-7000-8000-000000000001", "indicator_id": "019ac100-0000-7000-8000-000000010000",
    "period_start": "2027-01-01", "period_end": "2027-06-30", "value": 7, "dimension": null,
    "source": "Follow-up survey of the ten associations", "comment": null, "version": 1,
    "created_at": "2027-07-02T09:00:00Z", "updated_at": "2027-07-02T09:00:00Z"
}))]
pub struct MeasurementView {
    /// Id.
    pub id: Uuid,
    /// The indicator.
    pub indicator_id: Uuid,
    /// First day measured.
    pub period_start: NaiveDate,
    /// Last day measured.
    pub period_end: NaiveDate,
    /// The value.
    pub value: f64,
    /// The breakdown cell it measures; null: the total.
    #[schema(required = true)]
    pub dimension: Option<CellKey>,
    /// Where the figure comes from.
    pub source: String,
    /// A comment.
    #[schema(required = true)]
    pub comment: Option<String>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<measurement::Model> for MeasurementView {
    fn from(m: measurement::Model) -> Self {
        let dimension = match (m.dimension_by, m.dimension_key) {
            (Some(by), Some(key)) => Some(CellKey { by, key }),
            _ => None,
        };
        Self {
            id: m.id,
            indicator_id: m.indicator_id,
            period_start: m.period_start,
            period_end: m.period_end,
            value: m.value,
            dimension,
            source: m.source,
            comment: m.comment,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A reporting period's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "2027 first half", "start_on": "2027-01-01", "end_on": "2027-06-30"}))]
pub struct PeriodBody {
    /// Its name, 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// First day (1900-2100).
    pub start_on: NaiveDate,
    /// Last day, not before `start_on`.
    pub end_on: NaiveDate,
}

impl Fields<PeriodInput> for PeriodBody {
    fn into_input(self) -> PeriodInput {
        PeriodInput {
            name: self.name,
            start_on: self.start_on,
            end_on: self.end_on,
        }
    }

    fn from_input(input: PeriodInput) -> Self {
        Self {
            name: input.name,
            start_on: input.start_on,
            end_on: input.end_on,
        }
    }
}

/// A merge patch of an open reporting period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_on": "2027-07-31"}))]
pub struct PeriodPatch {
    /// Its name.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// First day.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub start_on: Option<NaiveDate>,
    /// Last day.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub end_on: Option<NaiveDate>,
}

impl Patch for PeriodPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/status",
        "/closed_at",
        "/closed_by_type",
        "/closed_by_id",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A reporting period as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ad100-0000-7000-8000-000000000001", "name": "2027 first half",
    "start_on": "2027-01-01", "end_on": "2027-06-30", "status": "closed",
    "closed_at": "2027-07-05T14:00:00Z", "closed_by_type": "user",
    "closed_by_id": "019ad100-0000-7000-8000-0000000000aa", "version": 2,
    "created_at": "2027-01-03T09:00:00Z", "updated_at": "2027-07-05T14:00:00Z"
}))]
pub struct PeriodView {
    /// Id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
    /// `open` (its report is live) or `closed` (its report is frozen).
    pub status: PeriodStatus,
    /// When it was closed.
    #[schema(required = true)]
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it: `user` or `client`.
    #[schema(required = true)]
    pub closed_by_type: Option<ActorType>,
    /// Who closed it.
    #[schema(required = true)]
    pub closed_by_id: Option<Uuid>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<period::Model> for PeriodView {
    fn from(p: period::Model) -> Self {
        Self {
            id: p.id,
            name: p.name,
            start_on: p.start_on,
            end_on: p.end_on,
            status: p.status,
            closed_at: p.closed_at,
            closed_by_type: p.closed_by_type,
            closed_by_id: p.closed_by_id,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A parameter a metric takes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricParamView {
    /// Its name in `params`.
    pub name: String,
    /// What it does.
    pub meaning: String,
}

/// A metric of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "name": "training_days_delivered",
    "counts": "Module days (module and day number) with at least one sitting marked `held` (or of `params.module` only).",
    "date": "the date of the day's first held sitting", "unit": "count",
    "breakdowns": ["module"],
    "params": [{"name": "module", "meaning": "only this module (its code, such as `M1`)"}]
}))]
pub struct MetricView {
    /// Its name.
    pub name: Metric,
    /// What it counts, exactly.
    pub counts: String,
    /// The date that places a record in a period (`from` and `to` both included).
    pub date: String,
    /// `count` or `percent`.
    pub unit: Unit,
    /// The breakdowns it supports (`by`).
    pub breakdowns: Vec<Dimension>,
    /// The parameters it takes.
    pub params: Vec<MetricParamView>,
}

impl From<Metric> for MetricView {
    fn from(metric: Metric) -> Self {
        let d = metric.definition();
        Self {
            name: metric,
            counts: d.counts.into(),
            date: d.date.into(),
            unit: d.unit,
            breakdowns: d.breakdowns.to_vec(),
            params: d
                .params
                .iter()
                .map(|(name, meaning)| MetricParamView {
                    name: (*name).into(),
                    meaning: (*meaning).into(),
                })
                .collect(),
        }
    }
}

/// An indicator's value over a period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "indicator_id": "019ac100-0000-7000-8000-000000010005", "from": "2027-01-01", "to": "2027-06-30",
    "value": 8, "measured_on": null,
    "breakdown": {"by": "country", "multi_valued": true,
      "note": "multi-valued: a record can count under several country values, so the cells may add up to more than the value",
      "cells": [{"key": "BF", "value": 3}, {"key": "SN", "value": 6}]}
}))]
pub struct ValuesView {
    /// The indicator.
    pub indicator_id: Uuid,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// The value; null when there is none (a manual indicator not measured within the period,
    /// a share of nothing).
    #[schema(required = true)]
    pub value: Option<f64>,
    /// The last day of the measurement the value comes from (manual indicators).
    #[schema(required = true)]
    pub measured_on: Option<NaiveDate>,
    /// The breakdown asked for with `by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
}
