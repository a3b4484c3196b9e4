//! The `Caller` extractor: a valid bearer token of an active user or client, allowed by the
//! access table to call the matched operation. Handlers that take a `Caller` are protected;
//! the table says by whom.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use empower_domain::audit::{Actor, AuditContext};
use empower_domain::identity::{Role, client, user};
use uuid::Uuid;

use super::access::{self, Rule};
use super::jwt::{Claims, SubjectKind};
use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::state::AppState;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A logged-in person (as the database has them now, not as the token said).
    User(user::Model),
    /// A partner API client, with the scopes its token carries that it still holds.
    Client {
        /// The client.
        client: client::Model,
        /// Granted scopes.
        scopes: Vec<String>,
    },
}

/// An authenticated, authorized caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// The request, for the audit log.
    pub audit: AuditContext,
}

impl Caller {
    /// The user, when the caller is a person.
    pub fn user(&self) -> Option<&user::Model> {
        match &self.principal {
            Principal::User(user) => Some(user),
            Principal::Client { .. } => None,
        }
    }
}

/// The audit context of a request acted by `actor`.
pub fn audit_context(req: &HttpRequest, actor: Actor) -> AuditContext {
    AuditContext {
        actor,
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        source_address: req.peer_addr().map(|addr| addr.ip().to_string()),
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized)?
        .to_str()
        .map_err(|_| ApiError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(ApiError::InvalidToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::InvalidToken);
    }
    Ok(token.trim().to_owned())
}

fn allowed(rule: Rule, principal: &Principal) -> bool {
    match principal {
        Principal::User(user) => allowed_role(rule, user.role),
        Principal::Client { scopes, .. } => allowed_scopes(rule, scopes),
    }
}

/// The checks that need no database: a valid token for an operation in the access table.
fn precheck(req: &HttpRequest) -> Result<(Claims, Rule), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let token = bearer(req)?;
    let claims = state.tokens.verify(&token).ok_or(ApiError::InvalidToken)?;
    let operation = req.match_name().unwrap_or_default();
    let Some(rule) = access::rule(operation) else {
        log::error!("operation `{operation}` has no entry in the access table: denied");
        return Err(ApiError::Forbidden);
    };
    Ok((claims, rule))
}

fn allowed_role(rule: Rule, role: Role) -> bool {
    match rule {
        Rule::Public => true,
        Rule::Protected { roles, .. } => roles.contains(&role),
    }
}

fn allowed_scopes(rule: Rule, held: &[String]) -> bool {
    match rule {
        Rule::Public => true,
        Rule::Protected { scopes, .. } => held.iter().any(|s| scopes.contains(&s.as_str())),
    }
}

/// The checks against the database: the subject still exists, is active, and its current role
/// or scopes still allow the operation.
async fn authenticate(req: HttpRequest, claims: Claims, rule: Rule) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let id: Uuid = claims.sub.parse().map_err(|_| ApiError::InvalidToken)?;
    let principal = match claims.kind {
        SubjectKind::User => {
            let user = user::Entity::find_by_id_active(&state.db, id).await?;
            Principal::User(user.ok_or(ApiError::InvalidToken)?)
        }
        SubjectKind::Client => {
            let client = client::get(&state.db, id)
                .await
                .ok()
                .filter(|c| c.active)
                .ok_or(ApiError::InvalidToken)?;
            let held = client.scope_list();
            let scopes = claims
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .filter(|s| held.iter().any(|h| h == s))
                .map(str::to_owned)
                .collect();
            Principal::Client { client, scopes }
        }
    };
    if !allowed(rule, &principal) {
        return Err(ApiError::Forbidden);
    }
    let actor = match &principal {
        Principal::User(user) => Actor::User(user.id),
        Principal::Client { client, .. } => Actor::Client(client.id),
    };
    Ok(Caller {
        audit: audit_context(&req, actor),
        principal,
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        match precheck(req) {
            Ok((claims, rule)) => Box::pin(authenticate(req.clone(), claims, rule)),
            Err(err) => Box::pin(std::future::ready(Err(err))),
        }
    }
}
