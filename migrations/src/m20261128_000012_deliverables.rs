//! Visibility deliverables: the repertoire, the briefs with their success stories, the
//! calendar with its twelve entries, and how each was disseminated; with the review and
//! publication history of each deliverable.
//!
//! Localized texts are JSON objects (`{"fr": ..}`) and lists are JSON arrays, in text columns.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Associations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Deliverables {
    Table,
    Id,
    Kind,
    Title,
    Summary,
    Languages,
    PlannedOn,
    PublishedOn,
    DocumentUrl,
    FeaturedAssociationIds,
    Sdgs,
    Year,
    Status,
}

#[derive(DeriveIden)]
enum DeliverableTransitions {
    Table,
    Id,
    DeliverableId,
    FromStatus,
    ToStatus,
    Comment,
    ActorType,
    ActorId,
    OccurredAt,
}

#[derive(DeriveIden)]
enum DeliverableStories {
    Table,
    Id,
    DeliverableId,
    AssociationId,
    Title,
    Body,
    PersonIds,
    Country,
    Sdgs,
    Quote,
    ImageUrl,
    Proposed,
}

#[derive(DeriveIden)]
enum CalendarEntries {
    Table,
    Id,
    DeliverableId,
    AssociationId,
    Month,
    Headline,
    Caption,
    ImageUrl,
}

#[derive(DeriveIden)]
enum Disseminations {
    Table,
    Id,
    DeliverableId,
    Date,
    Channel,
    Audience,
    Copies,
    Reach,
    Notes,
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    ResourceType,
}

fn bookkeeping(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(integer(Alias::new("version")))
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
        .col(timestamp_with_time_zone_null(Alias::new("deleted_at")))
}

fn index(name: &str, table: impl IntoIden, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn of_deliverable(name: &str, from: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from_tbl(from)
        .from_col(Alias::new("deliverable_id"))
        .to(Deliverables::Table, Deliverables::Id)
        .to_owned()
}

fn of_association(name: &str, from: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from_tbl(from)
        .from_col(Alias::new("association_id"))
        .to(Associations::Table, Associations::Id)
        .to_owned()
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
                        .table(Deliverables::Table)
                        .col(pk_uuid(Deliverables::Id))
                        .col(string_len(Deliverables::Kind, 20))
                        .col(text(Deliverables::Title))
                        .col(text(Deliverables::Summary))
                        .col(text(Deliverables::Languages))
                        .col(date_null(Deliverables::PlannedOn))
                        .col(date_null(Deliverables::PublishedOn))
                        .col(string_len_null(Deliverables::DocumentUrl, 300))
                        .col(text(Deliverables::FeaturedAssociationIds))
                        .col(text(Deliverables::Sdgs))
                        .col(integer_null(Deliverables::Year))
                        .col(string_len(Deliverables::Status, 20)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeliverableTransitions::Table)
                    .col(pk_uuid(DeliverableTransitions::Id))
                    .col(uuid(DeliverableTransitions::DeliverableId))
                    .col(string_len(DeliverableTransitions::FromStatus, 20))
                    .col(string_len(DeliverableTransitions::ToStatus, 20))
                    .col(text_null(DeliverableTransitions::Comment))
                    .col(string_len(DeliverableTransitions::ActorType, 10))
                    .col(uuid_null(DeliverableTransitions::ActorId))
                    .col(timestamp_with_time_zone(DeliverableTransitions::OccurredAt))
                    .foreign_key(&mut of_deliverable(
                        "fk_deliverable_transitions_deliverable",
                        DeliverableTransitions::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(DeliverableStories::Table)
                        .col(pk_uuid(DeliverableStories::Id))
                        .col(uuid(DeliverableStories::DeliverableId))
                        .col(uuid(DeliverableStories::AssociationId))
                        .col(text(DeliverableStories::Title))
                        .col(text(DeliverableStories::Body))
                        .col(text(DeliverableStories::PersonIds))
                        .col(string_len(DeliverableStories::Country, 2))
                        .col(text(DeliverableStories::Sdgs))
                        .col(text_null(DeliverableStories::Quote))
                        .col(string_len_null(DeliverableStories::ImageUrl, 300))
                        .col(boolean(DeliverableStories::Proposed))
                        .foreign_key(&mut of_deliverable(
                            "fk_deliverable_stories_deliverable",
                            DeliverableStories::Table,
                        ))
                        .foreign_key(&mut of_association(
                            "fk_deliverable_stories_association",
                            DeliverableStories::Table,
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(CalendarEntries::Table)
                        .col(pk_uuid(CalendarEntries::Id))
                        .col(uuid(CalendarEntries::DeliverableId))
                        .col(uuid(CalendarEntries::AssociationId))
                        .col(integer(CalendarEntries::Month))
                        .col(text(CalendarEntries::Headline))
                        .col(text(CalendarEntries::Caption))
                        .col(string_len_null(CalendarEntries::ImageUrl, 300))
                        .foreign_key(&mut of_deliverable(
                            "fk_calendar_entries_deliverable",
                            CalendarEntries::Table,
                        ))
                        .foreign_key(&mut of_association(
                            "fk_calendar_entries_association",
                            CalendarEntries::Table,
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Disseminations::Table)
                        .col(pk_uuid(Disseminations::Id))
                        .col(uuid(Disseminations::DeliverableId))
                        .col(date(Disseminations::Date))
                        .col(string_len(Disseminations::Channel, 20))
                        .col(string_len(Disseminations::Audience, 200))
                        .col(big_integer(Disseminations::Copies))
                        .col(big_integer_null(Disseminations::Reach))
                        .col(text_null(Disseminations::Notes))
                        .foreign_key(&mut of_deliverable(
                            "fk_disseminations_deliverable",
                            Disseminations::Table,
                        )),
                )
                .to_owned(),
            )
            .await?;
        for statement in [
            // A status's page in id order, and the published ones of a kind (public reads,
            // the indicators).
            index(
                "idx_deliverables_status",
                Deliverables::Table,
                &["status", "id"],
            ),
            index(
                "idx_deliverables_kind_status",
                Deliverables::Table,
                &["kind", "status", "year"],
            ),
            index(
                "idx_deliverable_transitions_deliverable",
                DeliverableTransitions::Table,
                &["deliverable_id", "id"],
            ),
            index(
                "idx_deliverable_stories_deliverable",
                DeliverableStories::Table,
                &["deliverable_id", "id"],
            ),
            index(
                "idx_deliverable_stories_association",
                DeliverableStories::Table,
                &["association_id"],
            ),
            index(
                "idx_calendar_entries_deliverable",
                CalendarEntries::Table,
                &["deliverable_id", "month"],
            ),
            index(
                "idx_calendar_entries_association",
                CalendarEntries::Table,
                &["association_id"],
            ),
            index(
                "idx_disseminations_deliverable",
                Disseminations::Table,
                &["deliverable_id", "id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(ChangeLog::Table)
            .and_where(Expr::col(ChangeLog::ResourceType).is_in([
                "deliverable",
                "deliverable_story",
                "calendar_entry",
                "dissemination",
            ]));
        manager.exec_stmt(delete).await?;
        for table in [
            Disseminations::Table.into_iden(),
            CalendarEntries::Table.into_iden(),
            DeliverableStories::Table.into_iden(),
            DeliverableTransitions::Table.into_iden(),
            Deliverables::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
