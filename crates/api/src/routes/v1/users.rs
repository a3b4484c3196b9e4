//! User accounts (admin), and each person's own account (`/me`).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::identity::{Role, user};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Patch, non_null, nullable,
    version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers the user operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me)
        .service(change_my_password)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

/// A user account. The password is never shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "email": "aminata@empower.example",
    "display_name": "Aminata Diallo", "role": "staff", "active": true, "version": 1,
    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct UserView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Login email, lower-case.
    pub email: String,
    /// Name shown in the apps.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The association an `association` user belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub association_id: Option<Uuid>,
    /// Deactivated users cannot log in, and their tokens stop working.
    pub active: bool,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            association_id: u.association_id,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn respond(req: &HttpRequest, user: user::Model) -> HttpResponse {
    let etag = version_etag(user.version);
    json_with_etag(req, &UserView::from(user), Some(etag), Caching::NoStore)
}

/// Read my account.
///
/// The account of the person whose token this is. API clients have no account here (403).
#[utoipa::path(
    tag = "me",
    operation_id = "get_me",
    responses(
        (status = 200, description = "My account", body = UserView),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/me")]
pub async fn get_me(
    caller: Caller,
    req: HttpRequest,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let user = caller.user().cloned().ok_or(ApiError::Forbidden)?;
    Ok(respond(&req, user))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "my old passphrase", "new_password": "a new, longer passphrase"}))]
pub struct PasswordChange {
    /// The password in use now.
    #[schema(max_length = 256, format = Password)]
    pub current_password: String,
    /// The new password: at least 12 characters, not blank, not the current one, and hard to
    /// guess (a strength estimator refuses common passwords, keyboard patterns and the
    /// account's own email or name).
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub new_password: String,
}

/// Change my password.
///
/// Requires the current password; the new one must be strong and differ from it (every
/// problem is reported at once). Every refresh token of the account is revoked: other sessions
/// must log in again.
#[utoipa::path(
    tag = "me",
    operation_id = "change_my_password",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "The current password is wrong, or the new one too weak or unchanged"),
    )
)]
#[post("/me/password")]
pub async fn change_my_password(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let me = caller.user().cloned().ok_or(ApiError::Forbidden)?;
    let body = body.into_inner()?;
    let hash = user::check_password_change(&me, &body.current_password, &body.new_password)?;
    let tx = db::begin_write(&state.db).await?;
    user::set_password(&tx, &caller.audit, me.id, &me.password_hash, hash).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters of the user list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
}

/// List users.
///
/// Every account, oldest first, paginated.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(PageParams, UserFilter),
    responses((status = 200, description = "A page of users", body = ListBody<UserView>))
)]
#[get("/users")]
pub async fn list_users(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<UserFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = user::UserFilter {
        role: query.filter.role,
        active: query.filter.active,
    };
    let page = user::list(&state.db, &filter, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(UserView::from),
        Caching::NoStore,
    ))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "aminata@empower.example", "display_name": "Aminata Diallo",
    "role": "staff", "password": "a long enough passphrase"
}))]
pub struct NewUserBody {
    /// Login email, unique (any case; no invisible characters).
    #[schema(min_length = 3, max_length = 254, format = Email)]
    pub email: String,
    /// Name shown in the apps (1-200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// Required exactly when the role is `association`: a live association of the registry.
    pub association_id: Option<Uuid>,
    /// At least 12 characters, hard to guess (not blank, not a common password, not the
    /// email or name).
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
}

/// Create a user.
///
/// The email must not be taken (409). `association_id` is required exactly when the role is
/// `association`, and must name a live association (422). Every problem is reported at once.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 409, description = "The email is taken"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/users")]
pub async fn create_user(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<NewUserBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let tx = db::begin_write(&state.db).await?;
    let created = user::create(
        &tx,
        &caller.audit,
        user::NewUser {
            email: body.email,
            display_name: body.display_name,
            role: body.role,
            association_id: body.association_id,
            password: body.password,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("/api/v1/users/{}", created.id)),
        version_etag(created.version),
        &UserView::from(created),
        Caching::NoStore,
    ))
}

/// Read a user.
///
/// Answers `304` to an `If-None-Match` that names the current version.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such user"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(&req, user::get(&state.db, *id).await?))
}

/// Changes to a user (JSON merge patch): absent fields stay; only `association_id` can be
/// cleared with `null`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UserPatch {
    /// New display name (1-200 characters).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// New role.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Role)]
    pub role: Option<Role>,
    /// New association binding (a live association); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub association_id: Option<Option<Uuid>>,
    /// `false` deactivates the account (its tokens stop working at once); `true` reactivates.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl Patch for UserPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/email",
        "/version",
        "/created_at",
        "/updated_at",
        "/password",
    ];
}

/// Update or deactivate a user.
///
/// A JSON merge patch (`application/merge-patch+json`): absent fields stay, `null` clears
/// `association_id`. `"active": false` deactivates the account. A patch that changes nothing
/// keeps the version. With `If-Match`, a stale version is refused (412) and nothing is written.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 404, description = "No such user"),
        (status = 409, description = "An admin tried to deactivate or demote themself"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 415, description = "The body is not `application/merge-patch+json`"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let (patch, _) = body.into_inner()?;
    let changes = user::UserChanges {
        display_name: patch.display_name,
        role: patch.role,
        association_id: patch.association_id,
        active: patch.active,
    };
    let tx = db::begin_write(&state.db).await?;
    let updated = user::update(&tx, &caller.audit, *id, changes, &if_match.0).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.version),
        &UserView::from(updated),
        Caching::NoStore,
    ))
}
