//! The results-framework tables: results, indicators, manual measurements, reporting periods
//! and the frozen report of each closed period.

use crate::stored_enum;

stored_enum!(
    /// Where a result sits in the logic of the programme.
    ResultLevel {
        /// The overall objective: the long-term change the programme contributes to.
        Impact,
        /// A specific objective: the change the programme's outputs bring about.
        Outcome,
        /// What the programme delivers.
        Output,
    }
);

stored_enum!(
    /// What an indicator's values are.
    Unit {
        /// A number of things or people.
        Count,
        /// A share, 0-100.
        Percent,
    }
);

stored_enum!(
    /// Which way is progress.
    Direction {
        /// More is better.
        Increase,
        /// Less is better.
        Decrease,
    }
);

stored_enum!(
    /// How an indicator is measured.
    Source {
        /// Computed live from the data by a metric of the catalogue.
        Computed,
        /// Measured by hand: recorded measurements.
        Manual,
    }
);

stored_enum!(
    /// Where a reporting period stands.
    PeriodStatus {
        /// Its report is computed live.
        Open,
        /// Its report was computed once, at closing, and never changes.
        Closed,
    }
);

/// `results`: a node of the results tree (programme-wide).
pub mod result {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::ResultLevel;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `results`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "results")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Its code in the framework (`SO1`, `R1.2`), unique.
        pub code: String,
        /// Impact, outcome or output.
        pub level: ResultLevel,
        /// Localized title (JSON object).
        pub title: String,
        /// The result it contributes to.
        pub parent_id: Option<Uuid>,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::FrameworkResult, |_m| Owner::Programme);
}

/// `indicators`: how progress towards a result is measured (programme-wide).
pub mod indicator {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::{Direction, Source, Unit};
    use crate::changes::ResourceType;
    use crate::policy::Owner;
    use crate::results::metrics::Metric;

    /// A row of `indicators`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "indicators")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Its code in the framework (`R1.1.2`), unique.
        pub code: String,
        /// The result it measures.
        pub result_id: Uuid,
        /// Localized name (JSON object).
        pub name: String,
        /// What exactly is counted.
        pub definition: String,
        /// Count or percent.
        pub unit: Unit,
        /// The value at the start.
        pub baseline_value: Option<f64>,
        /// When the baseline was measured.
        pub baseline_on: Option<NaiveDate>,
        /// The value aimed at.
        pub target_value: Option<f64>,
        /// When the target is due.
        pub target_on: Option<NaiveDate>,
        /// Which way is progress.
        pub direction: Direction,
        /// Computed or manual.
        pub source: Source,
        /// The metric of a computed indicator.
        pub metric: Option<Metric>,
        /// The metric's parameters (JSON object).
        pub params: String,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::Indicator, |_m| Owner::Programme);
}

/// `indicator_measurements`: a value of a manual indicator, measured over a period
/// (programme-wide).
pub mod measurement {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use crate::changes::ResourceType;
    use crate::policy::Owner;
    use crate::results::metrics::Dimension;

    /// A row of `indicator_measurements`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "indicator_measurements")]
    pub struct Model {
        /// UUID v7: sorts by the time it was recorded.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The indicator.
        pub indicator_id: Uuid,
        /// First day measured.
        pub period_start: NaiveDate,
        /// Last day measured.
        pub period_end: NaiveDate,
        /// The value.
        pub value: f64,
        /// The dimension of a breakdown cell (none: the total).
        pub dimension_by: Option<Dimension>,
        /// The cell's key in that dimension (`female`, `SN`...).
        pub dimension_key: Option<String>,
        /// Where the figure comes from.
        pub source: String,
        /// A comment.
        pub comment: Option<String>,
        /// +1 on each change.
        pub version: i32,
        /// Created (recorded).
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::IndicatorMeasurement, |_m| Owner::Programme);
}

/// `reporting_periods`: a period the programme reports on (programme-wide).
pub mod period {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::PeriodStatus;
    use crate::audit::ActorType;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `reporting_periods`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reporting_periods")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Its name (`2027 Q1`).
        pub name: String,
        /// First day.
        pub start_on: NaiveDate,
        /// Last day.
        pub end_on: NaiveDate,
        /// Open or closed.
        pub status: PeriodStatus,
        /// When it was closed.
        pub closed_at: Option<DateTime<Utc>>,
        /// Who closed it: a user or a client.
        pub closed_by_type: Option<ActorType>,
        /// Who closed it.
        pub closed_by_id: Option<Uuid>,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    crate::synced_table!(ResourceType::ReportingPeriod, |_m| Owner::Programme);
}

/// `reporting_period_reports`: the report of a closed period, as computed at closing (JSON).
pub mod period_report {
    use sea_orm::entity::prelude::*;

    /// A row of `reporting_period_reports`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reporting_period_reports")]
    pub struct Model {
        /// The period.
        #[sea_orm(primary_key, auto_increment = false)]
        pub period_id: Uuid,
        /// The report (JSON).
        pub report: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
