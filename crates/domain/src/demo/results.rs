//! The demo progress on the results framework: measurements of the one manual indicator, OO.1
//! (development activities led by the associations in their countries of origin), from a
//! fictional follow-up survey of the demo associations, and two reporting periods that fit the
//! demo training's dates.
//!
//! - OO.1 measured over the first half of 2026, before the training (4 activities), and over
//!   1 July to 15 November 2026, after modules 1 and 2 were held in September and October (9),
//!   with the later figure also given for two countries of origin, Senegal and Burkina Faso.
//! - "Demo first half 2026", closed, so its report is frozen: OO.1 at 4, and the three demo
//!   stakeholder organisations first contacted in June 2026 (R2.2.1).
//! - "Demo second half 2026", left open, so its report is live (the training, the
//!   restitutions, the deliverables and OO.1 at 9) and testers can close it themselves.
//!
//! Written through the results use-cases as the system, so the audit log and the change feed
//! have them; the period is closed after every other part of the demo, so its frozen report
//! sees them. A measurement of OO.1 from [`SOURCE`], and a period with a demo name, mark their
//! part as loaded.

use chrono::NaiveDate;
use empower_migration::m20261129_000013_results::{FIRST_INDICATOR_ID, INDICATORS};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::Tx;
use crate::resource::Precondition;
use crate::results::entity::{indicator, measurement, period};
use crate::results::{CellKey, Dimension, MeasurementInput, PeriodInput, Source};
use crate::results::{measurements, periods};
use crate::{DomainError, db};

/// The manual indicator the demo measures.
pub const INDICATOR: &str = "OO.1";

/// Where every demo measurement comes from: also how a second run knows they exist.
pub const SOURCE: &str = "Follow-up survey of the demo associations";

/// One demo measurement of [`INDICATOR`]: first day, last day, value, the country of origin
/// it is for (none: the total), comment.
type DemoMeasurement = (
    (i32, u32, u32),
    (i32, u32, u32),
    f64,
    Option<&'static str>,
    &'static str,
);

const MEASUREMENTS: [DemoMeasurement; 4] = [
    (
        (2026, 1, 1),
        (2026, 6, 30),
        4.0,
        None,
        "Before the training: activities the demo associations ran or co-funded in their \
         countries of origin (fictional figures).",
    ),
    (
        (2026, 7, 1),
        (2026, 11, 15),
        9.0,
        None,
        "After modules 1 and 2 (September and October 2026): two projects designed during the \
         training were started (fictional figures).",
    ),
    (
        (2026, 7, 1),
        (2026, 11, 15),
        5.0,
        Some("SN"),
        "Senegal: activities of Femmes du Baobab (demo), Thiès and Dakar (fictional figures).",
    ),
    (
        (2026, 7, 1),
        (2026, 11, 15),
        4.0,
        Some("BF"),
        "Burkina Faso: activities of Réseau Sahel Solidaire (demo) (fictional figures).",
    ),
];

