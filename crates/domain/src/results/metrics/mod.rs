//! The catalogue of metrics: each one a precise, documented definition computed live by one
//! or a few SQL aggregates (never rows loaded to be counted), with the date that places its
//! records in a period and the breakdowns it supports.

mod facts;
mod sql;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entity::Unit;
use crate::association::Status;
use crate::visibility::DeliverableKind;
use crate::{DomainError, FieldError, stored_enum};

stored_enum!(
    /// A metric of the catalogue (`GET /api/v1/metrics` gives each one's definition).
    Metric {
        /// Associations moved to a status (`params.status`, default `selected`) in the period.
        AssociationsByStatus,
        /// Associations with a representative who completed every module.
        AssociationsCompleted,
        /// Representatives who completed a module (`params.module`: one module's code).
        RepresentativesCompleted,
        /// Module days with a held sitting.
        TrainingDaysDelivered,
        /// Share of assessed enrolments whose post-test beats the pre-test.
        KnowledgeImprovedPct,
        /// Validated restitution sessions.
        Restitutions,
        /// Members who attended validated restitution sessions.
        RestitutionAttendees,
        /// Funding applications submitted after the association's first training day.
        FundingApplications,
        /// Deliverables published (`params.kind`: of one kind).
        DeliverablesPublished,
        /// Associations in the public repertoire.
        RepertoireListed,
        /// Copies or reach of the deliverables' dissemination (`params.measure`).
        Dissemination,
        /// Stakeholder organisations first contacted.
        PartnersContacted,
    }
);

stored_enum!(
    /// What a breakdown splits a value by.
    Dimension {
        /// The association's countries of origin (an association may have several).
        Country,
        /// The association's region in Belgium.
        Region,
        /// The training module.
        Module,
        /// Sex (women, men, other, undisclosed).
        Sex,
        /// The association.
        Association,
    }
);

stored_enum!(
    /// What the `dissemination` metric adds up.
    Measure {
        /// Copies handed out or sent.
        Copies,
        /// People reached.
        Reach,
    }
);

impl Dimension {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Country => "country",
            Self::Region => "region",
            Self::Module => "module",
            Self::Sex => "sex",
            Self::Association => "association",
        }
    }
}

impl Metric {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        self.definition().name
    }

    /// Every metric, in catalogue order.
    pub fn all() -> Vec<Self> {
        <Self as sea_orm::Iterable>::iter().collect()
    }
}

/// A metric's parameters: which are allowed depends on the metric.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MetricParams)]
pub struct Params {
    /// `associations_by_status`: the status moved to (default `selected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::association::Status>)]
    pub status: Option<Status>,
    /// `representatives_completed`, `training_days_delivered`, `knowledge_improved_pct`: only
    /// this module (its code, such as `M1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 10, pattern = "^[A-Za-z0-9_-]{1,10}$")]
    pub module: Option<String>,
    /// `deliverables_published`: only of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DeliverableKind>,
    /// `dissemination`: what to add up (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
}

/// How the values of the records are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Distinct things counted.
    Count,
    /// An amount added up.
    Sum,
    /// The share of things that pass, in percent.
    Share,
}

/// Where a record's country comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryOf {
    /// The countries of origin of the record's association (several: multi-valued).
    Association,
    /// The record's own country.
    Record,
}

/// A metric's definition: what it counts, by which date, and how it breaks down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    /// Its name.
    pub name: &'static str,
    /// What it counts, exactly.
    pub counts: &'static str,
    /// The date that places a record in a period.
    pub date: &'static str,
    /// Count or percent.
    pub unit: Unit,
    /// How records combine.
    pub aggregate: Aggregate,
    /// The breakdowns it supports.
    pub breakdowns: &'static [Dimension],
    /// The parameters it takes: name and meaning.
    pub params: &'static [(&'static str, &'static str)],
    /// Where a record's country comes from.
    pub country_of: CountryOf,
}

use Dimension::{Association as ByAssociation, Country, Module, Region, Sex};

const BY_ASSOCIATION: &[Dimension] = &[Country, Region, ByAssociation];
const MODULE_PARAM: (&str, &str) = ("module", "only this module (its code, such as `M1`)");

