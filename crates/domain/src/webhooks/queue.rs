//! The worker's side of the outbox: claiming due deliveries (a lease, taken with `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL, so several processes never send one delivery at once), recording
//! each attempt, retrying with exponential backoff and jitter, and disabling a subscription that
//! has failed for three days.
//!
//! Order: a subscription's changes go out in feed order. A change is claimed only when no
//! earlier change of its subscription is still pending, so a failing receiver holds back what
//! follows until it accepts or the earlier delivery fails for good.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{ActiveValue::Set, DbBackend, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{DeliveryKind, DeliveryStatus, attempt, delivery, webhook};
use super::events;
use super::subscription::{audience_of, signing_secrets};
use crate::DomainError;
use crate::audit::{self, AuditContext};
use crate::db;
use crate::identity::client;

/// Attempts of a change before it is marked failed: with the default 10-second base, the
/// retries span about 23 hours (10 s doubling 13 times), jitter aside.
pub const MAX_ATTEMPTS: i32 = 14;

/// How long a subscription may fail before the server disables it.
pub fn disable_after() -> Duration {
    Duration::hours(72)
}

/// The wait before the next attempt, after `attempts_made` failed ones: `base` doubling each
/// time, scaled by 0.75 to 1.25 (`jitter` from 0 to 1) so receivers recovering from an outage
/// are not hit by every sender at once. None when the delivery has had its last attempt.
pub fn retry_delay(attempts_made: i32, base: StdDuration, jitter: f64) -> Option<StdDuration> {
    if !(1..MAX_ATTEMPTS).contains(&attempts_made) {
        return None;
    }
    let doubling = 2_u32.pow(u32::try_from(attempts_made - 1).unwrap_or(0));
    Some(
        base.saturating_mul(doubling)
            .mul_f64(0.75 + 0.5 * jitter.clamp(0.0, 1.0)),
    )
}

/// When the deliveries of a paused or disabled subscription are due: never, until it resumes
/// (which sets them due at once), so workers do not walk past them at every poll.
pub fn parked() -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(2100, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default(),
        Utc,
    )
}

/// Sets every pending delivery of a subscription due at `next`.
pub async fn reschedule(
    db: &impl sea_orm::ConnectionTrait,
    webhook_id: Uuid,
    next: DateTime<Utc>,
) -> Result<(), DomainError> {
    delivery::Entity::update_many()
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
        .filter(delivery::Column::WebhookId.eq(webhook_id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(delivery::Column::Kind.eq(DeliveryKind::Change))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether a subscription failing since `since` is disabled at `now`.
pub fn disabled_by_failures(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - since >= disable_after()
}

/// A delivery a worker holds, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The delivery.
    pub delivery: delivery::Model,
    /// Where to send it.
    pub url: String,
    /// The secrets that sign it now (the current one first).
    pub secrets: Vec<String>,
}

/// Only a due, unleased delivery of an active subscription (any subscription for a ping), not
/// held back by an earlier pending change of the same subscription.
const CLAIMABLE: &str = "EXISTS (SELECT 1 FROM webhooks w \
     WHERE w.id = webhook_deliveries.webhook_id \
     AND (w.active = TRUE OR webhook_deliveries.kind = 'ping')) \
     AND (webhook_deliveries.kind = 'ping' OR NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
     WHERE e.webhook_id = webhook_deliveries.webhook_id AND e.kind = 'change' \
     AND e.status = 'pending' AND e.seq < webhook_deliveries.seq))";

/// Whether a claimed delivery may still be sent: its client is active and, for a change, still
/// reads it, and the subscription still asks for it (a client rebound to another association,
/// or stripped of a scope, is not sent what it was queued before). Otherwise, why not.
pub fn still_wanted(
    delivery: &delivery::Model,
    webhook: &webhook::Model,
    client: Option<&client::Model>,
) -> Result<(), String> {
    let Some(client) = client.filter(|c| c.active) else {
        return Err("not sent: the API client was revoked".into());
    };
    if delivery.kind == DeliveryKind::Ping {
        return Ok(());
    }
    let (Some(resource), Some(op)) = (delivery.resource_type, delivery.op) else {
        return Err("not sent: the change it announces is not recorded".into());
    };
    let audience = audience_of(client)
        .map_err(|_| "not sent: the API client's scopes cannot be read".to_owned())?;
    if events::wants(
        &events::stored(&webhook.event_types),
        &audience,
        resource,
        op,
        delivery.association_id,
    ) {
        Ok(())
    } else {
        Err(
            "not sent: the subscription no longer asks for it, or its client may no longer read it"
                .into(),
        )
    }
}

