//! Identity and access: refresh-token families, partner API clients, login throttling and the
//! audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    Name,
    ClientId,
    SecretHash,
    Scopes,
    AssociationId,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Failures,
    LastFailureAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OccurredAt,
    ActorType,
    ActorId,
    Action,
    TargetType,
    TargetId,
    RequestId,
    SourceAddress,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::UserId))
                    .col(uuid(RefreshTokens::FamilyId))
                    // SHA-256 of the opaque token, hex: the token itself is never stored.
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::IssuedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_user")
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_refresh_tokens_family", RefreshTokens::FamilyId),
            ("idx_refresh_tokens_user", RefreshTokens::UserId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RefreshTokens::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ApiClients::Table)
                    .col(pk_uuid(ApiClients::Id))
                    .col(string_len(ApiClients::Name, 200))
                    .col(string_len_uniq(ApiClients::ClientId, 64))
                    .col(string_len(ApiClients::SecretHash, 64))
                    // Space-separated scope names.
                    .col(string_len(ApiClients::Scopes, 1000))
                    .col(uuid_null(ApiClients::AssociationId))
                    .col(boolean(ApiClients::Active).default(true))
                    .col(integer(ApiClients::Version).default(1))
                    .col(timestamp_with_time_zone(ApiClients::CreatedAt))
                    .col(timestamp_with_time_zone(ApiClients::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginThrottles::Table)
                    // `account:<email>` or `address:<ip>`.
                    .col(string_len(LoginThrottles::Key, 300).primary_key())
                    .col(integer(LoginThrottles::Failures))
                    .col(timestamp_with_time_zone(LoginThrottles::LastFailureAt))
                    .col(timestamp_with_time_zone_null(LoginThrottles::LockedUntil))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::OccurredAt))
                    .col(string_len(AuditLog::ActorType, 20))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 60))
                    .col(string_len_null(AuditLog::TargetType, 40))
                    .col(string_len_null(AuditLog::TargetId, 100))
                    .col(string_len_null(AuditLog::RequestId, 128))
                    .col(string_len_null(AuditLog::SourceAddress, 64))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_audit_log_actor", vec![AuditLog::ActorId, AuditLog::Id]),
            ("idx_audit_log_action", vec![AuditLog::Action, AuditLog::Id]),
            (
                "idx_audit_log_target",
                vec![AuditLog::TargetType, AuditLog::TargetId, AuditLog::Id],
            ),
            (
                "idx_audit_log_time",
                vec![AuditLog::OccurredAt, AuditLog::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditLog::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            LoginThrottles::Table.into_iden(),
            ApiClients::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