impl Metric {
    /// Its definition.
    pub fn definition(self) -> Definition {
        let base = Definition {
            name: "",
            counts: "",
            date: "",
            unit: Unit::Count,
            aggregate: Aggregate::Count,
            breakdowns: BY_ASSOCIATION,
            params: &[],
            country_of: CountryOf::Association,
        };
        match self {
            Self::AssociationsByStatus => Definition {
                name: "associations_by_status",
                counts: "Associations (not deleted) moved to the status `params.status` (default `selected`) by a transition, whatever their status now; each association once.",
                date: "the day (Brussels time) of the transition to that status",
                params: &[("status", "the status moved to (default `selected`)")],
                ..base
            },
            Self::AssociationsCompleted => Definition {
                name: "associations_completed",
                counts: "Associations (not deleted) with at least one representative who completed every training module (a module is completed on the day her present days reach its minimum attendance).",
                date: "the day the first such representative completed her last module",
                ..base
            },
            Self::RepresentativesCompleted => Definition {
                name: "representatives_completed",
                counts: "Representatives who completed a module (or `params.module` only): each person once; by module, once per module.",
                date: "the day of the module day that brought her present days to the module's minimum attendance",
                breakdowns: &[Module, Sex, Country, Region, ByAssociation],
                params: &[MODULE_PARAM],
                ..base
            },
            Self::TrainingDaysDelivered => Definition {
                name: "training_days_delivered",
                counts: "Module days (module and day number) with at least one sitting marked `held` (or of `params.module` only).",
                date: "the date of the day's first held sitting",
                breakdowns: &[Module],
                params: &[MODULE_PARAM],
                ..base
            },
            Self::KnowledgeImprovedPct => Definition {
                name: "knowledge_improved_pct",
                counts: "Of the enrolments with both a pre-test and a post-test, the share (percent, one decimal) whose post-test score is higher than the pre-test score; null when none was assessed.",
                date: "the day the post-test was taken",
                unit: Unit::Percent,
                aggregate: Aggregate::Share,
                breakdowns: &[Module, Sex, Country, Region, ByAssociation],
                params: &[MODULE_PARAM],
                ..base
            },
            Self::Restitutions => Definition {
                name: "restitutions",
                counts: "Restitution sessions validated by staff. By module, a session covering two modules counts in both.",
                date: "the day the session was held (`held_on`)",
                breakdowns: &[Module, Country, Region, ByAssociation],
                ..base
            },
            Self::RestitutionAttendees => Definition {
                name: "restitution_attendees",
                counts: "Members who attended validated restitution sessions: women, men, other and undisclosed added up (sex breaks it down exactly). By module, a session covering two modules counts in both.",
                date: "the day the session was held (`held_on`)",
                aggregate: Aggregate::Sum,
                breakdowns: &[Sex, Module, Country, Region, ByAssociation],
                ..base
            },
            Self::FundingApplications => Definition {
                name: "funding_applications",
                counts: "Funding applications (not drafts) submitted after the first day a representative of their association was present at a training session.",
                date: "the day it was submitted (`submitted_on`)",
                ..base
            },
            Self::DeliverablesPublished => Definition {
                name: "deliverables_published",
                counts: "Deliverables published (and still published or archived), or of `params.kind` only.",
                date: "the day it was published (`published_on`)",
                breakdowns: &[],
                params: &[("kind", "only of this kind")],
                ..base
            },
            Self::RepertoireListed => Definition {
                name: "repertoire_listed",
                counts: "Associations the public repertoire lists: publication consent granted, neither rejected nor withdrawn, not deleted. A stock: measured as they stand, counting those whose consent was recorded by the period's end.",
                date: "the day (Brussels time) their publication consent was last recorded; `from` does not apply",
                breakdowns: &[Country, Region],
                ..base
            },
            Self::Dissemination => Definition {
                name: "dissemination",
                counts: "The copies (`params.measure: copies`) or the people reached (`reach`, unknown counts as 0) of the dissemination records of live deliverables, added up.",
                date: "the dissemination's date",
                aggregate: Aggregate::Sum,
                breakdowns: &[],
                params: &[("measure", "`copies` or `reach` (required)")],
                ..base
            },
            Self::PartnersContacted => Definition {
                name: "partners_contacted",
                counts: "Stakeholder organisations (partners) first contacted.",
                date: "the day of the first contact (`first_contact_on`)",
                breakdowns: &[Country],
                country_of: CountryOf::Record,
                ..base
            },
        }
    }

    /// Checks parameters for this metric: the ones it does not take are refused, and the ones
    /// it requires must be there. `module_exists` says whether a module code is known.
    pub fn check_params(
        self,
        params: &Params,
        pointer: &str,
        module_exists: impl Fn(&str) -> bool,
    ) -> Vec<FieldError> {
        let taken = self.definition().params;
        let takes = |name: &str| taken.iter().any(|(n, _)| *n == name);
        let mut errors = Vec::new();
        let given = [
            ("status", params.status.is_some()),
            ("module", params.module.is_some()),
            ("kind", params.kind.is_some()),
            ("measure", params.measure.is_some()),
        ];
        for (name, present) in given {
            if present && !takes(name) {
                errors.push(FieldError::new(
                    format!("{pointer}/{name}"),
                    format!("is not a parameter of the metric {}", self.as_str()),
                ));
            }
        }
        if self == Self::Dissemination && params.measure.is_none() {
            errors.push(FieldError::new(
                format!("{pointer}/measure"),
                "is required by the metric dissemination (`copies` or `reach`)",
            ));
        }
        if let Some(module) = &params.module
            && takes("module")
            && !module_exists(module)
        {
            errors.push(FieldError::new(
                format!("{pointer}/module"),
                "names no module (see /api/v1/modules)",
            ));
        }
        errors
    }
}