/// One demo reporting period: name, first day, last day, whether it is closed.
type DemoPeriod = (&'static str, (i32, u32, u32), (i32, u32, u32), bool);

/// The demo reporting periods.
const PERIODS: [DemoPeriod; 2] = [
    ("Demo first half 2026", (2026, 1, 1), (2026, 6, 30), true),
    ("Demo second half 2026", (2026, 7, 1), (2026, 12, 31), false),
];

fn day((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// What the demo results part created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Measurements of [`INDICATOR`] recorded (totals and country cells).
    pub measurements: usize,
    /// Reporting periods created.
    pub periods: usize,
    /// Of them, closed with their frozen report.
    pub closed: usize,
}

/// The seeded id of [`INDICATOR`] (fixed by the migration).
fn indicator_id() -> Option<Uuid> {
    INDICATORS
        .iter()
        .position(|i| i.0 == INDICATOR)
        .and_then(|n| u128::try_from(n).ok())
        .map(|n| Uuid::from_u128(FIRST_INDICATOR_ID + n))
}

/// Seeds the demo measurements and reporting periods once each; returns what it created.
/// Runs after the other demo parts, so a closed period's frozen report includes them.
pub async fn seed(db: &DatabaseConnection) -> Result<Seeded, DomainError> {
    let context = AuditContext::system();
    let tx = db::begin_write(db).await?;
    let mut seeded = Seeded {
        measurements: seed_measurements(&tx, &context).await?,
        ..Seeded::default()
    };
    for (name, start_on, end_on, closed) in PERIODS {
        let exists = period::Entity::find()
            .filter(period::Column::Name.eq(name))
            .filter(period::Column::DeletedAt.is_null())
            .count(&tx)
            .await?
            > 0;
        if exists {
            continue;
        }
        let input = PeriodInput {
            name: name.into(),
            start_on: day(start_on),
            end_on: day(end_on),
        };
        let made = periods::create(&tx, &context, &input).await?;
        seeded.periods += 1;
        if closed {
            // Inside the demo's own transaction, which sees what it wrote.
            let report = periods::closing_report(&tx, made.id).await?;
            periods::close(&tx, &context, made.id, &Precondition::None, report).await?;
            seeded.closed += 1;
        }
    }
    tx.commit().await?;
    Ok(seeded)
}

/// Records the measurements of [`INDICATOR`] unless one from [`SOURCE`] exists, or the
/// indicator is gone or no longer measured by hand.
async fn seed_measurements(tx: &Tx, context: &AuditContext) -> Result<usize, DomainError> {
    let Some(id) = indicator_id() else {
        return Ok(0);
    };
    let manual = indicator::Entity::find_by_id(id)
        .filter(indicator::Column::DeletedAt.is_null())
        .filter(indicator::Column::Source.eq(Source::Manual))
        .count(tx)
        .await?
        > 0;
    if !manual {
        return Ok(0);
    }
    let existing = measurement::Entity::find()
        .filter(measurement::Column::IndicatorId.eq(id))
        .filter(measurement::Column::Source.eq(SOURCE))
        .filter(measurement::Column::DeletedAt.is_null())
        .count(tx)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let mut created = 0;
    for (start, end, value, country, comment) in MEASUREMENTS {
        let input = MeasurementInput {
            period_start: day(start),
            period_end: day(end),
            value,
            dimension: country.map(|key| CellKey {
                by: Dimension::Country,
                key: key.into(),
            }),
            source: SOURCE.into(),
            comment: Some(comment.into()),
        };
        measurements::create(tx, context, id, &input).await?;
        created += 1;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Unit;
    use crate::results::rules::{check_measurement, check_period};

    #[test]
    fn the_indicator_is_the_seeded_manual_one() {
        let n = INDICATORS
            .iter()
            .position(|i| i.0 == INDICATOR)
            .unwrap_or(usize::MAX);
        assert_eq!(
            INDICATORS.get(n).map(|i| i.5),
            Some(None),
            "measured by hand"
        );
        assert_eq!(indicator_id(), Some(Uuid::from_u128(FIRST_INDICATOR_ID)));
    }

    #[test]
    fn the_measurements_are_valid_and_fall_within_the_periods() {
        for (start, end, value, country, comment) in MEASUREMENTS {
            let input = MeasurementInput {
                period_start: day(start),
                period_end: day(end),
                value,
                dimension: country.map(|key| CellKey {
                    by: Dimension::Country,
                    key: key.into(),
                }),
                source: SOURCE.into(),
                comment: Some(comment.into()),
            };
            assert!(check_measurement(&input, Unit::Count).is_ok(), "{comment}");
            // Each lies within one demo period, so each period's report shows a value.
            assert!(
                PERIODS
                    .iter()
                    .any(|(_, from, to, _)| day(*from) <= day(start) && day(end) <= day(*to)),
                "{comment}"
            );
        }
        // The cells are of the total measured over the same days.
        for (start, end, _, country, _) in MEASUREMENTS {
            if country.is_some() {
                assert!(
                    MEASUREMENTS
                        .iter()
                        .any(|m| m.3.is_none() && m.0 == start && m.1 == end)
                );
            }
        }
    }

    #[test]
    fn one_period_is_closed_and_one_open() {
        for (name, start_on, end_on, _) in PERIODS {
            let input = PeriodInput {
                name: name.into(),
                start_on: day(start_on),
                end_on: day(end_on),
            };
            assert!(check_period(&input).is_ok(), "{name}");
            assert!(name.starts_with("Demo "));
        }
        assert_eq!(PERIODS.iter().filter(|p| p.3).count(), 1);
        assert_eq!(PERIODS.iter().filter(|p| !p.3).count(), 1);
    }
}
