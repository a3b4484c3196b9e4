//! Scopes no operation used (`training:read`, `restitutions:read`, `restitutions:write`,
//! `indicators:read`, `publications:read`) are retired; API clients that held them keep their
//! other scopes. The areas that need them will bring them back with their operations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const RETIRED: [&str; 5] = [
    "training:read",
    "restitutions:read",
    "restitutions:write",
    "indicators:read",
    "publications:read",
];

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    Scopes,
}

#[derive(Debug, FromQueryResult)]
struct Client {
    id: Uuid,
    scopes: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let clients = Client::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, scopes FROM api_clients",
        ))
        .all(db)
        .await?;
        for client in clients {
            let kept: Vec<&str> = client
                .scopes
                .split_whitespace()
                .filter(|s| !RETIRED.contains(s))
                .collect();
            if kept.join(" ") != client.scopes {
                manager
                    .exec_stmt(
                        Query::update()
                            .table(ApiClients::Table)
                            .value(ApiClients::Scopes, kept.join(" "))
                            .and_where(Expr::col(ApiClients::Id).eq(client.id))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Which client held a retired scope is not kept; nothing to restore.
        Ok(())
    }
}
