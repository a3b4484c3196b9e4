//! The results framework: a tree of results (impact, outcomes, outputs) with indicators
//! computed live from the data by a fixed catalogue of metrics, or measured by hand; reports
//! over any period, frozen reporting periods, and public figures with small cells suppressed.

pub mod entity;
pub mod framework;
pub mod measurements;
pub mod metrics;
pub mod periods;
pub mod public;
pub mod report;
pub mod rules;
pub mod suppression;

pub use entity::{Direction, PeriodStatus, ResultLevel, Source, Unit};
pub use metrics::{Dimension, Measure, Metric, Period};
pub use rules::{CellKey, IndicatorInput, MeasurementInput, PeriodInput, Point, ResultInput};