/// What a claim took: deliveries to send, and how many it marked failed instead (their
/// successors may be due now).
#[derive(Debug, Default)]
pub struct Claim {
    /// To send.
    pub claimed: Vec<Claimed>,
    /// Marked failed: no longer wanted ([`still_wanted`]).
    pub dropped: usize,
}

/// Claims up to `limit` due deliveries for `worker`, for `lease` from the moment they are
/// claimed. Deliveries no longer wanted ([`still_wanted`]) are marked failed instead.
pub async fn claim(
    conn: &DatabaseConnection,
    worker: Uuid,
    lease: StdDuration,
    limit: u64,
) -> Result<Claim, DomainError> {
    let now = Utc::now();
    let due = |select: sea_orm::Select<delivery::Entity>| {
        select
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .filter(
                sea_orm::Condition::any()
                    .add(delivery::Column::LeaseUntil.is_null())
                    .add(delivery::Column::LeaseUntil.lt(now)),
            )
            .filter(Expr::cust(CLAIMABLE))
    };
    // A cheap look first: an idle worker opens no write transaction.
    if due(delivery::Entity::find()).one(conn).await?.is_none() {
        return Ok(Claim::default());
    }
    let tx = db::begin_queue(conn).await?;
    let mut select = due(delivery::Entity::find())
        .order_by_asc(delivery::Column::NextAttemptAt)
        .order_by_asc(delivery::Column::Seq)
        .limit(limit);
    if conn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let found = select.all(&tx).await?;
    if found.is_empty() {
        tx.rollback().await?;
        return Ok(Claim::default());
    }
    let webhook_ids: Vec<Uuid> = found.iter().map(|d| d.webhook_id).collect();
    let webhooks = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(webhook_ids))
        .all(&tx)
        .await?;
    let client_ids: Vec<Uuid> = webhooks.iter().map(|w| w.client_id).collect();
    let clients = client::Entity::find()
        .filter(client::Column::Id.is_in(client_ids))
        .all(&tx)
        .await?;
    // The lease runs from now, after any wait for the transaction or the rows.
    let now = Utc::now();
    let until = now + Duration::from_std(lease).unwrap_or_else(|_| Duration::seconds(60));
    let mut claimed = Vec::new();
    let mut dropped = 0;
    for delivery in found {
        let Some(webhook) = webhooks.iter().find(|w| w.id == delivery.webhook_id) else {
            continue;
        };
        let client = clients.iter().find(|c| c.id == webhook.client_id);
        match still_wanted(&delivery, webhook, client) {
            Ok(()) => claimed.push(Claimed {
                url: webhook.url.clone(),
                secrets: signing_secrets(webhook, now)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                delivery,
            }),
            Err(why) => {
                let mut row: delivery::ActiveModel = delivery.clone().into();
                row.status = Set(DeliveryStatus::Failed);
                row.last_error = Set(Some(why));
                row.version = Set(delivery.version + 1);
                row.updated_at = Set(now);
                row.update(&tx).await?;
                dropped += 1;
            }
        }
    }
    if !claimed.is_empty() {
        let ids: Vec<Uuid> = claimed.iter().map(|c| c.delivery.id).collect();
        delivery::Entity::update_many()
            .col_expr(delivery::Column::LeaseUntil, Expr::value(until))
            .col_expr(delivery::Column::LeaseOwner, Expr::value(worker))
            .filter(delivery::Column::Id.is_in(ids))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Claim { claimed, dropped })
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// How long it took.
    pub duration: StdDuration,
    /// The receiver's status code, if it answered.
    pub status_code: Option<u16>,
    /// Why it failed without an answer (timeout, refused address, connection error).
    pub error: Option<String>,
}

