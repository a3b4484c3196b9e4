//! The results as the public sees them: the framework with current totals and breakdowns, no
//! personal data, and no cell that could single someone out (see [`super::suppression`]).
//! Breakdowns by association, and of shares, are not published.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entity::{Direction, ResultLevel, Unit};
use super::metrics::{Dimension, Period};
use super::report::{self, Breakdowns, IndicatorLine, ResultNode};
use super::rules::Point;
use super::suppression::{PublicCell, suppress};
use crate::DomainError;
use crate::localized::LocalizedText;
use crate::time::EARLIEST;

/// The dimensions published.
const PUBLISHED: &[Dimension] = &[
    Dimension::Country,
    Dimension::Region,
    Dimension::Module,
    Dimension::Sex,
];

/// The programme's results to date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "as_of": "2027-06-30",
    "suppression": "a breakdown cell from 1 to 4 is shown as \"<5\" (value null); when that would let it be worked out from the total, the next smallest cell is shown as \"x\" too",
    "results": [{
        "code": "R2.2", "level": "output",
        "title": {"en": "Contacts with stakeholders in gender, development and peacebuilding are built"},
        "indicators": [{
            "code": "R2.2.1", "name": {"en": "New stakeholder contacts"}, "unit": "count",
            "direction": "increase", "baseline": {"value": 0.0, "on": "2026-01-01"}, "target": null,
            "actual": 12.0, "progress": null,
            "breakdowns": [{"by": "country", "multi_valued": false,
                "note": "the cells add up to the value (records with no value for the dimension excepted)",
                "cells": [{"key": "BE", "value": null, "shown": "<5"},
                    {"key": "ML", "value": null, "shown": "x"},
                    {"key": "SN", "value": 6.0, "shown": "6"}]}]
        }],
        "children": []
    }]
}))]
pub struct PublicResults {
    /// The values count everything up to this day (today, Brussels time).
    pub as_of: NaiveDate,
    /// How small cells are shown.
    pub suppression: String,
    /// The top results, each with its own below it.
    pub results: Vec<PublicResult>,
}

/// A result as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicResult {
    /// Its code.
    pub code: String,
    /// Impact, outcome or output.
    pub level: ResultLevel,
    /// Its title, by language.
    pub title: LocalizedText,
    /// Its indicators.
    pub indicators: Vec<PublicIndicator>,
    /// The results below it.
    #[schema(no_recursion)]
    pub children: Vec<PublicResult>,
}

/// An indicator as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicIndicator {
    /// Its code.
    pub code: String,
    /// Its name, by language.
    pub name: LocalizedText,
    /// Count or percent.
    pub unit: Unit,
    /// Which way is progress.
    pub direction: Direction,
    /// The value at the start.
    pub baseline: Option<Point>,
    /// The value aimed at.
    pub target: Option<Point>,
    /// The value to date (null when not measured).
    pub actual: Option<f64>,
    /// Actual ÷ target.
    pub progress: Option<f64>,
    /// Breakdowns by country, region, module and sex (counts only), small cells suppressed.
    pub breakdowns: Vec<PublicBreakdown>,
}

/// A breakdown as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicBreakdown {
    /// The dimension.
    pub by: Dimension,
    /// Whether a record may count in several cells.
    pub multi_valued: bool,
    /// What the cells add up to, in words.
    pub note: String,
    /// The cells.
    pub cells: Vec<PublicCell>,
}

/// The results to `today`.
pub async fn results(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<PublicResults, DomainError> {
    let period = Period {
        from: EARLIEST,
        to: today,
    };
    let report = report::build(db, period, Breakdowns::Only(PUBLISHED)).await?;
    Ok(PublicResults {
        as_of: today,
        suppression: format!(
            "a breakdown cell from 1 to 4 is shown as \"{}\" (value null); when that would let it be worked out from the total, the next smallest cell is shown as \"{}\" too",
            super::suppression::SMALL,
            super::suppression::HIDDEN
        ),
        results: report.results.into_iter().map(result).collect(),
    })
}

fn result(node: ResultNode) -> PublicResult {
    PublicResult {
        code: node.code,
        level: node.level,
        title: node.title,
        indicators: node.indicators.into_iter().map(indicator).collect(),
        children: node.children.into_iter().map(result).collect(),
    }
}

fn indicator(line: IndicatorLine) -> PublicIndicator {
    let breakdowns = if line.unit == Unit::Count {
        line.breakdowns
            .into_iter()
            .filter(|b| PUBLISHED.contains(&b.by))
            .map(|b| PublicBreakdown {
                by: b.by,
                multi_valued: b.multi_valued,
                note: b.note,
                cells: suppress(&b.cells),
            })
            .collect()
    } else {
        Vec::new()
    };
    PublicIndicator {
        code: line.code,
        name: line.name,
        unit: line.unit,
        direction: line.direction,
        baseline: line.baseline,
        target: line.target,
        actual: line.actual,
        progress: line.progress,
        breakdowns,
    }
}
