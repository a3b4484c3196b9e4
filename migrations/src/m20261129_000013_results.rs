//! The results framework: results (a tree: impact, outcomes, outputs), their indicators with
//! baselines, targets and how each is measured, manual measurements, and reporting periods
//! with the frozen report of each closed one. Seeded with the programme's own framework.
//!
//! Also indexes the dates the computed indicators place their records by.

use sea_orm_migration::sea_orm::prelude::{ChronoDate, ChronoDateTimeUtc, Uuid};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Results {
    Table,
    Id,
    Code,
    Level,
    Title,
    ParentId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Indicators {
    Table,
    Id,
    Code,
    ResultId,
    Name,
    Definition,
    Unit,
    BaselineValue,
    BaselineOn,
    TargetValue,
    TargetOn,
    Direction,
    Source,
    Metric,
    Params,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IndicatorMeasurements {
    Table,
    Id,
    IndicatorId,
    PeriodStart,
    PeriodEnd,
    Value,
    DimensionBy,
    DimensionKey,
    Source,
    Comment,
}

#[derive(DeriveIden)]
enum ReportingPeriods {
    Table,
    Id,
    Name,
    StartOn,
    EndOn,
    Status,
    ClosedAt,
    ClosedByType,
    ClosedById,
}

#[derive(DeriveIden)]
enum ReportingPeriodReports {
    Table,
    PeriodId,
    Report,
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    ResourceType,
    ResourceId,
    Op,
    Version,
    AssociationId,
    ChangedAt,
}

fn bookkeeping(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(integer(Alias::new("version")))
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
        .col(timestamp_with_time_zone_null(Alias::new("deleted_at")))
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

/// The indexes of this migration: `(name, table, columns)`.
const INDEXES: &[(&str, &str, &[&str])] = &[
    ("idx_results_parent", "results", &["parent_id", "code"]),
    (
        "idx_indicators_result",
        "indicators",
        &["result_id", "code"],
    ),
    (
        "idx_indicator_measurements_indicator",
        "indicator_measurements",
        &["indicator_id", "period_end", "id"],
    ),
    (
        "idx_reporting_periods_start",
        "reporting_periods",
        &["start_on", "id"],
    ),
    // The dates the computed indicators place their records by.
    (
        "idx_association_transitions_to_status",
        "association_transitions",
        &["to_status", "occurred_at"],
    ),
    (
        "idx_funding_applications_submitted",
        "funding_applications",
        &["submitted_on"],
    ),
    (
        "idx_partners_first_contact",
        "partners",
        &["first_contact_on"],
    ),
    ("idx_disseminations_date", "disseminations", &["date"]),
    (
        "idx_attendance_association",
        "attendance",
        &["association_id", "status", "session_id"],
    ),
    (
        "idx_deliverables_published_on",
        "deliverables",
        &["published_on"],
    ),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Results::Table)
                        .col(pk_uuid(Results::Id))
                        .col(string_len(Results::Code, 20).unique_key())
                        .col(string_len(Results::Level, 10))
                        .col(text(Results::Title))
                        .col(uuid_null(Results::ParentId))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_results_parent")
                                .from(Results::Table, Results::ParentId)
                                .to(Results::Table, Results::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Indicators::Table)
                        .col(pk_uuid(Indicators::Id))
                        .col(string_len(Indicators::Code, 20).unique_key())
                        .col(uuid(Indicators::ResultId))
                        .col(text(Indicators::Name))
                        .col(text(Indicators::Definition))
                        .col(string_len(Indicators::Unit, 10))
                        .col(double_null(Indicators::BaselineValue))
                        .col(date_null(Indicators::BaselineOn))
                        .col(double_null(Indicators::TargetValue))
                        .col(date_null(Indicators::TargetOn))
                        .col(string_len(Indicators::Direction, 10))
                        .col(string_len(Indicators::Source, 10))
                        .col(string_len_null(Indicators::Metric, 40))
                        .col(text(Indicators::Params))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_indicators_result")
                                .from(Indicators::Table, Indicators::ResultId)
                                .to(Results::Table, Results::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(IndicatorMeasurements::Table)
                        .col(pk_uuid(IndicatorMeasurements::Id))
                        .col(uuid(IndicatorMeasurements::IndicatorId))
                        .col(date(IndicatorMeasurements::PeriodStart))
                        .col(date(IndicatorMeasurements::PeriodEnd))
                        .col(double(IndicatorMeasurements::Value))
                        .col(string_len_null(IndicatorMeasurements::DimensionBy, 20))
                        .col(string_len_null(IndicatorMeasurements::DimensionKey, 60))
                        .col(string_len(IndicatorMeasurements::Source, 200))
                        .col(text_null(IndicatorMeasurements::Comment))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_indicator_measurements_indicator")
                                .from(
                                    IndicatorMeasurements::Table,
                                    IndicatorMeasurements::IndicatorId,
                                )
                                .to(Indicators::Table, Indicators::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(ReportingPeriods::Table)
                        .col(pk_uuid(ReportingPeriods::Id))
                        .col(string_len(ReportingPeriods::Name, 100))
                        .col(date(ReportingPeriods::StartOn))
                        .col(date(ReportingPeriods::EndOn))
                        .col(string_len(ReportingPeriods::Status, 10))
                        .col(timestamp_with_time_zone_null(ReportingPeriods::ClosedAt))
                        .col(string_len_null(ReportingPeriods::ClosedByType, 20))
                        .col(uuid_null(ReportingPeriods::ClosedById)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportingPeriodReports::Table)
                    .col(pk_uuid(ReportingPeriodReports::PeriodId))
                    .col(text(ReportingPeriodReports::Report))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reporting_period_reports_period")
                            .from(
                                ReportingPeriodReports::Table,
                                ReportingPeriodReports::PeriodId,
                            )
                            .to(ReportingPeriods::Table, ReportingPeriods::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in INDEXES {
            manager.create_index(index(name, table, columns)).await?;
        }
        seed(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES.iter().skip(4) {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        let mut delete = Query::delete();
        delete
            .from_table(ChangeLog::Table)
            .and_where(Expr::col(ChangeLog::ResourceType).is_in([
                "result",
                "indicator",
                "indicator_measurement",
                "reporting_period",
            ]));
        manager.exec_stmt(delete).await?;
        for table in [
            ReportingPeriodReports::Table.into_iden(),
            ReportingPeriods::Table.into_iden(),
            IndicatorMeasurements::Table.into_iden(),
            Indicators::Table.into_iden(),
            Results::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A seeded result: id, code, level, parent's index in [`RESULTS`], title (en, fr).
type SeedResult = (
    u128,
    &'static str,
    &'static str,
    Option<usize>,
    &'static str,
    &'static str,
);

/// The programme's results: the overall objective, the two specific objectives and their
/// outputs.
pub const RESULTS: [SeedResult; 7] = [
    (
        0x019a_c100_0000_7000_8000_0000_0000_0001,
        "OO",
        "impact",
        None,
        "African diaspora women's associations in Belgium are more involved in the development of their countries of origin",
        "Les associations de femmes de la diaspora africaine en Belgique sont davantage impliquées dans le développement de leurs pays d'origine",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0002,
        "SO1",
        "outcome",
        Some(0),
        "Associations engage more effectively in projects and activities for the development of their countries or regions of origin",
        "Les associations s'engagent plus efficacement dans des projets et activités de développement de leurs pays ou régions d'origine",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0003,
        "SO2",
        "outcome",
        Some(0),
        "Associations are better perceived as drivers of, and partners for, development",
        "Les associations sont mieux perçues comme actrices et partenaires du développement",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0004,
        "R1.1",
        "output",
        Some(1),
        "Associations are selected and their representatives trained in the three modules",
        "Les associations sont sélectionnées et leurs représentantes formées aux trois modules",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0005,
        "R1.2",
        "output",
        Some(1),
        "Trained representatives pass the training on to their members",
        "Les représentantes formées restituent la formation à leurs membres",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0006,
        "R2.1",
        "output",
        Some(2),
        "Visibility deliverables are published and disseminated",
        "Les produits de visibilité sont publiés et diffusés",
    ),
    (
        0x019a_c100_0000_7000_8000_0000_0000_0007,
        "R2.2",
        "output",
        Some(2),
        "Contacts with stakeholders in gender, development and peacebuilding are built",
        "Des contacts sont noués avec les acteurs du genre, du développement et de la paix",
    ),
];

/// A seeded indicator: code, result's index in [`RESULTS`], name (en, fr), unit, metric (or
/// `None`: measured by hand), params (JSON), baseline, target.
type SeedIndicator = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<f64>,
    Option<f64>,
);

/// The programme's indicators.
pub const INDICATORS: [SeedIndicator; 18] = [
    (
        "OO.1",
        0,
        "Development activities led by the associations in their countries of origin",
        "Activités de développement menées par les associations dans leurs pays d'origine",
        "count",
        None,
        "{}",
        Some(0.0),
        None,
    ),
    (
        "SO1.1",
        1,
        "Associations with a representative who completed all three modules",
        "Associations dont une représentante a suivi les trois modules",
        "count",
        Some("associations_completed"),
        "{}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "SO1.2",
        1,
        "Funding applications submitted after the association's first training day",
        "Demandes de financement soumises après la première journée de formation de l'association",
        "count",
        Some("funding_applications"),
        "{}",
        Some(0.0),
        None,
    ),
    (
        "SO1.3",
        1,
        "Share of assessed representatives whose post-test beats their pre-test",
        "Part des représentantes évaluées dont le post-test dépasse le pré-test",
        "percent",
        Some("knowledge_improved_pct"),
        "{}",
        None,
        None,
    ),
    (
        "R1.1.1",
        3,
        "Associations selected",
        "Associations sélectionnées",
        "count",
        Some("associations_by_status"),
        "{\"status\":\"selected\"}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R1.1.2",
        3,
        "Representatives who completed module 1",
        "Représentantes ayant suivi le module 1",
        "count",
        Some("representatives_completed"),
        "{\"module\":\"M1\"}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R1.1.3",
        3,
        "Representatives who completed module 2",
        "Représentantes ayant suivi le module 2",
        "count",
        Some("representatives_completed"),
        "{\"module\":\"M2\"}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R1.1.4",
        3,
        "Representatives who completed module 3",
        "Représentantes ayant suivi le module 3",
        "count",
        Some("representatives_completed"),
        "{\"module\":\"M3\"}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R1.1.5",
        3,
        "Training days delivered",
        "Journées de formation données",
        "count",
        Some("training_days_delivered"),
        "{}",
        Some(0.0),
        Some(9.0),
    ),
    (
        "R1.2.1",
        4,
        "Validated restitution sessions",
        "Sessions de restitution validées",
        "count",
        Some("restitutions"),
        "{}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R1.2.2",
        4,
        "Members reached through validated restitutions",
        "Membres atteints par les restitutions validées",
        "count",
        Some("restitution_attendees"),
        "{}",
        Some(0.0),
        None,
    ),
    (
        "SO2.1",
        2,
        "Associations in the public repertoire",
        "Associations dans le répertoire public",
        "count",
        Some("repertoire_listed"),
        "{}",
        Some(0.0),
        Some(10.0),
    ),
    (
        "R2.1.1",
        5,
        "Briefs published",
        "Notes publiées",
        "count",
        Some("deliverables_published"),
        "{\"kind\":\"brief\"}",
        Some(0.0),
        Some(3.0),
    ),
    (
        "R2.1.2",
        5,
        "Calendar published",
        "Calendrier publié",
        "count",
        Some("deliverables_published"),
        "{\"kind\":\"calendar\"}",
        Some(0.0),
        Some(1.0),
    ),
    (
        "R2.1.3",
        5,
        "Repertoire published",
        "Répertoire publié",
        "count",
        Some("deliverables_published"),
        "{\"kind\":\"repertoire\"}",
        Some(0.0),
        Some(1.0),
    ),
    (
        "R2.1.4",
        5,
        "Copies of the deliverables disseminated",
        "Exemplaires des produits diffusés",
        "count",
        Some("dissemination"),
        "{\"measure\":\"copies\"}",
        Some(0.0),
        None,
    ),
    (
        "R2.1.5",
        5,
        "People reached by the dissemination of the deliverables",
        "Personnes atteintes par la diffusion des produits",
        "count",
        Some("dissemination"),
        "{\"measure\":\"reach\"}",
        Some(0.0),
        None,
    ),
    (
        "R2.2.1",
        6,
        "New stakeholder contacts",
        "Nouveaux contacts avec des acteurs",
        "count",
        Some("partners_contacted"),
        "{}",
        Some(0.0),
        None,
    ),
];

/// The first id of the seeded indicators; the n-th (from 0) is this + n.
pub const FIRST_INDICATOR_ID: u128 = 0x019a_c100_0000_7000_8000_0000_0001_0000;

fn localized(en: &str, fr: &str) -> String {
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{{\"en\":\"{}\",\"fr\":\"{}\"}}", escape(en), escape(fr))
}

fn day(text: &str) -> Result<ChronoDate, DbErr> {
    text.parse()
        .map_err(|_| DbErr::Migration(format!("bad seed date {text}")))
}

async fn seed(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let seeded_at = ChronoDateTimeUtc::from_timestamp(1_795_910_400, 0)
        .ok_or_else(|| DbErr::Migration("bad seed time".into()))?;
    let bad = |e: sea_query::error::Error| DbErr::Migration(e.to_string());
    let mut feed = Query::insert();
    feed.into_table(ChangeLog::Table).columns([
        ChangeLog::ResourceType,
        ChangeLog::ResourceId,
        ChangeLog::Op,
        ChangeLog::Version,
        ChangeLog::AssociationId,
        ChangeLog::ChangedAt,
    ]);
    let mut feed_row = |kind: &str, id: Uuid| {
        feed.values([
            kind.into(),
            id.into(),
            "upsert".into(),
            1.into(),
            Option::<Uuid>::None.into(),
            seeded_at.into(),
        ])
        .map(|_| ())
        .map_err(bad)
    };
    // Parents first: each result is inserted on its own, after the one it belongs to.
    for (id, code, level, parent, en, fr) in RESULTS {
        let parent = parent.map(|i| Uuid::from_u128(RESULTS[i].0));
        let mut insert = Query::insert();
        insert
            .into_table(Results::Table)
            .columns([
                Results::Id,
                Results::Code,
                Results::Level,
                Results::Title,
                Results::ParentId,
                Results::Version,
                Results::CreatedAt,
                Results::UpdatedAt,
            ])
            .values([
                Uuid::from_u128(id).into(),
                code.into(),
                level.into(),
                localized(en, fr).into(),
                parent.into(),
                1.into(),
                seeded_at.into(),
                seeded_at.into(),
            ])
            .map_err(bad)?;
        manager.exec_stmt(insert).await?;
        feed_row("result", Uuid::from_u128(id))?;
    }
    let mut indicators = Query::insert();
    indicators.into_table(Indicators::Table).columns([
        Indicators::Id,
        Indicators::Code,
        Indicators::ResultId,
        Indicators::Name,
        Indicators::Definition,
        Indicators::Unit,
        Indicators::BaselineValue,
        Indicators::BaselineOn,
        Indicators::TargetValue,
        Indicators::TargetOn,
        Indicators::Direction,
        Indicators::Source,
        Indicators::Metric,
        Indicators::Params,
        Indicators::Version,
        Indicators::CreatedAt,
        Indicators::UpdatedAt,
    ]);
    let baseline_on = day("2026-01-01")?;
    let target_on = day("2027-12-31")?;
    let mut ids = Vec::new();
    for (n, (code, result, en, fr, unit, metric, params, baseline, target)) in
        INDICATORS.into_iter().enumerate()
    {
        let id = Uuid::from_u128(FIRST_INDICATOR_ID + n as u128);
        let definition = match metric {
            Some(metric) => format!("Computed by the metric `{metric}` ({params})."),
            None => "Counted by programme staff from the associations' reports.".to_owned(),
        };
        indicators
            .values([
                id.into(),
                code.into(),
                Uuid::from_u128(RESULTS[result].0).into(),
                localized(en, fr).into(),
                definition.into(),
                unit.into(),
                baseline.into(),
                baseline.map(|_| baseline_on).into(),
                target.into(),
                target.map(|_| target_on).into(),
                "increase".into(),
                if metric.is_some() {
                    "computed"
                } else {
                    "manual"
                }
                .into(),
                metric.map(str::to_owned).into(),
                params.into(),
                1.into(),
                seeded_at.into(),
                seeded_at.into(),
            ])
            .map_err(bad)?;
        ids.push(id);
    }
    manager.exec_stmt(indicators).await?;
    for id in ids {
        feed_row("indicator", id)?;
    }
    manager.exec_stmt(feed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_results_name_earlier_parents() {
        for (n, result) in RESULTS.iter().enumerate() {
            assert!(result.3.is_none_or(|parent| parent < n), "{}", result.1);
        }
        for indicator in INDICATORS {
            assert!(indicator.1 < RESULTS.len(), "{}", indicator.0);
        }
    }
}
