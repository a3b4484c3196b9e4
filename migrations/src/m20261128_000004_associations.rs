//! The association registry, its selection history and consent history, and the shared
//! machinery later resources reuse: the change feed and idempotency keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Associations {
    Table,
    Id,
    Name,
    NameKey,
    SearchText,
    Acronym,
    LegalForm,
    EnterpriseNumber,
    FoundedYear,
    MemberCount,
    Street,
    PostalCode,
    City,
    Region,
    ThematicAreas,
    InterventionRegions,
    WomanLed,
    ContactEmail,
    ContactPhone,
    Website,
    ConsentGranted,
    ConsentFields,
    ConsentRecordedAt,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum AssociationCountries {
    Table,
    AssociationId,
    CountryCode,
}

#[derive(DeriveIden)]
enum AssociationSdgs {
    Table,
    AssociationId,
    Sdg,
}

#[derive(DeriveIden)]
enum AssociationTransitions {
    Table,
    Id,
    AssociationId,
    FromStatus,
    ToStatus,
    Reason,
    Override,
    ActorType,
    ActorId,
    OccurredAt,
}

#[derive(DeriveIden)]
enum ConsentChanges {
    Table,
    Id,
    AssociationId,
    Granted,
    Fields,
    ActorType,
    ActorId,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Seq,
    ResourceType,
    ResourceId,
    Op,
    Version,
    AssociationId,
    ChangedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Caller,
    Key,
    RequestHash,
    StatusCode,
    ResponseBody,
    ResponseHeaders,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Countries {
    Table,
    Code,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    columns: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Associations::Table)
                    .col(pk_uuid(Associations::Id))
                    .col(string_len(Associations::Name, 200))
                    // Folded (lower-case, no accents) name: unique among live associations.
                    .col(string_len(Associations::NameKey, 200))
                    // Folded name and acronym, for accent-insensitive search.
                    .col(string_len(Associations::SearchText, 230))
                    .col(string_len_null(Associations::Acronym, 20))
                    .col(string_len(Associations::LegalForm, 20))
                    .col(string_len_null(Associations::EnterpriseNumber, 12))
                    .col(integer_null(Associations::FoundedYear))
                    .col(integer_null(Associations::MemberCount))
                    .col(string_len_null(Associations::Street, 200))
                    .col(string_len_null(Associations::PostalCode, 4))
                    .col(string_len_null(Associations::City, 100))
                    .col(string_len_null(Associations::Region, 20))
                    // JSON array of short strings.
                    .col(text(Associations::ThematicAreas))
                    .col(text_null(Associations::InterventionRegions))
                    .col(boolean(Associations::WomanLed).default(false))
                    .col(string_len_null(Associations::ContactEmail, 254))
                    .col(string_len_null(Associations::ContactPhone, 40))
                    .col(string_len_null(Associations::Website, 300))
                    .col(boolean(Associations::ConsentGranted).default(false))
                    // JSON array of field names.
                    .col(text(Associations::ConsentFields))
                    .col(timestamp_with_time_zone_null(
                        Associations::ConsentRecordedAt,
                    ))
                    .col(string_len(Associations::Status, 20))
                    .col(integer(Associations::Version))
                    .col(timestamp_with_time_zone(Associations::CreatedAt))
                    .col(timestamp_with_time_zone(Associations::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Associations::DeletedAt))
                    .to_owned(),
            )
            .await?;
        let a = |c: Associations| -> DynIden { c.into_iden() };
        index(
            manager,
            "idx_associations_name",
            Associations::Table,
            vec![a(Associations::NameKey), a(Associations::Id)],
            false,
        )
        .await?;
        index(
            manager,
            "idx_associations_created",
            Associations::Table,
            vec![a(Associations::CreatedAt), a(Associations::Id)],
            false,
        )
        .await?;
        index(
            manager,
            "idx_associations_updated",
            Associations::Table,
            vec![a(Associations::UpdatedAt), a(Associations::Id)],
            false,
        )
        .await?;
        index(
            manager,
            "idx_associations_status",
            Associations::Table,
            vec![
                a(Associations::Status),
                a(Associations::NameKey),
                a(Associations::Id),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_associations_region",
            Associations::Table,
            vec![a(Associations::Region), a(Associations::NameKey)],
            false,
        )
        .await?;
        // Names and enterprise numbers are unique among live associations only: a deleted
        // association's name may be used again. Partial indexes, in SQL both backends share.
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_associations_name_key ON associations (name_key) WHERE deleted_at IS NULL",
        )
        .await?;
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_associations_enterprise_number ON associations (enterprise_number) WHERE deleted_at IS NULL AND enterprise_number IS NOT NULL",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssociationCountries::Table)
                    .col(uuid(AssociationCountries::AssociationId))
                    .col(char_len(AssociationCountries::CountryCode, 2))
                    .primary_key(
                        Index::create()
                            .col(AssociationCountries::AssociationId)
                            .col(AssociationCountries::CountryCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_association_countries_association")
                            .from(
                                AssociationCountries::Table,
                                AssociationCountries::AssociationId,
                            )
                            .to(Associations::Table, Associations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_association_countries_country")
                            .from(
                                AssociationCountries::Table,
                                AssociationCountries::CountryCode,
                            )
                            .to(Countries::Table, Countries::Code),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_association_countries_country",
            AssociationCountries::Table,
            vec![
                AssociationCountries::CountryCode.into_iden(),
                AssociationCountries::AssociationId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssociationSdgs::Table)
                    .col(uuid(AssociationSdgs::AssociationId))
                    .col(integer(AssociationSdgs::Sdg))
                    .primary_key(
                        Index::create()
                            .col(AssociationSdgs::AssociationId)
                            .col(AssociationSdgs::Sdg),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_association_sdgs_association")
                            .from(AssociationSdgs::Table, AssociationSdgs::AssociationId)
                            .to(Associations::Table, Associations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_association_sdgs_sdg",
            AssociationSdgs::Table,
            vec![
                AssociationSdgs::Sdg.into_iden(),
                AssociationSdgs::AssociationId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssociationTransitions::Table)
                    .col(pk_uuid(AssociationTransitions::Id))
                    .col(uuid(AssociationTransitions::AssociationId))
                    .col(string_len(AssociationTransitions::FromStatus, 20))
                    .col(string_len(AssociationTransitions::ToStatus, 20))
                    .col(string_len(AssociationTransitions::Reason, 1000))
                    .col(boolean(AssociationTransitions::Override).default(false))
                    .col(string_len(AssociationTransitions::ActorType, 20))
                    .col(uuid_null(AssociationTransitions::ActorId))
                    .col(timestamp_with_time_zone(AssociationTransitions::OccurredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_association_transitions_association")
                            .from(
                                AssociationTransitions::Table,
                                AssociationTransitions::AssociationId,
                            )
                            .to(Associations::Table, Associations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_association_transitions_association",
            AssociationTransitions::Table,
            vec![
                AssociationTransitions::AssociationId.into_iden(),
                AssociationTransitions::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConsentChanges::Table)
                    .col(pk_uuid(ConsentChanges::Id))
                    .col(uuid(ConsentChanges::AssociationId))
                    .col(boolean(ConsentChanges::Granted))
                    .col(text(ConsentChanges::Fields))
                    .col(string_len(ConsentChanges::ActorType, 20))
                    .col(uuid_null(ConsentChanges::ActorId))
                    .col(timestamp_with_time_zone(ConsentChanges::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_changes_association")
                            .from(ConsentChanges::Table, ConsentChanges::AssociationId)
                            .to(Associations::Table, Associations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChangeLog::Table)
                    .col(big_pk_auto(ChangeLog::Seq))
                    .col(string_len(ChangeLog::ResourceType, 40))
                    .col(uuid(ChangeLog::ResourceId))
                    .col(string_len(ChangeLog::Op, 10))
                    .col(integer(ChangeLog::Version))
                    .col(uuid_null(ChangeLog::AssociationId))
                    .col(timestamp_with_time_zone(ChangeLog::ChangedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string_len(IdempotencyKeys::Caller, 100))
                    .col(string_len(IdempotencyKeys::Key, 200))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer_null(IdempotencyKeys::StatusCode))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(text_null(IdempotencyKeys::ResponseHeaders))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Caller)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            ChangeLog::Table.into_iden(),
            ConsentChanges::Table.into_iden(),
            AssociationTransitions::Table.into_iden(),
            AssociationSdgs::Table.into_iden(),
            AssociationCountries::Table.into_iden(),
            Associations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
