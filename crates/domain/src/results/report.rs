//! The results report: the whole tree with, for each indicator, its baseline, target, actual
//! value over a period, progress and, where asked, its breakdowns. Built live, or read back as
//! it was frozen when its reporting period closed.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::{Direction, ResultLevel, Source, Unit};
use super::framework::{self, IndicatorRecord, ResultRecord};
use super::measurements;
use super::metrics::{self, Breakdown, Dimension, Metric, Params, Period};
use super::rules::{Point, progress};
use crate::DomainError;
use crate::audit::ActorType;
use crate::localized::LocalizedText;

/// Which breakdowns a report carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdowns {
    /// None: values only.
    None,
    /// These, where an indicator supports them.
    Only(&'static [Dimension]),
}

/// Every dimension.
pub const ALL: &[Dimension] = &[
    Dimension::Country,
    Dimension::Region,
    Dimension::Module,
    Dimension::Sex,
    Dimension::Association,
];

/// Sex and country, the dimensions of an IATI report.
pub const IATI: &[Dimension] = &[Dimension::Sex, Dimension::Country];

/// Who closed a period, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// A user or a client.
    pub closed_by_type: ActorType,
    /// The user's or client's id.
    pub closed_by_id: Option<Uuid>,
}

/// The report over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "from": "2027-01-01", "to": "2027-06-30", "generated_at": "2027-07-05T14:00:00Z",
    "results": [{
        "id": "019ac100-0000-7000-8000-000000000004", "code": "R1.1", "level": "output",
        "title": {"en": "Associations are selected and their representatives trained in the three modules"},
        "indicators": [{
            "id": "019ac100-0000-7000-8000-000000010008", "code": "R1.1.5",
            "name": {"en": "Training days delivered", "fr": "Journées de formation données"},
            "definition": "Computed by the metric `training_days_delivered` ({}).",
            "unit": "count", "direction": "increase", "source": "computed",
            "metric": "training_days_delivered", "params": {},
            "baseline": {"value": 0.0, "on": "2026-01-01"}, "target": {"value": 9.0, "on": "2027-12-31"},
            "actual": 7.0, "progress": 0.7778, "measured_on": null, "breakdowns": []
        }],
        "children": []
    }]
}))]
pub struct Report {
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// When the values were computed.
    pub generated_at: DateTime<Utc>,
    /// The reporting period, when it is one's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_id: Option<Uuid>,
    /// Who closed the period and when: present once closed, when the report is frozen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Closure>,
    /// The top results (those without a parent), each with its own below it.
    pub results: Vec<ResultNode>,
}

/// A result with its indicators and the results that contribute to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResultNode {
    /// Its id.
    pub id: Uuid,
    /// Its code.
    pub code: String,
    /// Impact, outcome or output.
    pub level: ResultLevel,
    /// Its title, by language.
    pub title: LocalizedText,
    /// Its indicators, by code.
    pub indicators: Vec<IndicatorLine>,
    /// The results below it, by code.
    #[schema(no_recursion)]
    pub children: Vec<ResultNode>,
}

/// An indicator's line in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorLine {
    /// Its id.
    pub id: Uuid,
    /// Its code.
    pub code: String,
    /// Its name, by language.
    pub name: LocalizedText,
    /// What exactly is counted.
    pub definition: String,
    /// Count or percent.
    pub unit: Unit,
    /// Which way is progress.
    pub direction: Direction,
    /// Computed or manual.
    pub source: Source,
    /// The metric of a computed indicator.
    pub metric: Option<Metric>,
    /// Its parameters.
    pub params: Params,
    /// The value at the start.
    pub baseline: Option<Point>,
    /// The value aimed at.
    pub target: Option<Point>,
    /// The value over the period; null when there is none (a manual indicator not measured
    /// within the period, a share of nothing).
    pub actual: Option<f64>,
    /// Actual ÷ target (1 is the target reached); null without an actual value or a target.
    pub progress: Option<f64>,
    /// The last day of the measurement the actual value comes from (manual indicators);
    /// computed values are as of the report's `generated_at`.
    pub measured_on: Option<NaiveDate>,
    /// The breakdowns, where asked for and supported.
    pub breakdowns: Vec<Breakdown>,
}

/// An indicator's value over `period`: computed by its metric, or the latest measurement made
/// within the period, with the last day that measurement covers.
pub async fn actual(
    db: &impl ConnectionTrait,
    indicator: &IndicatorRecord,
    period: Period,
) -> Result<(Option<f64>, Option<NaiveDate>), DomainError> {
    match computed(indicator) {
        Some(metric) => Ok((
            metrics::total(db, metric, &indicator.params, period).await?,
            None,
        )),
        None => Ok(measurements::value(db, indicator.row.id, period)
            .await?
            .map_or((None, None), |(value, on)| (Some(value), Some(on)))),
    }
}

