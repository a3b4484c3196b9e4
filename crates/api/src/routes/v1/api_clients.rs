//! Partner API clients (admin): machine credentials with scopes, for sync jobs.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::identity::client;
use empower_domain::identity::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Patch, non_null,
    nullable, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers the API-client operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_clients)
        .service(create_api_client)
        .service(get_api_client)
        .service(update_api_client);
}

/// A partner API client. Its secret is shown only once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "name": "Partner NGO nightly sync",
    "client_id": "empower-k3j9x2m4q8w7e5r1", "scopes": ["sync:read", "associations:read"],
    "active": true, "version": 1,
    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct ApiClientView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Who the client is.
    pub name: String,
    /// The public half of the credentials.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<Scope>,
    /// The association the client acts for (it then acts only as that association).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub association_id: Option<Uuid>,
    /// `false` once revoked: no new tokens, and its tokens stop working.
    pub active: bool,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ApiClientView {
    fn of(c: client::Model) -> Result<Self, ApiError> {
        Ok(Self {
            scopes: c.scope_list()?,
            id: c.id,
            name: c.name,
            client_id: c.client_id,
            association_id: c.association_id,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        })
    }
}

/// A new client with its secret: store the secret now, it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "name": "Partner NGO nightly sync",
    "client_id": "empower-k3j9x2m4q8w7e5r1", "scopes": ["associations:read", "sync:read"],
    "active": true, "version": 1,
    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z",
    "client_secret": "Zk3v9QxT2mB7nW4pL8sR1yH6cJ0dF5gA2eU7iO3k"
}))]
pub struct CreatedApiClient {
    /// The client.
    #[serde(flatten)]
    pub client: ApiClientView,
    /// The secret half of the credentials.
    pub client_secret: String,
}

/// List API clients.
///
/// Every client, oldest first, paginated. Secrets are never listed.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "list_api_clients",
    params(PageParams),
    responses((status = 200, description = "A page of clients", body = ListBody<ApiClientView>))
)]
#[get("/api-clients")]
pub async fn list_api_clients(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = client::list(&state.db, &query.page).await?;
    let items = page
        .items
        .into_iter()
        .map(ApiClientView::of)
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

/// A new API client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Partner NGO nightly sync", "scopes": ["sync:read", "associations:read"]}))]
pub struct NewApiClient {
    /// Who the client is (1-200 characters).
    #[schema(max_length = 200)]
    pub name: String,
    /// Scopes to grant (at least one).
    #[schema(min_items = 1, max_items = 20)]
    pub scopes: Vec<Scope>,
    /// The association the client acts for, if any (a live association): the client then
    /// reads and writes only that association's records.
    pub association_id: Option<Uuid>,
}

/// Create an API client.
///
/// Answers the `client_id` and the `client_secret`; the secret is stored only as a hash and is
/// never shown again.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "create_api_client",
    request_body = NewApiClient,
    responses(
        (status = 201, description = "Created, with its secret", body = CreatedApiClient),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "A field breaks its rule (an unknown scope, say)"),
    )
)]
#[post("/api-clients")]
pub async fn create_api_client(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let tx = db::begin_write(&state.db).await?;
    let (created, secret) = client::create(
        &tx,
        &caller.audit,
        client::NewClient {
            name: body.name,
            scopes: body.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            association_id: body.association_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("/api/v1/api-clients/{}", created.id)),
        version_etag(created.version),
        &CreatedApiClient {
            client: ApiClientView::of(created)?,
            client_secret: secret,
        },
        Caching::NoStore,
    ))
}

/// Read an API client.
///
/// Answers `304` to an `If-None-Match` that names the current version.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "get_api_client",
    params(("id" = Uuid, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client", body = ApiClientView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such client"),
    )
)]
#[get("/api-clients/{id}")]
pub async fn get_api_client(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = client::get(&state.db, *id).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &ApiClientView::of(found)?,
        Some(etag),
        Caching::NoStore,
    ))
}

/// Changes to an API client (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct ApiClientPatch {
    /// New name (1-200 characters).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// New scopes (replacing the old ones; at least one).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Scope>, min_items = 1, max_items = 20)]
    pub scopes: Option<Vec<Scope>>,
    /// New association binding (a live association); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub association_id: Option<Option<Uuid>>,
    /// `false` revokes the client: its tokens stop working at once.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl Patch for ApiClientPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/client_id",
        "/client_secret",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// Update or revoke an API client.
///
/// A JSON merge patch (`application/merge-patch+json`). `"active": false` revokes the client:
/// it gets no new token, and the tokens it holds stop working at once. With `If-Match`, a
/// stale version is refused (412) and nothing is written. A patch that changes nothing keeps the
/// version.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "update_api_client",
    params(
        ("id" = Uuid, Path, description = "The client's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = ApiClientPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = ApiClientView),
        (status = 404, description = "No such client"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 415, description = "The body is not `application/merge-patch+json`"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/api-clients/{id}")]
pub async fn update_api_client(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<ApiClientPatch>,
) -> Result<HttpResponse, ApiError> {
    let (patch, _) = body.into_inner()?;
    let changes = client::ClientChanges {
        name: patch.name,
        scopes: patch
            .scopes
            .map(|s| s.iter().map(|s| s.as_str().to_owned()).collect()),
        association_id: patch.association_id,
        active: patch.active,
    };
    let tx = db::begin_write(&state.db).await?;
    let updated = client::update(&tx, &caller.audit, *id, changes, &if_match.0).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.version),
        &ApiClientView::of(updated)?,
        Caching::NoStore,
    ))
}