impl Outcome {
    /// Whether the receiver accepted the delivery (a 2xx).
    pub fn accepted(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|s| (200..300).contains(&s))
    }

    fn describe(&self) -> String {
        match (&self.error, self.status_code) {
            (Some(error), _) => error.clone(),
            (None, Some(code)) => format!("the receiver answered {code}"),
            (None, None) => "no answer".into(),
        }
    }
}

/// Records an attempt at a delivery `worker` holds, and decides what follows: delivered,
/// retried after [`retry_delay`] (a new round starts at each redelivery), or failed; the
/// subscription's health with it. Returns false
/// when the worker no longer held the delivery (its lease ran out and another took it).
pub async fn complete(
    conn: &DatabaseConnection,
    worker: Uuid,
    delivery_id: Uuid,
    sent_to: &str,
    outcome: &Outcome,
    retry_base: StdDuration,
    jitter: f64,
) -> Result<bool, DomainError> {
    let tx = db::begin_queue(conn).await?;
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    let Some(peek) = delivery::Entity::find_by_id(delivery_id).one(&tx).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    // Locks in the API's order, the subscription and then its deliveries (as a delete and its
    // cascade do), so the two never deadlock and an owner's change is never written over.
    // `FOR NO KEY UPDATE`: it still waits for the API's updates and deletes of the row, but
    // not for writers inserting deliveries that refer to it.
    let mut webhook_select = webhook::Entity::find_by_id(peek.webhook_id);
    if postgres {
        webhook_select = webhook_select.lock(LockType::NoKeyUpdate);
    }
    let Some(webhook) = webhook_select.one(&tx).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    let mut select = delivery::Entity::find_by_id(delivery_id)
        .filter(delivery::Column::LeaseOwner.eq(worker))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending));
    if postgres {
        select = select.lock_exclusive();
    }
    let Some(current) = select.one(&tx).await? else {
        tx.rollback().await?;
        return Ok(false);
    };
    let now = Utc::now();
    let error = outcome
        .error
        .as_ref()
        .map(|e| e.chars().take(500).collect::<String>());
    attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(current.id),
        attempted_at: Set(outcome.attempted_at),
        duration_ms: Set(i32::try_from(outcome.duration.as_millis()).unwrap_or(i32::MAX)),
        status_code: Set(outcome.status_code.map(i32::from)),
        error: Set(error.clone()),
    }
    .insert(&tx)
    .await?;
    let attempts = current.attempts + 1;
    let mut row: delivery::ActiveModel = current.clone().into();
    row.attempts = Set(attempts);
    row.last_status_code = Set(outcome.status_code.map(i32::from));
    row.last_error = Set(if outcome.accepted() {
        None
    } else {
        Some(outcome.describe().chars().take(500).collect())
    });
    row.lease_until = Set(None);
    row.lease_owner = Set(None);
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    // The owner pointed the subscription elsewhere while this attempt was under way: its
    // failure says nothing of the new receiver, which is tried at once.
    let moved = webhook.url != sent_to;
    if outcome.accepted() {
        row.status = Set(DeliveryStatus::Delivered);
        row.delivered_at = Set(Some(now));
    } else {
        match (current.kind, retry_delay(attempts, retry_base, jitter)) {
            (DeliveryKind::Change, Some(_)) if !webhook.active => {
                row.next_attempt_at = Set(parked())
            }
            (DeliveryKind::Change, Some(_)) if moved => row.next_attempt_at = Set(now),
            (DeliveryKind::Change, Some(delay)) => {
                row.next_attempt_at =
                    Set(now + Duration::from_std(delay).unwrap_or_else(|_| Duration::hours(1)));
            }
            _ => row.status = Set(DeliveryStatus::Failed),
        }
    }
    row.update(&tx).await?;
    if current.kind == DeliveryKind::Change && !moved {
        record_health(&tx, webhook, outcome, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Keeps a subscription's health: a success clears `failing_since`; a failure sets it, and
/// after three days of failures disables the subscription, saying why.
async fn record_health(
    tx: &db::Tx,
    webhook: webhook::Model,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let webhook_id = webhook.id;
    let mut row: webhook::ActiveModel = webhook.clone().into();
    if outcome.accepted() {
        if webhook.failing_since.is_none() {
            return Ok(());
        }
        row.failing_since = Set(None);
    } else {
        let since = webhook.failing_since.unwrap_or(now);
        row.failing_since = Set(Some(since));
        if webhook.active && disabled_by_failures(since, now) {
            row.active = Set(false);
            row.disabled_at = Set(Some(now));
            row.disabled_reason = Set(Some(format!(
                "disabled by the server: every delivery has failed since {} (last: {}); fix the \
                 receiver, then set `active` to true to resume from the first undelivered change",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                outcome.describe().chars().take(200).collect::<String>()
            )));
            audit::record(
                tx,
                &AuditContext::system(),
                "webhook.disabled",
                Some(("webhook", webhook_id.to_string())),
            )
            .await?;
            reschedule(tx, webhook_id, parked()).await?;
        } else if webhook.failing_since.is_some() {
            return Ok(());
        }
    }
    row.version = Set(webhook.version + 1);
    row.updated_at = Set(now);
    row.update(tx).await?;
    Ok(())
}

/// How long finished deliveries (delivered or failed) stay in the log.
pub fn kept_for() -> Duration {
    Duration::days(30)
}

/// Deletes the finished deliveries last changed before `before`, with their attempts; pending
/// ones stay whatever their age. Returns how many went.
pub async fn prune(
    db: &impl sea_orm::ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let pruned = delivery::Entity::delete_many()
        .filter(delivery::Column::Status.ne(DeliveryStatus::Pending))
        .filter(delivery::Column::UpdatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(pruned.rows_affected)
}

/// Gives back every delivery `worker` holds and has not finished (at shutdown), so another
/// worker, or this one after a restart, sends it without waiting for the lease to run out.
pub async fn release(conn: &DatabaseConnection, worker: Uuid) -> Result<u64, DomainError> {
    let released = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            delivery::Column::LeaseOwner,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(delivery::Column::LeaseOwner.eq(worker))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .exec(conn)
        .await?;
    Ok(released.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_with_jitter_over_about_a_day_then_stop() {
        let base = StdDuration::from_secs(10);
        assert_eq!(retry_delay(1, base, 0.5), Some(StdDuration::from_secs(10)));
        assert_eq!(retry_delay(2, base, 0.5), Some(StdDuration::from_secs(20)));
        assert_eq!(
            retry_delay(3, base, 0.0),
            Some(StdDuration::from_secs_f64(30.0))
        );
        assert_eq!(
            retry_delay(3, base, 1.0),
            Some(StdDuration::from_secs_f64(50.0))
        );
        assert_eq!(retry_delay(0, base, 0.5), None);
        assert_eq!(retry_delay(MAX_ATTEMPTS, base, 0.5), None);
        let total: StdDuration = (1..MAX_ATTEMPTS)
            .filter_map(|n| retry_delay(n, base, 0.5))
            .sum();
        let hours = total.as_secs_f64() / 3600.0;
        assert!((20.0..=26.0).contains(&hours), "{hours} hours");
        let shortest: StdDuration = (1..MAX_ATTEMPTS)
            .filter_map(|n| retry_delay(n, base, 0.0))
            .sum();
        assert!(shortest.as_secs_f64() / 3600.0 > 16.0);
    }

    #[test]
    fn a_subscription_is_disabled_after_three_days_of_failures() {
        let now = Utc::now();
        assert!(!disabled_by_failures(now - Duration::hours(71), now));
        assert!(disabled_by_failures(now - Duration::hours(72), now));
    }

    #[test]
    fn only_a_2xx_answer_delivers() {
        let outcome = |status_code, error: Option<&str>| Outcome {
            attempted_at: Utc::now(),
            duration: StdDuration::from_millis(5),
            status_code,
            error: error.map(str::to_owned),
        };
        assert!(outcome(Some(204), None).accepted());
        assert!(!outcome(Some(301), None).accepted());
        assert!(!outcome(Some(500), None).accepted());
        assert!(!outcome(None, Some("timed out")).accepted());
        assert_eq!(
            outcome(Some(503), None).describe(),
            "the receiver answered 503"
        );
    }
}
