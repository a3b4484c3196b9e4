//! The framework's field rules and arithmetic, as plain functions over plain values.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::{Direction, ResultLevel, Source, Unit};
use super::metrics::{Dimension, Metric, Params, Period};
use crate::localized::LocalizedText;
use crate::time::{EARLIEST, check_date, range_rule};
use crate::{FieldError, text};

/// The largest value a count may have, and the smallest.
pub const MAX_VALUE: f64 = 1_000_000_000.0;

/// A value at a date: a baseline or a target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// The value (a count, or a percent 0-100).
    #[schema(minimum = -1_000_000_000.0, maximum = 1_000_000_000.0)]
    pub value: f64,
    /// When it was, or is to be, reached (1900-2100).
    pub on: NaiveDate,
}

/// A result's writable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultInput {
    /// Its code, unique.
    pub code: String,
    /// Impact, outcome or output.
    pub level: ResultLevel,
    /// Its title, by language.
    pub title: LocalizedText,
    /// The result it contributes to.
    pub parent_id: Option<Uuid>,
}

/// An indicator's writable fields.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorInput {
    /// Its code, unique.
    pub code: String,
    /// The result it measures.
    pub result_id: Uuid,
    /// Its name, by language.
    pub name: LocalizedText,
    /// What exactly is counted.
    pub definition: String,
    /// Count or percent.
    pub unit: Unit,
    /// The value at the start.
    pub baseline: Option<Point>,
    /// The value aimed at.
    pub target: Option<Point>,
    /// Which way is progress.
    pub direction: Direction,
    /// Computed or manual.
    pub source: Source,
    /// The metric of a computed indicator.
    pub metric: Option<Metric>,
    /// The metric's parameters.
    pub params: Params,
}

/// A breakdown cell a manual measurement is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CellKey {
    /// The dimension.
    pub by: Dimension,
    /// The cell's key: a country code, a region, a module's id, a sex, an association's id;
    /// 1-60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub key: String,
}

/// A manual measurement's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementInput {
    /// First day measured.
    pub period_start: NaiveDate,
    /// Last day measured.
    pub period_end: NaiveDate,
    /// The value.
    pub value: f64,
    /// The breakdown cell it is for (none: the total).
    pub dimension: Option<CellKey>,
    /// Where the figure comes from.
    pub source: String,
    /// A comment.
    pub comment: Option<String>,
}

/// A reporting period's writable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodInput {
    /// Its name.
    pub name: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
}

/// A code: 1-20 letters, digits, dots, dashes or underscores.
pub fn code(value: &str, pointer: &str) -> Result<String, FieldError> {
    let ok = (1..=20).contains(&value.chars().count())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            pointer,
            "must be 1 to 20 letters, digits, dots, dashes or underscores",
        ))
    }
}

/// Whether a result of level `child` may sit under one of level `parent`: levels go down the
/// tree (impact, then outcome, then output), so the tree can have no cycle.
pub fn may_contain(parent: ResultLevel, child: ResultLevel) -> bool {
    rank(parent) < rank(child)
}

fn rank(level: ResultLevel) -> u8 {
    match level {
        ResultLevel::Impact => 0,
        ResultLevel::Outcome => 1,
        ResultLevel::Output => 2,
    }
}

/// Checks a result's own fields (the parent's existence and level are checked against the
/// data).
pub fn check_result(input: &ResultInput) -> Result<ResultInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = text::collect(&mut errors, code(&input.code, "/code"));
    let title = match input.title.check("/title", 300, false) {
        Ok(title) => Some(title),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    match (code, title) {
        (Some(code), Some(title)) if errors.is_empty() => Ok(ResultInput {
            code,
            title,
            ..input.clone()
        }),
        _ => Err(errors),
    }
}

/// Checks a value: finite, within ±1,000,000,000, and 0-100 for a percent.
pub fn value(value: f64, unit: Unit, pointer: &str) -> Result<f64, FieldError> {
    let (min, max) = match unit {
        Unit::Count => (-MAX_VALUE, MAX_VALUE),
        Unit::Percent => (0.0, 100.0),
    };
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            pointer,
            format!("must be a number from {min} to {max}"),
        ))
    }
}

