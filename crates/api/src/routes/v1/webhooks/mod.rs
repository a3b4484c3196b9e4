//! Webhook subscriptions: an API client's URL told of every change it may read, signed the
//! Standard Webhooks way. Administrators manage every subscription; a client holding
//! `webhooks:manage` manages its own (another's is 404). What was sent, and how it went, is in
//! [`deliveries`].

pub mod deliveries;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::webhooks::entity::webhook;
use empower_domain::webhooks::subscription::{self, Manager, NewWebhook, WebhookChanges};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::caller::{Caller, Principal};
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Patch, non_null,
    nullable, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::webhooks::sender::check_destination;

/// Registers the webhook operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .configure(deliveries::configure);
}

/// Whose subscriptions a caller manages: an administrator every one, a client its own.
pub(crate) fn manager(caller: &Caller) -> Manager {
    match &caller.principal {
        Principal::User(_) => Manager::Admin,
        Principal::Client { client, .. } => Manager::Client(client.id),
    }
}

/// A subscription. Its secret is shown only when it is created or rotated.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "api_client_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "url": "https://sync.partner.example.org/empower/webhooks", "event_types": ["association.*", "person.erase"],
    "description": "Partner NGO registry sync", "active": true, "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"
}))]
pub struct WebhookView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The API client the subscription belongs to (its `id`, not its OAuth `client_id`): it is
    /// told only of changes that client may read.
    pub api_client_id: Uuid,
    /// Where deliveries are posted.
    pub url: String,
    /// `type.op` patterns (`association.upsert`, `person.*`, `*.erase`) or `*`.
    pub event_types: Vec<String>,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    /// Whether changes are delivered (`false`: paused by its owner, or disabled by the server).
    pub active: bool,
    /// Since when every delivery has failed (absent while they succeed). After three days the
    /// server disables the subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub failing_since: Option<DateTime<Utc>>,
    /// When the server disabled it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why the server disabled it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disabled_reason: Option<String>,
    /// Until when the secret before the last rotation signs (or signed), beside the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for WebhookView {
    fn from(w: webhook::Model) -> Self {
        Self {
            id: w.id,
            api_client_id: w.client_id,
            url: w.url,
            event_types: w
                .event_types
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            description: w.description,
            active: w.active,
            failing_since: w.failing_since,
            disabled_at: w.disabled_at,
            disabled_reason: w.disabled_reason,
            previous_secret_expires_at: w.previous_secret_expires_at,
            version: w.version,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A subscription with its signing secret: store the secret now, it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "api_client_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "url": "https://sync.partner.example.org/empower/webhooks", "event_types": ["*"],
    "active": true, "version": 1,
    "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo="
}))]
pub struct WebhookWithSecret {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret (`whsec_` and the base64 of the key): verify `webhook-signature`
    /// with it (Standard Webhooks).
    pub secret: String,
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"api_client_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "url": "https://sync.partner.example.org/empower/webhooks",
    "event_types": ["association.*", "person.erase"], "description": "Partner NGO registry sync"}))]
pub struct NewWebhookBody {
    /// The API client it belongs to (its `id`): required of an administrator; a client may
    /// leave it out (or name itself). At most 10 subscriptions per client.
    pub api_client_id: Option<Uuid>,
    /// Where to post deliveries: `https`, at most 2000 characters, without credentials, never
    /// to a private, loopback or link-local address the operator has not allowed (checked on
    /// what the name resolves to). In development, `http://127.0.0.1` and `http://localhost`
    /// are allowed too.
    #[schema(
        max_length = 2000,
        example = "https://sync.partner.example.org/empower/webhooks"
    )]
    pub url: String,
    /// `type.op` patterns (types of the change feed, ops `upsert`, `delete`, `erase`, either
    /// may be `*`), or `*`: 1 to 50. Types the client's scopes do not read are refused.
    #[schema(min_items = 1, max_items = 50, example = json!(["association.*", "person.erase"]))]
    pub event_types: Vec<String>,
    /// What it is for (at most 500 characters).
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Deliver at once (default `true`); `false` creates it paused.
    pub active: Option<bool>,
}

/// List webhook subscriptions.
///
/// Every subscription for an administrator; a client's own for a client. Oldest first,
/// paginated. Secrets are never listed.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    params(PageParams),
    responses((status = 200, description = "A page of subscriptions", body = ListBody<WebhookView>))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = subscription::list(&state.db, manager(&caller), &query.page).await?;
    Ok(page_response(
        &req,
        page.map(WebhookView::from),
        Caching::NoStore,
    ))
}

