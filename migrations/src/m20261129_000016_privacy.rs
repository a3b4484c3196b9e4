//! Privacy rights: a person can be erased (`people.erased_at`, and `person_erasures`, the record
//! of each erasure with its reason, which the audit log cannot hold: it keeps no values).
//!
//! An erasure keeps the person's row, her id and her gender (the results count her), and
//! replaces or removes everything else that says who she is (`empower_domain::privacy`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum PersonErasures {
    Table,
    Id,
    PersonId,
    Extent,
    Reason,
    ErasedAt,
    ActorType,
    ActorId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(timestamp_with_time_zone_null(People::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PersonErasures::Table)
                    .col(pk_uuid(PersonErasures::Id))
                    .col(uuid(PersonErasures::PersonId))
                    // `whole` (a request, or retention of a closed association) or `contact`
                    // (retention of a completed association's contact data).
                    .col(string_len(PersonErasures::Extent, 20))
                    .col(string_len(PersonErasures::Reason, 500))
                    .col(timestamp_with_time_zone(PersonErasures::ErasedAt))
                    .col(string_len(PersonErasures::ActorType, 20))
                    .col(uuid_null(PersonErasures::ActorId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_erasures_person")
                    .table(PersonErasures::Table)
                    .col(PersonErasures::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersonErasures::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .drop_column(People::ErasedAt)
                    .to_owned(),
            )
            .await
    }
}