fn point(p: Option<Point>, unit: Unit, pointer: &str, errors: &mut Vec<FieldError>) {
    if let Some(p) = p {
        text::collect(errors, value(p.value, unit, &format!("{pointer}/value")));
        text::collect(errors, check_date(p.on, &format!("{pointer}/on")));
    }
}

/// Checks an indicator's own fields; `module_exists` says whether a module code is known (the
/// result's existence is checked against the data).
pub fn check_indicator(
    input: &IndicatorInput,
    module_exists: impl Fn(&str) -> bool,
) -> Result<IndicatorInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = text::collect(&mut errors, code(&input.code, "/code"));
    let name = match input.name.check("/name", 300, false) {
        Ok(name) => Some(name),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    let definition = text::collect(
        &mut errors,
        text::optional_paragraph(Some(&input.definition), "/definition", 4000).and_then(|d| {
            d.ok_or_else(|| FieldError::new("/definition", "must be 1 to 4000 characters"))
        }),
    );
    point(input.baseline, input.unit, "/baseline", &mut errors);
    point(input.target, input.unit, "/target", &mut errors);
    match (input.source, input.metric) {
        (Source::Computed, None) => errors.push(FieldError::new(
            "/metric",
            "is required when the source is `computed` (see /api/v1/metrics)",
        )),
        (Source::Computed, Some(metric)) => {
            errors.extend(metric.check_params(&input.params, "/params", module_exists));
            let unit = metric.definition().unit;
            if unit != input.unit {
                errors.push(FieldError::new(
                    "/unit",
                    format!(
                        "must be `{}`, the unit of the metric {}",
                        match unit {
                            Unit::Count => "count",
                            Unit::Percent => "percent",
                        },
                        metric.as_str()
                    ),
                ));
            }
        }
        (Source::Manual, Some(_)) => errors.push(FieldError::new(
            "/metric",
            "must be null when the source is `manual`",
        )),
        (Source::Manual, None) => {
            if input.params != Params::default() {
                errors.push(FieldError::new(
                    "/params",
                    "must be empty when the source is `manual`",
                ));
            }
        }
    }
    match (code, name, definition) {
        (Some(code), Some(name), Some(definition)) if errors.is_empty() => Ok(IndicatorInput {
            code,
            name,
            definition,
            ..input.clone()
        }),
        _ => Err(errors),
    }
}

/// Checks a measurement of an indicator of `unit`.
pub fn check_measurement(
    input: &MeasurementInput,
    unit: Unit,
) -> Result<MeasurementInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    text::collect(&mut errors, check_date(input.period_start, "/period_start"));
    text::collect(&mut errors, check_date(input.period_end, "/period_end"));
    if input.period_end < input.period_start {
        errors.push(FieldError::new(
            "/period_end",
            "must not be before period_start",
        ));
    }
    text::collect(&mut errors, value(input.value, unit, "/value"));
    let dimension = input.dimension.as_ref().and_then(|d| {
        text::collect(&mut errors, text::line(&d.key, "/dimension/key", 1, 60))
            .map(|key| CellKey { by: d.by, key })
    });
    let source = text::collect(&mut errors, text::line(&input.source, "/source", 1, 200));
    let comment = text::collect(
        &mut errors,
        text::optional_paragraph(input.comment.as_deref(), "/comment", 2000),
    );
    match (source, comment) {
        (Some(source), Some(comment)) if errors.is_empty() => Ok(MeasurementInput {
            dimension,
            source,
            comment,
            ..input.clone()
        }),
        _ => Err(errors),
    }
}

/// Checks a reporting period's fields.
pub fn check_period(input: &PeriodInput) -> Result<PeriodInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text::collect(&mut errors, text::line(&input.name, "/name", 1, 100));
    text::collect(&mut errors, check_date(input.start_on, "/start_on"));
    text::collect(&mut errors, check_date(input.end_on, "/end_on"));
    if input.end_on < input.start_on {
        errors.push(FieldError::new("/end_on", "must not be before start_on"));
    }
    match name {
        Some(name) if errors.is_empty() => Ok(PeriodInput {
            name,
            ..input.clone()
        }),
        _ => Err(errors),
    }
}