/// An indicator's breakdown by `by` over `period`; `None` when its metric has none by `by` (a
/// manual indicator breaks down by the cells it was measured for).
pub async fn breakdown(
    db: &impl ConnectionTrait,
    indicator: &IndicatorRecord,
    period: Period,
    by: Dimension,
) -> Result<Option<Breakdown>, DomainError> {
    match computed(indicator) {
        Some(metric) if metric.definition().breakdowns.contains(&by) => Ok(Some(
            metrics::breakdown(db, metric, &indicator.params, period, by).await?,
        )),
        Some(_) => Ok(None),
        None => Ok(Some(
            measurements::breakdown(db, indicator, period, by).await?,
        )),
    }
}

/// The metric of a computed indicator.
fn computed(indicator: &IndicatorRecord) -> Option<Metric> {
    indicator
        .row
        .metric
        .filter(|_| indicator.row.source == Source::Computed)
}

/// The value of one indicator over `period`, with its breakdowns by `dims` (those it supports;
/// for a manual indicator, those it was measured for).
pub async fn line(
    db: &impl ConnectionTrait,
    indicator: &IndicatorRecord,
    period: Period,
    dims: Breakdowns,
) -> Result<IndicatorLine, DomainError> {
    let wanted: &[Dimension] = match dims {
        Breakdowns::None => &[],
        Breakdowns::Only(dims) => dims,
    };
    let (actual, measured_on) = actual(db, indicator, period).await?;
    let supported = match computed(indicator) {
        Some(metric) => metric.definition().breakdowns.to_vec(),
        None if wanted.is_empty() => Vec::new(),
        None => measurements::dimensions(db, indicator.row.id, period).await?,
    };
    let mut breakdowns = Vec::new();
    for by in supported.into_iter().filter(|by| wanted.contains(by)) {
        breakdowns.extend(breakdown(db, indicator, period, by).await?);
    }
    let target = indicator.target();
    Ok(IndicatorLine {
        id: indicator.row.id,
        code: indicator.row.code.clone(),
        name: indicator.name.clone(),
        definition: indicator.row.definition.clone(),
        unit: indicator.row.unit,
        direction: indicator.row.direction,
        source: indicator.row.source,
        metric: indicator.row.metric,
        params: indicator.params.clone(),
        baseline: indicator.baseline(),
        target,
        actual,
        progress: progress(actual, target.map(|t| t.value)),
        measured_on,
        breakdowns,
    })
}

/// The live report over `period`.
pub async fn build(
    db: &impl ConnectionTrait,
    period: Period,
    dims: Breakdowns,
) -> Result<Report, DomainError> {
    let results = framework::all_results(db).await?;
    let mut lines: HashMap<Uuid, Vec<IndicatorLine>> = HashMap::new();
    for indicator in framework::all_indicators(db).await? {
        let line = line(db, &indicator, period, dims).await?;
        lines.entry(indicator.row.result_id).or_default().push(line);
    }
    Ok(Report {
        from: period.from,
        to: period.to,
        generated_at: Utc::now(),
        period_id: None,
        closed: None,
        results: tree(&results, &mut lines),
    })
}

/// The results as a tree: roots first, each with its children, all by code. A result whose
/// parent is gone is shown as a root.
fn tree(
    results: &[ResultRecord],
    lines: &mut HashMap<Uuid, Vec<IndicatorLine>>,
) -> Vec<ResultNode> {
    let live: Vec<Uuid> = results.iter().map(|r| r.row.id).collect();
    let roots: Vec<&ResultRecord> = results
        .iter()
        .filter(|r| r.row.parent_id.is_none_or(|p| !live.contains(&p)))
        .collect();
    roots
        .into_iter()
        .map(|root| node(root, results, lines))
        .collect()
}

fn node(
    result: &ResultRecord,
    results: &[ResultRecord],
    lines: &mut HashMap<Uuid, Vec<IndicatorLine>>,
) -> ResultNode {
    let children = results
        .iter()
        .filter(|r| r.row.parent_id == Some(result.row.id))
        .map(|child| node(child, results, lines))
        .collect();
    ResultNode {
        id: result.row.id,
        code: result.row.code.clone(),
        level: result.row.level,
        title: result.title.clone(),
        indicators: lines.remove(&result.row.id).unwrap_or_default(),
        children,
    }
}

impl Report {
    /// Every indicator line with the result it belongs to, depth first (a flat table).
    pub fn flat(&self) -> Vec<(&ResultNode, &IndicatorLine)> {
        fn walk<'a>(node: &'a ResultNode, out: &mut Vec<(&'a ResultNode, &'a IndicatorLine)>) {
            for line in &node.indicators {
                out.push((node, line));
            }
            for child in &node.children {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for node in &self.results {
            walk(node, &mut out);
        }
        out
    }

    /// Every result, depth first.
    pub fn nodes(&self) -> Vec<&ResultNode> {
        fn walk<'a>(node: &'a ResultNode, out: &mut Vec<&'a ResultNode>) {
            out.push(node);
            for child in &node.children {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for node in &self.results {
            walk(node, &mut out);
        }
        out
    }
}
