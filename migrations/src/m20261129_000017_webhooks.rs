//! Webhooks: subscriptions of API clients (`webhooks`), the transactional outbox of what to send
//! them (`webhook_deliveries`, written in the transaction of the change), and each attempt at
//! sending (`webhook_attempts`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    ClientId,
    Url,
    EventTypes,
    Description,
    Active,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    FailingSince,
    DisabledAt,
    DisabledReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    Kind,
    Seq,
    ResourceType,
    Op,
    AssociationId,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LeaseOwner,
    LastStatusCode,
    LastError,
    DeliveredAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    DurationMs,
    StatusCode,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(pk_uuid(Webhooks::Id))
                    .col(uuid(Webhooks::ClientId))
                    .col(string_len(Webhooks::Url, 2000))
                    // Space-separated `type.op` patterns, or `*`.
                    .col(string_len(Webhooks::EventTypes, 4000))
                    .col(string_len_null(Webhooks::Description, 500))
                    .col(boolean(Webhooks::Active))
                    // Kept as given (`whsec_...`): signing needs the key itself, not a hash.
                    .col(string_len(Webhooks::Secret, 100))
                    .col(string_len_null(Webhooks::PreviousSecret, 100))
                    .col(timestamp_with_time_zone_null(
                        Webhooks::PreviousSecretExpiresAt,
                    ))
                    .col(timestamp_with_time_zone_null(Webhooks::FailingSince))
                    .col(timestamp_with_time_zone_null(Webhooks::DisabledAt))
                    .col(string_len_null(Webhooks::DisabledReason, 500))
                    .col(integer(Webhooks::Version))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone(Webhooks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhooks_client")
                            .from(Webhooks::Table, Webhooks::ClientId)
                            .to(ApiClients::Table, ApiClients::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhooks_client")
                    .table(Webhooks::Table)
                    .col(Webhooks::ClientId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::WebhookId))
                    // `change` or `ping`.
                    .col(string_len(WebhookDeliveries::Kind, 10))
                    // The change's position in the feed: deliveries of a subscription go out in
                    // this order. None for a ping.
                    .col(big_integer_null(WebhookDeliveries::Seq))
                    // What the change was about, checked again before sending: a client that
                    // may no longer read it, or a subscription that no longer asks for it, is
                    // not sent it.
                    .col(string_len_null(WebhookDeliveries::ResourceType, 40))
                    .col(string_len_null(WebhookDeliveries::Op, 10))
                    .col(uuid_null(WebhookDeliveries::AssociationId))
                    // The exact body sent, so every attempt signs the same bytes.
                    .col(text(WebhookDeliveries::Payload))
                    // `pending`, `delivered` or `failed`.
                    .col(string_len(WebhookDeliveries::Status, 10))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                    // A worker sending it holds it until then (a crashed worker's lease expires).
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::LeaseUntil))
                    .col(uuid_null(WebhookDeliveries::LeaseOwner))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(string_len_null(WebhookDeliveries::LastError, 500))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::DeliveredAt,
                    ))
                    .col(integer(WebhookDeliveries::Version))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_queue")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::WebhookId)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(pk_uuid(WebhookAttempts::Id))
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(timestamp_with_time_zone(WebhookAttempts::AttemptedAt))
                    .col(integer(WebhookAttempts::DurationMs))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(string_len_null(WebhookAttempts::Error, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_attempts_delivery")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