/// The days a value covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// One cell of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cell {
    /// The cell's key: a country code, a region, a module's id, a sex, an association's id.
    pub key: String,
    /// A readable name, where the key is an id (the module's code, the association's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its value.
    pub value: f64,
}

/// A value split by a dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Breakdown {
    /// The dimension.
    pub by: Dimension,
    /// Whether one record may count in several cells (an association with two countries of
    /// origin, a restitution covering two modules): the cells then do not add up to the
    /// value.
    pub multi_valued: bool,
    /// What the cells add up to, in words.
    pub note: String,
    /// The cells, by key; a key with no record is absent.
    pub cells: Vec<Cell>,
}

impl Breakdown {
    /// A breakdown with its note.
    pub fn new(by: Dimension, multi_valued: bool, unit: Unit, cells: Vec<Cell>) -> Self {
        let note = match (unit, multi_valued) {
            (Unit::Percent, _) => "each cell is the share within that cell".to_owned(),
            (Unit::Count, true) => format!(
                "multi-valued: a record can count under several {} values, so the cells may add up to more than the value",
                by.as_str()
            ),
            (Unit::Count, false) => {
                "the cells add up to the value (records with no value for the dimension excepted)"
                    .to_owned()
            }
        };
        Self {
            by,
            multi_valued,
            note,
            cells,
        }
    }
}

/// The value of `metric` with `params` over `period`; `None` when it cannot be computed (a
/// share of nothing).
pub async fn total(
    db: &impl ConnectionTrait,
    metric: Metric,
    params: &Params,
    period: Period,
) -> Result<Option<f64>, DomainError> {
    let definition = metric.definition();
    let rows = sql::aggregate(db, metric, params, period, None).await?;
    let value = rows
        .first()
        .map(|row| row.value)
        .or(match definition.aggregate {
            Aggregate::Share => None,
            Aggregate::Count | Aggregate::Sum => Some(0.0),
        });
    Ok(value.map(|v| round(v, definition.unit)))
}

/// The value of `metric` over `period` broken down by `by`, one of the metric's breakdowns.
pub async fn breakdown(
    db: &impl ConnectionTrait,
    metric: Metric,
    params: &Params,
    period: Period,
    by: Dimension,
) -> Result<Breakdown, DomainError> {
    let definition = metric.definition();
    let rows = sql::aggregate(db, metric, params, period, Some(by)).await?;
    let multi_valued = match by {
        Country => definition.country_of == CountryOf::Association,
        Module => matches!(metric, Metric::Restitutions | Metric::RestitutionAttendees),
        Region | Sex | ByAssociation => false,
    };
    let mut cells = sql::label(db, by, rows).await?;
    for cell in &mut cells {
        cell.value = round(cell.value, definition.unit);
    }
    Ok(Breakdown::new(by, multi_valued, definition.unit, cells))
}

/// Counts are whole; shares have one decimal.
fn round(value: f64, unit: Unit) -> f64 {
    match unit {
        Unit::Count => value.round(),
        Unit::Percent => (value * 10.0).round() / 10.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_defined_once() {
        let names: Vec<&str> = Metric::all().into_iter().map(Metric::as_str).collect();
        assert_eq!(names.len(), 12);
        for metric in Metric::all() {
            let d = metric.definition();
            assert!(!d.counts.is_empty() && !d.date.is_empty(), "{}", d.name);
            let wire = serde_json::to_value(metric).unwrap_or_default();
            assert_eq!(wire, serde_json::Value::from(d.name));
        }
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(unique, names);
    }

    #[test]
    fn params_a_metric_does_not_take_are_refused() {
        let params = Params {
            kind: Some(DeliverableKind::Brief),
            ..Params::default()
        };
        let errors = Metric::Restitutions.check_params(&params, "/params", |_| true);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/params/kind");
        assert!(
            Metric::DeliverablesPublished
                .check_params(&params, "/params", |_| true)
                .is_empty()
        );
        let errors = Metric::Dissemination.check_params(&Params::default(), "/params", |_| true);
        assert_eq!(errors[0].pointer, "/params/measure");
        let module = Params {
            module: Some("M9".into()),
            ..Params::default()
        };
        let errors =
            Metric::RepresentativesCompleted.check_params(&module, "/params", |m| m == "M1");
        assert_eq!(errors[0].pointer, "/params/module");
    }

    #[test]
    fn counts_are_whole_and_shares_have_one_decimal() {
        assert!((round(66.666, Unit::Percent) - 66.7).abs() < 1e-9);
        assert!((round(3.0000001, Unit::Count) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn breakdown_notes_say_whether_cells_add_up() {
        let b = Breakdown::new(Dimension::Country, true, Unit::Count, vec![]);
        assert!(b.note.starts_with("multi-valued"));
        let b = Breakdown::new(Dimension::Sex, false, Unit::Count, vec![]);
        assert!(b.note.starts_with("the cells add up"));
    }
}
