//! People (representatives and contacts of an association) with their append-only consents, and
//! funding applications.

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
    AssociationId,
    FirstName,
    LastName,
    Gender,
    Email,
    Phone,
    RoleInAssociation,
    IsRepresentative,
    Languages,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum PersonConsents {
    Table,
    Id,
    PersonId,
    Purpose,
    Granted,
    TextVersion,
    RecordedByType,
    RecordedById,
    RecordedAt,
}

#[derive(DeriveIden)]
enum FundingApplications {
    Table,
    Id,
    AssociationId,
    CallTitle,
    Funder,
    SubmittedOn,
    AmountRequested,
    Status,
    AmountGranted,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(pk_uuid(People::Id))
                    .col(uuid(People::AssociationId))
                    .col(string_len(People::FirstName, 100))
                    .col(string_len(People::LastName, 100))
                    .col(string_len(People::Gender, 20))
                    .col(string_len_null(People::Email, 254))
                    .col(string_len_null(People::Phone, 40))
                    .col(string_len_null(People::RoleInAssociation, 60))
                    .col(boolean(People::IsRepresentative).default(false))
                    // JSON array of language codes.
                    .col(text(People::Languages))
                    .col(integer(People::Version))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .col(timestamp_with_time_zone_null(People::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_people_association")
                            .from(People::Table, People::AssociationId)
                            .to(Associations::Table, Associations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_people_association")
                    .table(People::Table)
                    .col(People::AssociationId)
                    .col(People::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PersonConsents::Table)
                    .col(pk_uuid(PersonConsents::Id))
                    .col(uuid(PersonConsents::PersonId))
                    .col(string_len(PersonConsents::Purpose, 40))
                    .col(boolean(PersonConsents::Granted))
                    .col(string_len(PersonConsents::TextVersion, 40))
                    .col(string_len(PersonConsents::RecordedByType, 20))
                    .col(uuid_null(PersonConsents::RecordedById))
                    .col(timestamp_with_time_zone(PersonConsents::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_person_consents_person")
                            .from(PersonConsents::Table, PersonConsents::PersonId)
                            .to(People::Table, People::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_consents_person")
                    .table(PersonConsents::Table)
                    .col(PersonConsents::PersonId)
                    .col(PersonConsents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundingApplications::Table)
                    .col(pk_uuid(FundingApplications::Id))
                    .col(uuid(FundingApplications::AssociationId))
                    .col(string_len(FundingApplications::CallTitle, 200))
                    .col(string_len(FundingApplications::Funder, 200))
                    .col(date_null(FundingApplications::SubmittedOn))
                    // EUR, as a decimal string with two places ("1250.00"): exact on both backends.
                    .col(string_len(FundingApplications::AmountRequested, 20))
                    .col(string_len(FundingApplications::Status, 20))
                    .col(string_len_null(FundingApplications::AmountGranted, 20))
                    .col(integer(FundingApplications::Version))
                    .col(timestamp_with_time_zone(FundingApplications::CreatedAt))
                    .col(timestamp_with_time_zone(FundingApplications::UpdatedAt))
                    .col(timestamp_with_time_zone_null(
                        FundingApplications::DeletedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_funding_applications_association")
                            .from(
                                FundingApplications::Table,
                                FundingApplications::AssociationId,
                            )
                            .to(Associations::Table, Associations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_funding_applications_association")
                    .table(FundingApplications::Table)
                    .col(FundingApplications::AssociationId)
                    .col(FundingApplications::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FundingApplications::Table.into_iden(),
            PersonConsents::Table.into_iden(),
            People::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
