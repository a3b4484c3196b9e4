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
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Patch, PatchProblems, nullable,
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

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Everything, including users and API clients.
    Admin,
    /// Programme staff: read and write programme data.
    Staff,
    /// A member of one association, bound to it.
    Association,
    /// Reads everything except personal data.
    Viewer,
}

impl From<Role> for UserRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Staff => Self::Staff,
            Role::Association => Self::Association,
            Role::Viewer => Self::Viewer,
        }
    }
}

impl From<UserRole> for Role {
    fn from(role: UserRole) -> Self {
        match role {
            UserRole::Admin => Self::Admin,
            UserRole::Staff => Self::Staff,
            UserRole::Association => Self::Association,
            UserRole::Viewer => Self::Viewer,
        }
    }
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
    pub role: UserRole,
    /// The association an `association` user belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
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
            role: u.role.into(),
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
    responses((status = 200, description = "My account", body = UserView))
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
    /// The new password, at least 12 characters.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub new_password: String,
}

/// Change my password.
///
/// Requires the current password. Every refresh token of the account is revoked: other
/// sessions must log in again.
#[utoipa::path(
    tag = "me",
    operation_id = "change_my_password",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "The current password is wrong, or the new one too short"),
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
    user::verify_current(&me, &body.current_password)?;
    let tx = db::begin_write(&state.db).await?;
    user::set_password(&tx, &caller.audit, me.id, &body.new_password).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters of the user list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<UserRole>,
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
        role: query.filter.role.map(Role::from),
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
    /// Login email, unique (any case).
    #[schema(max_length = 254)]
    pub email: String,
    /// Name shown in the apps (1-200 characters).
    #[schema(max_length = 200)]
    pub display_name: String,
    /// What the user may do.
    pub role: UserRole,
    /// Required exactly when the role is `association`.
    pub association_id: Option<Uuid>,
    /// At least 12 characters.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
}

/// Create a user.
///
/// The email must not be taken (409). `association_id` is required exactly when the role is
/// `association`.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Created", body = UserView,
         headers(("Location" = String, description = "The new user's URL"), ("ETag" = String, description = "Its version"))),
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
            role: body.role.into(),
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
        (status = 200, description = "The user", body = UserView,
         headers(("ETag" = String, description = "The version"))),
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

/// Changes to a user (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UserPatch {
    /// New display name.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub display_name: Option<Option<String>>,
    /// New role.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<UserRole>)]
    pub role: Option<Option<UserRole>>,
    /// New association binding; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub association_id: Option<Option<Uuid>>,
    /// `false` deactivates the account (its tokens stop working at once); `true` reactivates.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
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
/// `association_id`. `"active": false` deactivates the account. With `If-Match`, a stale
/// version is refused (412) and nothing is written.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = UserView,
         headers(("ETag" = String, description = "The new version"))),
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
    let patch = body.into_inner()?;
    let mut problems = PatchProblems::default();
    let display_name = problems.required(patch.display_name, "/display_name");
    let role = problems.required(patch.role, "/role");
    let active = problems.required(patch.active, "/active");
    problems.check()?;
    let changes = user::UserChanges {
        display_name,
        role: role.map(Role::from),
        association_id: patch.association_id,
        active,
    };
    let tx = db::begin_write(&state.db).await?;
    let updated = user::update(&tx, &caller.audit, *id, changes, if_match.0).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.version),
        &UserView::from(updated),
        Caching::NoStore,
    ))
}
