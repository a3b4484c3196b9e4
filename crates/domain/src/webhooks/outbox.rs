//! The outbox: deliveries written in the transaction of the change they announce (so a crash
//! between the commit and the sending loses nothing), pings, redeliveries, and the delivery log
//! a subscription's owner reads.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use serde::Serialize;

use super::entity::{DeliveryKind, DeliveryStatus, PingType, attempt, delivery, webhook};
use super::events::{self, Audience, Pattern};
use super::subscription::{self, Manager};
use crate::audit::{self, AuditContext};
use crate::changes::{self, ChangeView};
use crate::db::Tx;
use crate::identity::{client, scope};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::{DomainError, Refusal};

/// A subscription of an active client, ready to be matched against changes. Paused and
/// disabled subscriptions are fed too: their deliveries wait, in order, until they resume.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The subscription.
    pub webhook_id: Uuid,
    /// Whether it is active (a paused one's deliveries wait: [`super::queue::parked`]).
    pub active: bool,
    /// What it asked for.
    pub patterns: Vec<Pattern>,
    /// What its client may read.
    pub audience: Audience,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct SubscriberRow {
    id: Uuid,
    active: bool,
    event_types: String,
    scopes: String,
    association_id: Option<Uuid>,
}

/// The subscriptions of active clients (one query).
pub async fn subscribers(db: &impl ConnectionTrait) -> Result<Vec<Subscriber>, DomainError> {
    let rows: Vec<SubscriberRow> = webhook::Entity::find()
        .select_only()
        .column(webhook::Column::Id)
        .column(webhook::Column::Active)
        .column(webhook::Column::EventTypes)
        .column(client::Column::Scopes)
        .column(client::Column::AssociationId)
        .join(JoinType::InnerJoin, webhook::Relation::Client.def())
        .filter(client::Column::Active.eq(true))
        .into_model()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match scope::stored(&row.scopes) {
            Ok(scopes) => Some(Subscriber {
                webhook_id: row.id,
                active: row.active,
                patterns: events::stored(&row.event_types),
                audience: Audience {
                    scopes,
                    bound_to: row.association_id,
                },
            }),
            // One client's unreadable scopes must not stop every write: it is told nothing.
            Err(error) => {
                log::error!("webhook {} is not fed: {error}", row.id);
                None
            }
        })
        .collect())
}

