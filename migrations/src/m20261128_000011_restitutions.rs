//! Restitutions: the cascade sessions trained representatives run for their members, their
//! status history, and their evidence (links, or files kept on disk under their content hash).
//!
//! Modules and facilitators are JSON lists in text columns, like a session's guest partners.
//! The installation's id (one row, random) ties the files directory to this database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Associations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Restitutions {
    Table,
    Id,
    AssociationId,
    ModuleIds,
    FacilitatorIds,
    PlannedOn,
    HeldOn,
    LocationKind,
    City,
    PostalCode,
    Country,
    Language,
    Topics,
    AttendeesWomen,
    AttendeesMen,
    AttendeesOther,
    AttendeesUndisclosed,
    YouthAttendees,
    Notes,
    Status,
}

#[derive(DeriveIden)]
enum RestitutionTransitions {
    Table,
    Id,
    RestitutionId,
    AssociationId,
    FromStatus,
    ToStatus,
    Comment,
    ActorType,
    ActorId,
    OccurredAt,
}

#[derive(DeriveIden)]
enum RestitutionEvidence {
    Table,
    Id,
    RestitutionId,
    AssociationId,
    Kind,
    Description,
    Url,
    FileSha256,
    FileMediaType,
    FileSize,
    FileName,
}

/// One row: the installation's id, which the files directory is tied to.
#[derive(DeriveIden)]
enum Installation {
    Table,
    Id,
    CreatedAt,
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

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Restitutions::Table)
                        .col(pk_uuid(Restitutions::Id))
                        .col(uuid(Restitutions::AssociationId))
                        .col(text(Restitutions::ModuleIds))
                        .col(text(Restitutions::FacilitatorIds))
                        .col(date(Restitutions::PlannedOn))
                        .col(date_null(Restitutions::HeldOn))
                        .col(string_len(Restitutions::LocationKind, 10))
                        .col(string_len_null(Restitutions::City, 100))
                        .col(string_len_null(Restitutions::PostalCode, 4))
                        .col(string_len_null(Restitutions::Country, 2))
                        .col(string_len(Restitutions::Language, 3))
                        .col(text(Restitutions::Topics))
                        .col(integer(Restitutions::AttendeesWomen))
                        .col(integer(Restitutions::AttendeesMen))
                        .col(integer(Restitutions::AttendeesOther))
                        .col(integer(Restitutions::AttendeesUndisclosed))
                        .col(integer_null(Restitutions::YouthAttendees))
                        .col(text_null(Restitutions::Notes))
                        .col(string_len(Restitutions::Status, 20))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_restitutions_association")
                                .from(Restitutions::Table, Restitutions::AssociationId)
                                .to(Associations::Table, Associations::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RestitutionTransitions::Table)
                    .col(pk_uuid(RestitutionTransitions::Id))
                    .col(uuid(RestitutionTransitions::RestitutionId))
                    .col(uuid(RestitutionTransitions::AssociationId))
                    .col(string_len(RestitutionTransitions::FromStatus, 20))
                    .col(string_len(RestitutionTransitions::ToStatus, 20))
                    .col(text_null(RestitutionTransitions::Comment))
                    .col(string_len(RestitutionTransitions::ActorType, 10))
                    .col(uuid_null(RestitutionTransitions::ActorId))
                    .col(timestamp_with_time_zone(RestitutionTransitions::OccurredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_restitution_transitions_restitution")
                            .from(
                                RestitutionTransitions::Table,
                                RestitutionTransitions::RestitutionId,
                            )
                            .to(Restitutions::Table, Restitutions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(RestitutionEvidence::Table)
                        .col(pk_uuid(RestitutionEvidence::Id))
                        .col(uuid(RestitutionEvidence::RestitutionId))
                        .col(uuid(RestitutionEvidence::AssociationId))
                        .col(string_len(RestitutionEvidence::Kind, 20))
                        .col(text(RestitutionEvidence::Description))
                        .col(string_len_null(RestitutionEvidence::Url, 300))
                        .col(string_len_null(RestitutionEvidence::FileSha256, 64))
                        .col(string_len_null(RestitutionEvidence::FileMediaType, 50))
                        .col(big_integer_null(RestitutionEvidence::FileSize))
                        .col(string_len_null(RestitutionEvidence::FileName, 200))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_restitution_evidence_restitution")
                                .from(
                                    RestitutionEvidence::Table,
                                    RestitutionEvidence::RestitutionId,
                                )
                                .to(Restitutions::Table, Restitutions::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Installation::Table)
                    .col(pk_uuid(Installation::Id))
                    .col(timestamp_with_time_zone(Installation::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let mut installation = Query::insert();
        installation
            .into_table(Installation::Table)
            .columns([Installation::Id, Installation::CreatedAt])
            .values([
                sea_orm_migration::sea_orm::prelude::Uuid::now_v7().into(),
                Expr::current_timestamp(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(installation).await?;
        for statement in [
            index(
                "idx_restitutions_association",
                Restitutions::Table,
                &["association_id", "planned_on", "id"],
            ),
            index(
                "idx_restitutions_planned_on",
                Restitutions::Table,
                &["planned_on", "id"],
            ),
            // A status's page in id order (the list), and its dates (the indicators).
            index(
                "idx_restitutions_status",
                Restitutions::Table,
                &["status", "id"],
            ),
            index(
                "idx_restitutions_status_held_on",
                Restitutions::Table,
                &["status", "held_on"],
            ),
            index(
                "idx_restitution_transitions_restitution",
                RestitutionTransitions::Table,
                &["restitution_id", "id"],
            ),
            index(
                "idx_restitution_evidence_restitution",
                RestitutionEvidence::Table,
                &["restitution_id", "id"],
            ),
            index(
                "idx_restitution_evidence_file",
                RestitutionEvidence::Table,
                &["file_sha256"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete.from_table(ChangeLog::Table).and_where(
            Expr::col(ChangeLog::ResourceType).is_in(["restitution", "restitution_evidence"]),
        );
        manager.exec_stmt(delete).await?;
        for table in [
            Installation::Table.into_iden(),
            RestitutionEvidence::Table.into_iden(),
            RestitutionTransitions::Table.into_iden(),
            Restitutions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
