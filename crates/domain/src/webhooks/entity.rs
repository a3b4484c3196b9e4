//! The stored rows of webhooks: subscriptions, their deliveries (the outbox) and the attempts
//! at each delivery.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a delivery carries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookDeliveryKind)]
pub enum DeliveryKind {
    /// One change of the change feed (sent in feed order, retried until delivered or failed).
    Change,
    /// A test message asked for with `ping` (sent once, out of order).
    Ping,
}

/// The `type` of a ping's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookPingType)]
pub enum PingType {
    /// A ping.
    Ping,
}

/// Where a delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookDeliveryStatus)]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or for its next retry.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed (about 24 hours of retries), or a ping failed.
    Failed,
}

/// A subscription.
pub mod webhook {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    /// A subscription as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhooks")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The API client it belongs to (and whose rights filter what it is told).
        pub client_id: Uuid,
        /// Where deliveries are posted.
        pub url: String,
        /// Space-separated `type.op` patterns, or `*`.
        pub event_types: String,
        /// What it is for.
        pub description: Option<String>,
        /// Whether changes are delivered.
        pub active: bool,
        /// The signing secret (`whsec_` and base64).
        pub secret: String,
        /// The secret before the last rotation, still signing until `previous_secret_expires_at`.
        pub previous_secret: Option<String>,
        /// End of the rotation's grace period.
        pub previous_secret_expires_at: Option<DateTime<Utc>>,
        /// Since when every attempt has failed (none while deliveries succeed).
        pub failing_since: Option<DateTime<Utc>>,
        /// When the server disabled it for failing too long.
        pub disabled_at: Option<DateTime<Utc>>,
        /// Why the server disabled it.
        pub disabled_reason: Option<String>,
        /// +1 on every change.
        pub version: i32,
        /// When it was created.
        pub created_at: DateTime<Utc>,
        /// When it last changed.
        pub updated_at: DateTime<Utc>,
    }

    /// Its owner.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The API client it belongs to.
        #[sea_orm(
            belongs_to = "crate::identity::client::Entity",
            from = "Column::ClientId",
            to = "crate::identity::client::Column::Id"
        )]
        Client,
    }

    impl Related<crate::identity::client::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Client.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A message to send: one per change and subscription, written with the change.
pub mod delivery {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::{DeliveryKind, DeliveryStatus};
    use crate::changes::{Op, ResourceType};

    /// A delivery as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        /// UUID v7; also the message id (`webhook-id`), the same on every attempt.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The subscription.
        pub webhook_id: Uuid,
        /// A change or a ping.
        pub kind: DeliveryKind,
        /// The change's position in the feed (none for a ping).
        pub seq: Option<i64>,
        /// The changed resource's type (none for a ping).
        pub resource_type: Option<ResourceType>,
        /// What happened to it (none for a ping).
        pub op: Option<Op>,
        /// The association it belongs to (none for programme-wide ones and pings).
        pub association_id: Option<Uuid>,
        /// The body, exactly as sent.
        #[sea_orm(column_type = "Text")]
        pub payload: String,
        /// Where it stands.
        pub status: DeliveryStatus,
        /// Attempts made.
        pub attempts: i32,
        /// When the next attempt is due (while pending).
        pub next_attempt_at: DateTime<Utc>,
        /// A worker sending it holds it until then.
        pub lease_until: Option<DateTime<Utc>>,
        /// The worker holding it.
        pub lease_owner: Option<Uuid>,
        /// The receiver's status code at the last attempt.
        pub last_status_code: Option<i32>,
        /// Why the last attempt failed.
        pub last_error: Option<String>,
        /// When the receiver accepted it.
        pub delivered_at: Option<DateTime<Utc>>,
        /// +1 on every change.
        pub version: i32,
        /// When it was queued.
        pub created_at: DateTime<Utc>,
        /// When it last changed.
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One try at sending a delivery.
pub mod attempt {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    /// An attempt as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_attempts")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The delivery.
        pub delivery_id: Uuid,
        /// When it started.
        pub attempted_at: DateTime<Utc>,
        /// How long it took, in milliseconds.
        pub duration_ms: i32,
        /// The receiver's status code, if it answered.
        pub status_code: Option<i32>,
        /// Why it failed, if it did.
        pub error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
