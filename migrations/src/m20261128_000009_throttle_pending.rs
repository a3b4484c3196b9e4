//! Login attempts in flight: each throttle row counts the attempts whose password is being
//! checked (`pending`, since `pending_since`), so that parallel attempts are limited without
//! counting a correct one as a failure in advance, and a success never removes the row another
//! attempt holds.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Pending,
    PendingSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .add_column(integer(LoginThrottles::Pending).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .add_column(timestamp_with_time_zone_null(LoginThrottles::PendingSince))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [LoginThrottles::PendingSince, LoginThrottles::Pending] {
            manager
                .alter_table(
                    Table::alter()
                        .table(LoginThrottles::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
