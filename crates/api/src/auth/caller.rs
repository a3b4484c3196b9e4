//! Who is calling, decided once per request, before anything else is read: the `authenticate`
//! middleware finds the operation the request is for (from the contract's own route table),
//! applies the access table, checks the bearer token against the database, and leaves the
//! [`Caller`] in the request. Handlers that take a `Caller` are protected; the table says by
//! whom. So a caller without rights always gets 401 or 403 first: never a verdict on a path,
//! a query, a header or a body it had no right to send, and never an idempotent replay.

use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, dev::Payload, web};
use empower_domain::audit::{Actor, AuditContext};
use empower_domain::identity::scope::Scope;
use empower_domain::identity::{Role, client, user};
use empower_domain::policy::CallerScope;
use empower_domain::visibility::Audience;
use uuid::Uuid;

use super::access::{self, Rule};
use super::jwt::SubjectKind;
use crate::middleware::RequestId;
use crate::problem::ApiError;
use crate::routes::{Resolution, RouteTable};
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
        scopes: Vec<Scope>,
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

    /// What the caller may reach, for the domain: an `association` user or a bound client acts
    /// only as its association; admins, staff and association users see people's contact
    /// data, viewers and API clients do not; admins may override eligibility.
    pub fn scope(&self) -> CallerScope {
        match &self.principal {
            Principal::User(user) => CallerScope {
                bound_to: match user.role {
                    // An association user without a binding acts as no association at all.
                    Role::Association => Some(user.association_id.unwrap_or_default()),
                    _ => None,
                },
                personal_data: user.role != Role::Viewer,
                override_eligibility: user.role == Role::Admin,
            },
            Principal::Client { client, .. } => CallerScope {
                bound_to: client.association_id,
                personal_data: false,
                override_eligibility: false,
            },
        }
    }

    /// Whether the caller reviews restitutions (validates them, returns them for changes):
    /// programme staff, never an association or an API client.
    pub fn reviews(&self) -> bool {
        self.user()
            .is_some_and(|user| matches!(user.role, Role::Admin | Role::Staff))
    }

    /// Whether the caller may see evidence that shows or names people (photos, attendance
    /// sheets): users who see personal data, and API clients holding `restitutions:write`.
    pub fn sees_personal_evidence(&self) -> bool {
        match &self.principal {
            Principal::User(user) => user.role != Role::Viewer,
            Principal::Client { scopes, .. } => scopes.contains(&Scope::RestitutionsWrite),
        }
    }

    /// Which deliverables the caller reads: staff and viewers every one, an association's
    /// users those that feature it (and the briefs in draft, open to its stories), API clients
    /// the published ones.
    pub fn audience(&self) -> Audience {
        match &self.principal {
            Principal::User(user) if user.role == Role::Association => {
                Audience::Association(user.association_id.unwrap_or_default())
            }
            Principal::User(_) => Audience::All,
            Principal::Client { .. } => Audience::Published,
        }
    }

    /// Whether the caller may call the operation `operation_id` (by the access table).
    pub fn may(&self, operation_id: &str) -> bool {
        access::rule(operation_id).is_some_and(|rule| allowed(rule, &self.principal))
    }

    /// The key its idempotency keys are kept under.
    pub fn key(&self) -> String {
        match &self.principal {
            Principal::User(user) => format!("user:{}", user.id),
            Principal::Client { client, .. } => format!("client:{}", client.id),
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

/// The bearer token of a request (the scheme in any case, as RFC 9110 allows).
pub fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
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
    match (rule, principal) {
        (Rule::Public, _) => true,
        (Rule::Protected { roles, .. }, Principal::User(user)) => roles.contains(&user.role),
        (Rule::Protected { scopes, .. }, Principal::Client { scopes: held, .. }) => {
            held.iter().any(|s| scopes.contains(s))
        }
    }
}

/// The caller of a protected operation: a valid token of a subject that still exists, is
/// active, and whose current role or scopes allow the operation.
async fn authenticate(req: &HttpRequest, rule: Rule) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let token = bearer(req)?;
    let claims = state.tokens.verify(&token).ok_or(ApiError::InvalidToken)?;
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
            let held = client.scope_list()?;
            let scopes = claims
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(Scope::parse)
                .filter(|s| held.contains(s))
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
        audit: audit_context(req, actor),
        principal,
    })
}

/// The middleware: resolves the operation, applies its access rule, and leaves the [`Caller`]
/// of a protected operation in the request. Requests no operation takes pass on (to a 404 or
/// 405).
pub async fn authenticate_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let resolution = req
        .app_data::<web::Data<RouteTable>>()
        .map_or(Resolution::Unknown, |routes| {
            routes.resolve(req.method().as_str(), req.path())
        });
    if let Resolution::MethodNotAllowed(allow) = resolution {
        return Ok(req.into_response(ApiError::MethodNotAllowed { allow }.error_response()));
    }
    if let Resolution::Operation(operation) = resolution {
        req.extensions_mut()
            .insert(crate::routes::ResolvedOperation(operation.clone()));
        match access::rule(&operation) {
            Some(Rule::Public) => {}
            Some(rule) => match authenticate(req.request(), rule).await {
                Ok(caller) => {
                    req.extensions_mut().insert(caller);
                }
                Err(err) => return Ok(req.into_response(err.error_response())),
            },
            None => {
                log::error!("operation `{operation}` has no entry in the access table: denied");
                return Ok(req.into_response(ApiError::Forbidden.error_response()));
            }
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Deny by default: a handler that takes a caller on a route the middleware did not
        // authenticate (no access rule) is refused.
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or(ApiError::Forbidden),
        )
    }
}
