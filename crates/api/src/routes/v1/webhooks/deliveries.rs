//! What a subscription was sent and how it went: the delivery log, redelivery, and pings.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::changes::ChangeView;
use empower_domain::db;
use empower_domain::webhooks::entity::attempt;
use empower_domain::webhooks::outbox::{self, Logged, PingPayload};
use empower_domain::webhooks::{DeliveryKind, DeliveryStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::manager;
use crate::auth::Caller;
use crate::extract::{ListQuery, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response};
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers the delivery operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhook_deliveries)
        .service(get_webhook_delivery)
        .service(redeliver_webhook_delivery)
        .service(ping_webhook);
}

/// What a delivery carries: one change-feed item, or a ping.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DeliveryPayload {
    /// A change (no field values: fetch the resource to see it).
    Change(ChangeView),
    /// A ping.
    Ping(PingPayload),
}

/// One attempt at sending.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"attempted_at": "2026-11-29T10:00:00Z", "duration_ms": 84, "status_code": 503}))]
pub struct WebhookAttemptView {
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
    /// The receiver's status code, if it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub status_code: Option<i32>,
    /// Why it failed without an answer (a timeout, a refused address, a connection error).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
}

impl From<attempt::Model> for WebhookAttemptView {
    fn from(a: attempt::Model) -> Self {
        Self {
            attempted_at: a.attempted_at,
            duration_ms: a.duration_ms,
            status_code: a.status_code,
            error: a.error,
        }
    }
}

/// A delivery: one message to a subscription, with every attempt at it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d91", "webhook_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "kind": "change", "seq": 42,
    "payload": {"seq": 42, "type": "association", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
        "op": "upsert", "version": 3, "changed_at": "2026-11-29T10:00:00Z"},
    "status": "pending", "attempt_count": 1, "next_attempt_at": "2026-11-29T10:00:10Z",
    "last_status_code": 503, "last_error": "the receiver answered 503",
    "attempts": [{"attempted_at": "2026-11-29T10:00:00Z", "duration_ms": 84, "status_code": 503}],
    "version": 2, "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"
}))]
pub struct WebhookDeliveryView {
    /// Id (UUID v7); sent as `webhook-id`, the same on every attempt, so receivers can drop a
    /// message they already have.
    pub id: Uuid,
    /// The subscription.
    pub webhook_id: Uuid,
    /// A change or a ping.
    pub kind: DeliveryKind,
    /// The change's position in the feed (changes go out in this order); absent for a ping.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub seq: Option<i64>,
    /// The body sent.
    pub payload: DeliveryPayload,
    /// `pending` (waiting for an attempt), `delivered` (a 2xx) or `failed` (retries exhausted,
    /// or a ping's one attempt failed).
    pub status: DeliveryStatus,
    /// Attempts made, in every round (a redelivery starts a new round of up to 14).
    pub attempt_count: i32,
    /// When the next attempt is due (pending only; absent while the subscription is paused or
    /// disabled). Later ones of the same subscription wait for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub last_error: Option<String>,
    /// When the receiver accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttemptView>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Logged> for WebhookDeliveryView {
    type Error = ApiError;

    fn try_from(logged: Logged) -> Result<Self, ApiError> {
        let d = logged.delivery;
        let payload = serde_json::from_str(&d.payload)
            .map_err(|e| ApiError::Internal(format!("stored webhook payload: {e}")))?;
        Ok(Self {
            id: d.id,
            webhook_id: d.webhook_id,
            kind: d.kind,
            seq: d.seq,
            payload,
            status: d.status,
            attempt_count: i32::try_from(logged.attempts.len()).unwrap_or(i32::MAX),
            next_attempt_at: (d.status == DeliveryStatus::Pending
                && d.next_attempt_at < empower_domain::webhooks::queue::parked())
            .then_some(d.next_attempt_at),
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            attempts: logged.attempts.into_iter().map(Into::into).collect(),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        })
    }
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this status (`failed`, say).
    pub status: Option<DeliveryStatus>,
}

/// List a subscription's deliveries.
///
/// Newest first, paginated, each with its attempts (times, status codes, durations) and, while
/// pending, when the next attempt is due.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "The subscription's id"), DeliveryQuery, PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = ListBody<WebhookDeliveryView>),
        (status = 400, description = "A query parameter is invalid"),
        (status = 404, description = "No such subscription (or not yours)"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = outbox::deliveries(
        &state.db,
        manager(&caller),
        *id,
        query.filter.status,
        &query.page,
    )
    .await?;
    let items = page
        .items
        .into_iter()
        .map(WebhookDeliveryView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_response(
        &req,
        empower_domain::paging::Page {
            items,
            next_cursor: page.next_cursor,
            total: page.total,
        },
        Caching::NoStore,
    ))
}

/// Read one delivery.
///
/// Answers `304` to an `If-None-Match` that names the current version.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook_delivery",
    params(
        ("id" = Uuid, Path, description = "The subscription's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id (its `webhook-id`)"),
    ),
    responses(
        (status = 200, description = "The delivery", body = WebhookDeliveryView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such subscription or delivery (or not yours)"),
    )
)]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get_webhook_delivery(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let logged = outbox::delivery(&state.db, manager(&caller), id, delivery_id).await?;
    let etag = version_etag(logged.delivery.version);
    Ok(json_with_etag(
        &req,
        &WebhookDeliveryView::try_from(logged)?,
        Some(etag),
        Caching::NoStore,
    ))
}

/// A queued delivery: `202 Accepted`, its `Location`, and the delivery.
fn accepted(view: &WebhookDeliveryView) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((
            header::LOCATION,
            format!(
                "/api/v1/webhooks/{}/deliveries/{}",
                view.webhook_id, view.id
            ),
        ))
        .insert_header((header::ETAG, version_etag(view.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view)
}

/// Send a delivery again.
///
/// A delivered or failed delivery is queued again at once, with the same `webhook-id` and
/// body (signed afresh) and a new round of up to 14 attempts, ahead of the subscription's later
/// changes. A pending one is refused
/// (409 `delivery_pending`): it is retried without being asked.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver_webhook_delivery",
    params(
        ("id" = Uuid, Path, description = "The subscription's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued again", body = WebhookDeliveryView),
        (status = 404, description = "No such subscription or delivery (or not yours)"),
        (status = 409, description = "The delivery is still pending (`delivery_pending`)"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    let queued = outbox::redeliver(&tx, &caller.audit, manager(&caller), id, delivery_id).await?;
    tx.commit().await?;
    let view = WebhookDeliveryView::try_from(queued)?;
    Ok(accepted(&view))
}

/// Ping a subscription.
///
/// Queues a test message, `{"type": "ping", "webhook_id": ..., "sent_at": ...}`, signed like
/// every delivery, sent at once (out of the order of changes, and even while the subscription
/// is paused) and not retried: read its delivery (`Location`) to see how the receiver answered.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "ping_webhook",
    params(("id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 202, description = "Queued", body = WebhookDeliveryView),
        (status = 404, description = "No such subscription (or not yours)"),
    )
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    let queued = outbox::ping(&tx, &caller.audit, manager(&caller), *id).await?;
    tx.commit().await?;
    let view = WebhookDeliveryView::try_from(Logged {
        delivery: queued,
        attempts: Vec::new(),
    })?;
    Ok(accepted(&view))
}