/// Subscribe to webhooks.
///
/// Every change the owning client may read (by its scopes and, for a bound client, only its
/// own association's and programme-wide ones) that matches `event_types` is posted to `url`
/// as one change-feed item, signed with the secret answered here (shown once). Deliveries go
/// out at least once, in feed order, retried with exponential backoff for about 24 hours.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Created, with its secret", body = WebhookWithSecret),
        (status = 415, description = "The body is not `application/json`"),
        (status = 409, description = "The client has 10 subscriptions already (`webhook_limit_reached`)"),
        (status = 422, description = "A field breaks its rule (a URL to a private address, an unknown event type, a type the client does not read, a missing `api_client_id`)"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<NewWebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let policy = &state.webhook_policy;
    let new = NewWebhook {
        client_id: body.api_client_id,
        url: body.url,
        event_types: body.event_types,
        description: body.description,
        active: body.active,
    };
    // Where the name leads is looked up before the transaction, which must not wait on DNS.
    check_destination(&new.url, policy).await?;
    let tx = db::begin_write(&state.db).await?;
    let (created, secret) =
        subscription::create(&tx, &caller.audit, manager(&caller), new, policy).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("/api/v1/webhooks/{}", created.id)),
        version_etag(created.version),
        &WebhookWithSecret {
            webhook: created.into(),
            secret,
        },
        Caching::NoStore,
    ))
}

/// Read a webhook subscription.
///
/// Answers `304` to an `If-None-Match` that names the current version.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    params(("id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = WebhookView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such subscription (or not yours)"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = subscription::get(&state.db, manager(&caller), *id).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &WebhookView::from(found),
        Some(etag),
        Caching::NoStore,
    ))
}

/// Changes to a subscription (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct WebhookPatch {
    /// New URL (the rules of creation).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, max_length = 2000)]
    pub url: Option<String>,
    /// New event types (replacing the old ones).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<String>, min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    /// New description; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// `false` pauses deliveries (they wait, in order); `true` resumes, also after the server
    /// disabled the subscription.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl Patch for WebhookPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/api_client_id",
        "/secret",
        "/failing_since",
        "/disabled_at",
        "/disabled_reason",
        "/previous_secret_expires_at",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// Update, pause or resume a subscription.
///
/// A JSON merge patch (`application/merge-patch+json`). `"active": false` pauses deliveries:
/// changes keep being queued and go out, in order, once it is resumed with `"active": true`
/// (which also clears a disablement by the server). With `If-Match`, a stale version is
/// refused (412) and nothing is written.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    params(
        ("id" = Uuid, Path, description = "The subscription's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = WebhookPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = WebhookView),
        (status = 404, description = "No such subscription (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 415, description = "The body is not `application/merge-patch+json`"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    let (patch, _) = body.into_inner()?;
    let policy = &state.webhook_policy;
    let changes = WebhookChanges {
        url: patch.url,
        event_types: patch.event_types,
        description: patch.description,
        active: patch.active,
    };
    if let Some(url) = &changes.url {
        // Refusals keep their order (404, then 412) before the name is looked up, outside the
        // transaction, which must not wait on DNS; the transaction checks both again.
        let current = subscription::get(&state.db, manager(&caller), *id).await?;
        if_match.0.check(current.version)?;
        check_destination(url, policy).await?;
    }
    let tx = db::begin_write(&state.db).await?;
    let updated = subscription::update(
        &tx,
        &caller.audit,
        manager(&caller),
        *id,
        changes,
        &if_match.0,
        policy,
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.version),
        &WebhookView::from(updated),
        Caching::NoStore,
    ))
}

/// Delete a subscription.
///
/// Its queued deliveries and their log go with it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    params(
        ("id" = Uuid, Path, description = "The subscription's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such subscription (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    subscription::delete(&tx, &caller.audit, manager(&caller), *id, &if_match.0).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A secret rotation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grace_period_hours": 24}))]
pub struct SecretRotation {
    /// How long the old secret keeps signing beside the new one, so receivers can switch
    /// without rejecting a message: 0 to 168 hours, default 24. 0 retires it at once.
    #[schema(minimum = 0, maximum = 168)]
    pub grace_period_hours: Option<i64>,
}

/// Rotate a subscription's secret.
///
/// Answers the new secret, shown this once. During the grace period every delivery carries two
/// signatures in `webhook-signature` (new and old, space-separated), and a receiver holding
/// either secret accepts it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    params(
        ("id" = Uuid, Path, description = "The subscription's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = SecretRotation,
    responses(
        (status = 200, description = "Rotated, with the new secret", body = WebhookWithSecret),
        (status = 404, description = "No such subscription (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "The grace period is out of range"),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SecretRotation>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let tx = db::begin_write(&state.db).await?;
    let (rotated, secret) = subscription::rotate_secret(
        &tx,
        &caller.audit,
        manager(&caller),
        *id,
        body.grace_period_hours.unwrap_or(24),
        &if_match.0,
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(rotated.version),
        &WebhookWithSecret {
            webhook: rotated.into(),
            secret,
        },
        Caching::NoStore,
    ))
}