/// The period of a query: `from` (default: the earliest date, so everything before `to`) to
/// `to` (default: `today`). Refused, naming the parameter, when out of range or reversed.
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Period, FieldError> {
    let from = from.unwrap_or(EARLIEST);
    let to = to.unwrap_or(today);
    check_date(from, "from").map_err(|_| FieldError::new("from", range_rule()))?;
    check_date(to, "to").map_err(|_| FieldError::new("to", range_rule()))?;
    if to < from {
        return Err(FieldError::new("to", "must not be before from"));
    }
    Ok(Period { from, to })
}

/// Progress towards the target: actual ÷ target (1 is the target reached), four decimals;
/// none without an actual value or a target, or with a target of 0.
pub fn progress(actual: Option<f64>, target: Option<f64>) -> Option<f64> {
    match (actual, target) {
        (Some(actual), Some(target)) if target != 0.0 => {
            Some((actual / target * 10_000.0).round() / 10_000.0)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn codes_are_short_and_plain() {
        assert!(code("R1.2", "/code").is_ok());
        assert!(code("SO_1-a", "/code").is_ok());
        assert!(code("", "/code").is_err());
        assert!(code("R 1", "/code").is_err());
        assert!(code(&"x".repeat(21), "/code").is_err());
    }

    #[test]
    fn levels_go_down_the_tree() {
        assert!(may_contain(ResultLevel::Impact, ResultLevel::Outcome));
        assert!(may_contain(ResultLevel::Impact, ResultLevel::Output));
        assert!(may_contain(ResultLevel::Outcome, ResultLevel::Output));
        assert!(!may_contain(ResultLevel::Outcome, ResultLevel::Outcome));
        assert!(!may_contain(ResultLevel::Output, ResultLevel::Impact));
    }

    #[test]
    fn progress_is_actual_over_target() {
        assert_eq!(progress(Some(8.0), Some(10.0)), Some(0.8));
        assert_eq!(progress(Some(2.0), Some(3.0)), Some(0.6667));
        assert_eq!(progress(Some(8.0), None), None);
        assert_eq!(progress(None, Some(10.0)), None);
        assert_eq!(progress(Some(8.0), Some(0.0)), None);
    }

    #[test]
    fn values_have_ranges() {
        assert!(value(101.0, Unit::Percent, "/v").is_err());
        assert!(value(f64::NAN, Unit::Count, "/v").is_err());
        assert!(value(2e9, Unit::Count, "/v").is_err());
        assert!(value(-3.0, Unit::Count, "/v").is_ok());
    }

    #[test]
    fn periods_default_and_refuse_reversal() {
        let today = day("2027-05-01");
        let p = period(None, None, today).unwrap_or(Period {
            from: today,
            to: today,
        });
        assert_eq!((p.from, p.to), (EARLIEST, today));
        let e = period(Some(day("2027-05-02")), Some(day("2027-05-01")), today);
        assert!(e.is_err_and(|e| e.pointer == "to"));
        assert!(period(Some(day("1800-01-01")), None, today).is_err_and(|e| e.pointer == "from"));
    }

    #[test]
    fn measurement_periods_are_ordered() {
        let input = MeasurementInput {
            period_start: day("2027-02-01"),
            period_end: day("2027-01-01"),
            value: 3.0,
            dimension: None,
            source: "survey".into(),
            comment: None,
        };
        let errors = check_measurement(&input, Unit::Count)
            .err()
            .unwrap_or_default();
        assert_eq!(errors[0].pointer, "/period_end");
    }

    #[test]
    fn a_manual_indicator_names_no_metric() {
        let input = IndicatorInput {
            code: "X.1".into(),
            result_id: Uuid::nil(),
            name: LocalizedText::en_fr("Name", "Nom"),
            definition: "What".into(),
            unit: Unit::Count,
            baseline: None,
            target: None,
            direction: Direction::Increase,
            source: Source::Manual,
            metric: Some(Metric::Restitutions),
            params: Params::default(),
        };
        let errors = check_indicator(&input, |_| true).err().unwrap_or_default();
        assert_eq!(errors[0].pointer, "/metric");
        let computed = IndicatorInput {
            source: Source::Computed,
            metric: Some(Metric::KnowledgeImprovedPct),
            ..input
        };
        let errors = check_indicator(&computed, |_| true)
            .err()
            .unwrap_or_default();
        assert_eq!(errors[0].pointer, "/unit");
    }
}
