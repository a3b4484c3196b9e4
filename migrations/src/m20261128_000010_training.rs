//! The training: modules (seeded with the programme's three), stakeholder organisations,
//! training sessions, enrolments, attendance and assessments.
//!
//! Localized texts and small lists are JSON in text columns, like people's languages. The
//! seeded modules get change-feed rows, so a partner syncing from an empty cursor sees them.

use sea_orm_migration::sea_orm::prelude::{ChronoDateTimeUtc, Uuid};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Associations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    Code,
    Title,
    Description,
    PlannedDays,
    MinAttendancePct,
    MaxRepresentativesPerAssociation,
    Days,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    Name,
    NameKey,
    Kind,
    Country,
    Website,
    ContactEmail,
    Notes,
    FirstContactOn,
}

#[derive(DeriveIden)]
enum TrainingSessions {
    Table,
    Id,
    ModuleId,
    DayNumber,
    Date,
    StartsAt,
    EndsAt,
    Venue,
    Facilitators,
    GuestPartnerIds,
    Capacity,
    Status,
    AttendanceVersion,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    PersonId,
    AssociationId,
    ModuleId,
    Status,
    CertificateCode,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    SessionId,
    EnrollmentId,
    PersonId,
    AssociationId,
    Status,
    ArrivedLate,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
    EnrollmentId,
    AssociationId,
    Kind,
    Score,
    TakenOn,
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

/// The seeded modules' ids: fixed, so every installation and the demo data agree.
pub const MODULE_IDS: [u128; 3] = [
    0x019a_c000_0000_7000_8000_0000_0000_0001,
    0x019a_c000_0000_7000_8000_0000_0000_0002,
    0x019a_c000_0000_7000_8000_0000_0000_0003,
];

/// A seeded module: code, title (en, fr), description (en, fr), days as (topic en, topic fr,
/// guest day).
type Seed = (
    &'static str,
    (&'static str, &'static str),
    (&'static str, &'static str),
    &'static [(&'static str, &'static str, bool)],
);

const MODULES: [Seed; 3] = [
    (
        "M1",
        (
            "Institutional strengthening and Project Cycle Management",
            "Renforcement institutionnel et gestion du cycle de projet",
        ),
        (
            "How to structure and consolidate an organisation, manage the project cycle, and raise funds: designing relevant projects and answering calls for proposals.",
            "Structurer et consolider une organisation, gérer le cycle de projet et mobiliser des fonds : concevoir des projets pertinents et répondre aux appels à propositions.",
        ),
        &[
            (
                "Structuring and consolidating an association",
                "Structurer et consolider une association",
                false,
            ),
            (
                "Project cycle management",
                "Gestion du cycle de projet",
                false,
            ),
            (
                "Designing relevant projects",
                "Concevoir des projets pertinents",
                false,
            ),
            (
                "Fundraising: answering calls for proposals",
                "Mobilisation de fonds : répondre aux appels à propositions",
                false,
            ),
        ],
    ),
    (
        "M2",
        (
            "Migration and development, and the role of women",
            "Migration et développement, et le rôle des femmes",
        ),
        (
            "The ways a diaspora contributes to development (social, cultural, human and economic resources, remittances included), with a gender lens.",
            "Les contributions de la diaspora au développement (ressources sociales, culturelles, humaines et économiques, transferts compris), sous l'angle du genre.",
        ),
        &[
            (
                "Diaspora contributions to development",
                "Contributions de la diaspora au développement",
                false,
            ),
            (
                "Remittances and resources, with a gender lens",
                "Transferts et ressources, sous l'angle du genre",
                false,
            ),
            (
                "Joint day with experienced diaspora associations",
                "Journée commune avec des associations de la diaspora expérimentées",
                true,
            ),
        ],
    ),
    (
        "M3",
        (
            "Women and peace building, community cohesion",
            "Femmes et consolidation de la paix, cohésion communautaire",
        ),
        (
            "International and national policy frameworks for a gender perspective in peace and conflict prevention, and women's role in peacebuilding.",
            "Cadres politiques internationaux et nationaux pour une perspective de genre dans la paix et la prévention des conflits, et le rôle des femmes dans la consolidation de la paix.",
        ),
        &[
            (
                "Policy frameworks: gender, peace and conflict prevention",
                "Cadres politiques : genre, paix et prévention des conflits",
                false,
            ),
            (
                "Workshop with peacebuilding organisations",
                "Atelier avec des organisations de consolidation de la paix",
                true,
            ),
        ],
    ),
];

fn localized(en: &str, fr: &str) -> String {
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{{\"en\":\"{}\",\"fr\":\"{}\"}}", escape(en), escape(fr))
}

fn days_json(days: &[(&str, &str, bool)]) -> String {
    let items: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, (en, fr, guest))| {
            format!(
                "{{\"day_number\":{},\"topic\":{},\"guest_day\":{guest}}}",
                i + 1,
                localized(en, fr)
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn bookkeeping(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(integer(Alias::new("version")))
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
        .col(timestamp_with_time_zone_null(Alias::new("deleted_at")))
}

fn index(name: &str, table: impl IntoIden, columns: Vec<Alias>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Modules::Table)
                        .col(pk_uuid(Modules::Id))
                        .col(string_len(Modules::Code, 10))
                        .col(text(Modules::Title))
                        .col(text(Modules::Description))
                        .col(integer(Modules::PlannedDays))
                        .col(integer(Modules::MinAttendancePct))
                        .col(integer(Modules::MaxRepresentativesPerAssociation))
                        .col(text(Modules::Days)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Partners::Table)
                        .col(pk_uuid(Partners::Id))
                        .col(string_len(Partners::Name, 200))
                        // Folding (NFKC) can lengthen a name: the key has no length limit.
                        .col(text(Partners::NameKey))
                        .col(string_len(Partners::Kind, 30))
                        .col(string_len_null(Partners::Country, 2))
                        .col(string_len_null(Partners::Website, 300))
                        // Lower-casing can lengthen an address past 254 characters.
                        .col(text_null(Partners::ContactEmail))
                        .col(text_null(Partners::Notes))
                        .col(date_null(Partners::FirstContactOn)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(TrainingSessions::Table)
                        .col(pk_uuid(TrainingSessions::Id))
                        .col(uuid(TrainingSessions::ModuleId))
                        .col(integer(TrainingSessions::DayNumber))
                        .col(date(TrainingSessions::Date))
                        .col(time(TrainingSessions::StartsAt))
                        .col(time(TrainingSessions::EndsAt))
                        .col(string_len(TrainingSessions::Venue, 200))
                        .col(text(TrainingSessions::Facilitators))
                        .col(text(TrainingSessions::GuestPartnerIds))
                        .col(integer(TrainingSessions::Capacity))
                        .col(string_len(TrainingSessions::Status, 20))
                        // The sheet's own version: +1 on each change of its lines.
                        .col(integer(TrainingSessions::AttendanceVersion).default(0))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_training_sessions_module")
                                .from(TrainingSessions::Table, TrainingSessions::ModuleId)
                                .to(Modules::Table, Modules::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Enrollments::Table)
                        .col(pk_uuid(Enrollments::Id))
                        .col(uuid(Enrollments::PersonId))
                        .col(uuid(Enrollments::AssociationId))
                        .col(uuid(Enrollments::ModuleId))
                        .col(string_len(Enrollments::Status, 20))
                        .col(string_len(Enrollments::CertificateCode, 20).unique_key())
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_enrollments_person")
                                .from(Enrollments::Table, Enrollments::PersonId)
                                .to(People::Table, People::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_enrollments_association")
                                .from(Enrollments::Table, Enrollments::AssociationId)
                                .to(Associations::Table, Associations::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_enrollments_module")
                                .from(Enrollments::Table, Enrollments::ModuleId)
                                .to(Modules::Table, Modules::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Attendance::Table)
                        .col(pk_uuid(Attendance::Id))
                        .col(uuid(Attendance::SessionId))
                        .col(uuid(Attendance::EnrollmentId))
                        .col(uuid(Attendance::PersonId))
                        .col(uuid(Attendance::AssociationId))
                        .col(string_len(Attendance::Status, 20))
                        .col(boolean(Attendance::ArrivedLate))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_attendance_session")
                                .from(Attendance::Table, Attendance::SessionId)
                                .to(TrainingSessions::Table, TrainingSessions::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_attendance_enrollment")
                                .from(Attendance::Table, Attendance::EnrollmentId)
                                .to(Enrollments::Table, Enrollments::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Assessments::Table)
                        .col(pk_uuid(Assessments::Id))
                        .col(uuid(Assessments::EnrollmentId))
                        .col(uuid(Assessments::AssociationId))
                        .col(string_len(Assessments::Kind, 10))
                        .col(integer(Assessments::Score))
                        .col(date(Assessments::TakenOn))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_assessments_enrollment")
                                .from(Assessments::Table, Assessments::EnrollmentId)
                                .to(Enrollments::Table, Enrollments::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        let a = |s: &str| Alias::new(s);
        for statement in [
            index(
                "idx_training_sessions_module_date",
                TrainingSessions::Table,
                vec![a("module_id"), a("date"), a("id")],
            ),
            index(
                "idx_training_sessions_date",
                TrainingSessions::Table,
                vec![a("date"), a("starts_at"), a("id")],
            ),
            index(
                "idx_enrollments_module",
                Enrollments::Table,
                vec![a("module_id"), a("association_id"), a("status")],
            ),
            index(
                "idx_enrollments_person",
                Enrollments::Table,
                vec![a("person_id"), a("module_id")],
            ),
            index(
                "idx_attendance_enrollment",
                Attendance::Table,
                vec![a("enrollment_id"), a("status"), a("session_id")],
            ),
            index(
                "idx_attendance_session",
                Attendance::Table,
                vec![a("session_id"), a("person_id")],
            ),
            index(
                "idx_assessments_enrollment",
                Assessments::Table,
                vec![a("enrollment_id"), a("kind")],
            ),
            index(
                "idx_partners_name_key",
                Partners::Table,
                vec![a("name_key")],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        seed_modules(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(ChangeLog::Table)
            .and_where(Expr::col(ChangeLog::ResourceType).is_in([
                "module",
                "partner",
                "training_session",
                "enrollment",
                "attendance",
                "assessment",
            ]));
        manager.exec_stmt(delete).await?;
        for table in [
            Assessments::Table.into_iden(),
            Attendance::Table.into_iden(),
            Enrollments::Table.into_iden(),
            TrainingSessions::Table.into_iden(),
            Partners::Table.into_iden(),
            Modules::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn seed_modules(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let seeded_at = ChronoDateTimeUtc::from_timestamp(1_795_824_000, 0)
        .ok_or_else(|| DbErr::Migration("bad seed time".into()))?;
    let mut modules = Query::insert();
    modules.into_table(Modules::Table).columns([
        Modules::Id,
        Modules::Code,
        Modules::Title,
        Modules::Description,
        Modules::PlannedDays,
        Modules::MinAttendancePct,
        Modules::MaxRepresentativesPerAssociation,
        Modules::Days,
        Modules::Version,
        Modules::CreatedAt,
        Modules::UpdatedAt,
    ]);
    let mut feed = Query::insert();
    feed.into_table(ChangeLog::Table).columns([
        ChangeLog::ResourceType,
        ChangeLog::ResourceId,
        ChangeLog::Op,
        ChangeLog::Version,
        ChangeLog::AssociationId,
        ChangeLog::ChangedAt,
    ]);
    for (id, (code, title, description, days)) in MODULE_IDS.iter().zip(MODULES) {
        let id = Uuid::from_u128(*id);
        let planned = <i32 as TryFrom<usize>>::try_from(days.len()).unwrap_or(i32::MAX);
        modules
            .values([
                id.into(),
                code.into(),
                localized(title.0, title.1).into(),
                localized(description.0, description.1).into(),
                planned.into(),
                75.into(),
                2.into(),
                days_json(days).into(),
                1.into(),
                seeded_at.into(),
                seeded_at.into(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        feed.values([
            "module".into(),
            id.into(),
            "upsert".into(),
            1.into(),
            Option::<Uuid>::None.into(),
            seeded_at.into(),
        ])
        .map_err(|e| DbErr::Migration(e.to_string()))?;
    }
    manager.exec_stmt(modules).await?;
    manager.exec_stmt(feed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_texts_are_json() {
        let days = days_json(MODULES[1].3);
        assert!(days.starts_with("[{\"day_number\":1,"));
        assert!(days.contains("\"guest_day\":true"));
        assert_eq!(
            localized("a \"b\"", "c"),
            "{\"en\":\"a \\\"b\\\"\",\"fr\":\"c\"}"
        );
    }
}