fn queued(
    webhook_id: Uuid,
    change: Option<&changes::Model>,
    payload: String,
) -> delivery::ActiveModel {
    let now = Utc::now();
    delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        webhook_id: Set(webhook_id),
        kind: Set(if change.is_some() {
            DeliveryKind::Change
        } else {
            DeliveryKind::Ping
        }),
        seq: Set(change.map(|c| c.seq)),
        resource_type: Set(change.map(|c| c.resource_type)),
        op: Set(change.map(|c| c.op)),
        association_id: Set(change.and_then(|c| c.association_id)),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        lease_owner: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        delivered_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Queues a delivery of each recorded change to every subscriber that wants it and may know
/// of it; call it in the change's transaction, after the change rows.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    subscribers: &[Subscriber],
    recorded: &[changes::Model],
) -> Result<(), DomainError> {
    let mut rows = Vec::new();
    for change in recorded {
        let payload = serde_json::to_string(&ChangeView::from(change))
            .map_err(|e| DomainError::Internal(format!("change payload: {e}")))?;
        for subscriber in subscribers {
            if events::wants(
                &subscriber.patterns,
                &subscriber.audience,
                change.resource_type,
                change.op,
                change.association_id,
            ) {
                let mut row = queued(subscriber.webhook_id, Some(change), payload.clone());
                if !subscriber.active {
                    row.next_attempt_at = Set(super::queue::parked());
                }
                rows.push(row);
            }
        }
    }
    for chunk in rows.chunks(500) {
        delivery::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The body of a ping.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "ping", "webhook_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "sent_at": "2026-11-29T10:00:00Z"}))]
pub struct PingPayload {
    /// Always `ping`.
    #[serde(rename = "type")]
    pub kind: PingType,
    /// The subscription pinged.
    pub webhook_id: Uuid,
    /// When the ping was asked for.
    pub sent_at: chrono::DateTime<Utc>,
}

/// Queues a ping: one attempt, at once, outside the order of changes (and sent even while the
/// subscription is paused, to test a receiver before resuming).
pub async fn ping(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    webhook_id: Uuid,
) -> Result<delivery::Model, DomainError> {
    let webhook = subscription::get(tx, manager, webhook_id).await?;
    let payload = serde_json::to_string(&PingPayload {
        kind: PingType::Ping,
        webhook_id: webhook.id,
        sent_at: Utc::now(),
    })
    .map_err(|e| DomainError::Internal(format!("ping payload: {e}")))?;
    let queued = queued(webhook.id, None, payload).insert(tx).await?;
    audit::record(
        tx,
        context,
        "webhook.pinged",
        Some(("webhook", webhook.id.to_string())),
    )
    .await?;
    Ok(queued)
}

/// Sends a delivered or failed delivery again, now, with the same message id (so a receiver
/// that has it already can tell), with a new round of attempts. A pending one is refused (409
/// `delivery_pending`).
pub async fn redeliver(
    tx: &Tx,
    context: &AuditContext,
    manager: Manager,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<Logged, DomainError> {
    subscription::get(tx, manager, webhook_id).await?;
    let found = one(tx, webhook_id, delivery_id).await?;
    let now = Utc::now();
    // Decided in one statement: of two redeliveries at once, one wins.
    let reset = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Status,
            Expr::value(DeliveryStatus::Pending),
        )
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            delivery::Column::LeaseOwner,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            delivery::Column::DeliveredAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            delivery::Column::Version,
            Expr::col(delivery::Column::Version).add(1),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(found.id))
        .filter(delivery::Column::Status.ne(DeliveryStatus::Pending))
        .exec(tx)
        .await?;
    if reset.rows_affected == 0 {
        return Err(DomainError::Refused(Refusal::conflict(
            "delivery_pending",
            "Delivery still pending",
            "the delivery is still waiting to be sent: it will be retried without being asked",
        )));
    }
    audit::record(
        tx,
        context,
        "webhook.delivery_redelivered",
        Some(("webhook_delivery", delivery_id.to_string())),
    )
    .await?;
    logged(tx, webhook_id, delivery_id).await
}

async fn one(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<delivery::Model, DomainError> {
    delivery::Entity::find_by_id(delivery_id)
        .filter(delivery::Column::WebhookId.eq(webhook_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("webhook delivery"))
}

/// A delivery with its attempts, oldest attempt first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The delivery.
    pub delivery: delivery::Model,
    /// Its attempts.
    pub attempts: Vec<attempt::Model>,
}

async fn with_attempts(
    db: &impl ConnectionTrait,
    deliveries: Vec<delivery::Model>,
) -> Result<Vec<Logged>, DomainError> {
    let ids: Vec<Uuid> = deliveries.iter().map(|d| d.id).collect();
    let mut by_delivery: HashMap<Uuid, Vec<attempt::Model>> = HashMap::new();
    if !ids.is_empty() {
        for attempt in attempt::Entity::find()
            .filter(attempt::Column::DeliveryId.is_in(ids))
            .order_by_asc(attempt::Column::AttemptedAt)
            .order_by_asc(attempt::Column::Id)
            .all(db)
            .await?
        {
            by_delivery
                .entry(attempt.delivery_id)
                .or_default()
                .push(attempt);
        }
    }
    Ok(deliveries
        .into_iter()
        .map(|delivery| Logged {
            attempts: by_delivery.remove(&delivery.id).unwrap_or_default(),
            delivery,
        })
        .collect())
}

/// One delivery of a subscription, with its attempts (its owner already checked).
async fn logged(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<Logged, DomainError> {
    let found = one(db, webhook_id, delivery_id).await?;
    with_attempts(db, vec![found])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("webhook delivery"))
}

/// A subscription's deliveries, newest first, optionally of one status.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    manager: Manager,
    webhook_id: Uuid,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<Logged>, DomainError> {
    subscription::get(db, manager, webhook_id).await?;
    let mut select = delivery::Entity::find().filter(delivery::Column::WebhookId.eq(webhook_id));
    if let Some(status) = status {
        select = select.filter(delivery::Column::Status.eq(status));
    }
    let found = paging::by_unique_key(db, select, delivery::Column::Id, Order::Desc, page, |d| {
        KeyValue::Uuid(d.id)
    })
    .await?;
    Ok(Page {
        items: with_attempts(db, found.items).await?,
        next_cursor: found.next_cursor,
        total: found.total,
    })
}

/// One delivery of a subscription, with its attempts.
pub async fn delivery(
    db: &impl ConnectionTrait,
    manager: Manager,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<Logged, DomainError> {
    subscription::get(db, manager, webhook_id).await?;
    logged(db, webhook_id, delivery_id).await
}
