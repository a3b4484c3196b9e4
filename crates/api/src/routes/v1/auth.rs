//! Logging in (people) and client credentials (partner API clients): access tokens, rotating
//! refresh tokens, logout.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use empower_domain::audit::{self, Actor};
use empower_domain::identity::refresh::Rotation;
use empower_domain::identity::session::{self, Login};
use empower_domain::identity::{client, scope, user};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::access::role_name;
use crate::auth::caller::audit_context;
use crate::auth::jwt::{ACCESS_TTL_SECONDS, Subject, SubjectKind};
use crate::extract::{ApiJson, BODY_LIMIT};
use crate::middleware::KeepErrorBody;
use crate::problem::ApiError;
use crate::state::AppState;

/// Registers the authentication operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(issue_client_token);
}

/// Credentials of a person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@empower.local", "password": "the password from the log"}))]
pub struct LoginRequest {
    /// Login email (any case).
    #[schema(max_length = 254)]
    pub email: String,
    /// Password.
    #[schema(max_length = 256, format = Password)]
    pub password: String,
}

/// Tokens issued to a caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsImtpZCI6IjFhMmIzYzRkNWU2ZjcwODEiLCJ0eXAiOiJKV1QifQ.e30.sig",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q0Yw0d0m2Hq3p8eZbJ3Jm1b4H4l5uUuYvV7kz3c9bXo"
}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque token for `POST /api/v1/auth/refresh` (people only; single use).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub refresh_token: Option<String>,
    /// Space-separated scopes granted (API clients only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub scope: Option<String>,
}

/// A refresh token presented back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q0Yw0d0m2Hq3p8eZbJ3Jm1b4H4l5uUuYvV7kz3c9bXo"}))]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

fn tokens(response: TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response)
}

fn user_subject(user: &user::Model) -> Subject {
    Subject {
        id: user.id,
        kind: SubjectKind::User,
        role: Some(role_name(user.role).to_owned()),
        association_id: user.association_id,
        scope: None,
    }
}

/// A person's new access token with their new refresh token.
fn person_tokens(
    state: &AppState,
    user: &user::Model,
    refresh_token: String,
) -> Result<HttpResponse, ApiError> {
    Ok(tokens(TokenResponse {
        access_token: sign(state, &user_subject(user))?,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECONDS,
        refresh_token: Some(refresh_token),
        scope: None,
    }))
}

fn sign(state: &AppState, subject: &Subject) -> Result<String, ApiError> {
    state
        .tokens
        .issue(subject)
        .map_err(|e| ApiError::Internal(format!("token signing failed: {e}")))
}

/// Log in.
///
/// Exchanges an email and password for a 15-minute access token and a single-use refresh
/// token. An unknown email and a wrong password get the same 401. After 5 failures for one
/// account (or 20 from one address) within 15 minutes, attempts are refused at once with 429
/// and `Retry-After`, for a lock that doubles with each new failure; a success resets the
/// account's count.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, description = "Wrong email or password, or a deactivated account"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "A field is missing, not a string, or too long"),
        (status = 429, description = "Too many recent failures",
         headers(("Retry-After" = u64, description = "Seconds until the lock ends"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let context = audit_context(&req, Actor::Anonymous);
    match session::login(&state.db, &context, &body.email, &body.password).await? {
        Login::Succeeded {
            user,
            refresh_token,
        } => person_tokens(&state, &user, refresh_token),
        Login::Failed => Err(ApiError::InvalidCredentials),
        Login::Throttled { retry_after } => Err(ApiError::TooManyRequests {
            retry_after: u64::try_from(retry_after.num_seconds().max(1)).unwrap_or(1),
        }),
    }
}

/// Refresh the tokens.
///
/// Exchanges a refresh token for a new access token and a new refresh token (rotation). A
/// refresh token works once: presenting one that was already used revokes its whole family,
/// so both the thief and the owner must log in again.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "`refresh_token` is missing or not a string"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let context = audit_context(&req, Actor::Anonymous);
    match session::refresh(&state.db, &context, &body.refresh_token).await? {
        Rotation::Rotated { user, token } => person_tokens(&state, &user, token),
        Rotation::ReuseDetected { .. } | Rotation::Invalid => Err(ApiError::InvalidToken),
    }
}

/// Log out.
///
/// Revokes the refresh token's whole family (this login on every device that shares it).
/// Answers 204 whether or not the token was known, so the answer reveals nothing.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
        (status = 415, description = "The body is not `application/json`"),
        (status = 422, description = "`refresh_token` is missing or not a string"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let context = audit_context(&req, Actor::Anonymous);
    session::logout(&state.db, &context, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An OAuth 2.0 error (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_client", "error_description": "unknown client or wrong secret"}))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_scope` or `unsupported_grant_type`.
    pub error: String,
    /// What went wrong, for people.
    pub error_description: String,
}

/// The OAuth 2.0 grant types this API issues tokens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// The client credentials grant (RFC 6749 §4.4), for partner sync jobs.
    ClientCredentials,
}

/// A token request (client credentials grant), as form fields.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "scope": "sync:read"}))]
pub struct ClientTokenRequest {
    /// Must be `client_credentials`.
    #[schema(value_type = GrantType)]
    pub grant_type: String,
    /// Space-separated scopes wanted (`sync:read`, `associations:read`, `associations:write`):
    /// a subset of the client's (all of them when absent).
    #[schema(
        nullable = false,
        max_length = 200,
        example = "sync:read associations:read"
    )]
    pub scope: Option<String>,
    /// The client id, when not sent with HTTP Basic authentication.
    #[schema(nullable = false, max_length = 200)]
    pub client_id: Option<String>,
    /// The client secret, when not sent with HTTP Basic authentication.
    #[schema(nullable = false, max_length = 200, format = Password)]
    pub client_secret: Option<String>,
}

fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
    );
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json");
    if status == 401 {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"empower\""));
    }
    let mut response = response.json(OAuthError {
        error: error.into(),
        error_description: description.into(),
    });
    response.extensions_mut().insert(KeepErrorBody);
    response
}

/// The client credentials from HTTP Basic or from the form (not both).
fn client_credentials(
    req: &HttpRequest,
    form: &ClientTokenRequest,
) -> Result<(String, String), (u16, &'static str, &'static str)> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .map(|encoded| {
            STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|pair| {
                    pair.split_once(':')
                        .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
                })
        });
    match (basic, &form.client_id, &form.client_secret) {
        (Some(Some(pair)), None, None) => Ok(pair),
        (Some(None), _, _) => Err((401, "invalid_client", "malformed Basic credentials")),
        (Some(Some(_)), _, _) => Err((
            400,
            "invalid_request",
            "send the client credentials once: HTTP Basic or form fields, not both",
        )),
        (None, Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
        (None, _, _) => Err((401, "invalid_client", "client authentication is required")),
    }
}

/// Get a token for an API client.
///
/// The OAuth 2.0 client credentials grant (RFC 6749 §4.4) for partner sync jobs. Send
/// `application/x-www-form-urlencoded` with `grant_type=client_credentials` and optionally
/// `scope` (a subset of the client's scopes); authenticate with HTTP Basic (`client_id:client_secret`)
/// or the `client_id` and `client_secret` form fields. No refresh token is issued: ask again when
/// the token expires. Errors use the RFC 6749 §5.2 JSON form. A revoked client's tokens stop
/// working at once.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_client_token",
    request_body(content = ClientTokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token", body = TokenResponse,
         example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig", "token_type": "Bearer", "expires_in": 900, "scope": "sync:read"})),
        (status = 400, description = "`invalid_request`, `invalid_scope` or `unsupported_grant_type`",
         body = OAuthError, content_type = "application/json"),
        (status = 401, description = "`invalid_client`: unknown client, wrong secret, or revoked",
         body = OAuthError, content_type = "application/json"),
    )
)]
#[post("/auth/token")]
pub async fn issue_client_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form_type = crate::http::media_type(&req) == "application/x-www-form-urlencoded";
    if !form_type || body.len() > BODY_LIMIT {
        return Ok(oauth_error(
            400,
            "invalid_request",
            "send the request as application/x-www-form-urlencoded",
        ));
    }
    let form: ClientTokenRequest = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(e) => return Ok(oauth_error(400, "invalid_request", &e.to_string())),
    };
    let (client_id, secret) = match client_credentials(&req, &form) {
        Ok(pair) => pair,
        Err((status, error, description)) => return Ok(oauth_error(status, error, description)),
    };
    if form.grant_type != "client_credentials" {
        return Ok(oauth_error(
            400,
            "unsupported_grant_type",
            "only `client_credentials` is supported here; people log in at /api/v1/auth/login",
        ));
    }
    let Some(client) = client::authenticate(&state.db, &client_id, &secret).await? else {
        return Ok(oauth_error(
            401,
            "invalid_client",
            "unknown client, wrong secret, or revoked",
        ));
    };
    let held = client.scope_list()?;
    let wanted: Option<Option<Vec<scope::Scope>>> = form.scope.as_deref().map(|names| {
        scope::split(names)
            .iter()
            .map(|name| scope::Scope::parse(name).filter(|s| held.contains(s)))
            .collect()
    });
    let granted = match wanted {
        None => held,
        Some(Some(wanted)) if !wanted.is_empty() => wanted,
        Some(_) => {
            return Ok(oauth_error(
                400,
                "invalid_scope",
                "ask only for scopes this client holds",
            ));
        }
    };
    let granted = scope::join(&granted);
    let access_token = sign(
        &state,
        &Subject {
            id: client.id,
            kind: SubjectKind::Client,
            role: None,
            association_id: client.association_id,
            scope: Some(granted.clone()),
        },
    )?;
    audit::record(
        &state.db,
        &audit_context(&req, Actor::Client(client.id)),
        "token.issued",
        Some(("api_client", client.id.to_string())),
    )
    .await?;
    Ok(tokens(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECONDS,
        refresh_token: None,
        scope: Some(granted),
    }))
}
