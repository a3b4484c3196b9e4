//! The audit log (admin): who did what to which record, when, from where.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use empower_domain::audit::{self, ActorType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{ListQuery, PageParams};
use crate::http::{Caching, ListBody, page_response};
use crate::problem::{ApiError, parameter_error};
use crate::state::AppState;

/// Registers the audit-log operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_log);
}

/// One audited action. Never a field value, password, token or secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "occurred_at": "2026-11-27T10:00:00Z",
    "actor_type": "user", "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001",
    "action": "user.created", "target_type": "user",
    "target_id": "0190f5a4-7c1e-7d2a-9b1e-000000000002",
    "request_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8f", "source_address": "127.0.0.1"
}))]
pub struct AuditEntry {
    /// Id (UUID v7, sorts by time).
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who acted: a user, a client, nobody authenticated, or the server.
    pub actor_type: ActorType,
    /// The acting user's or client's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub actor_id: Option<Uuid>,
    /// What was done, such as `login.failed`, `user.created`, `refresh.reuse_detected`.
    pub action: String,
    /// The kind of record acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub target_type: Option<String>,
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub target_id: Option<String>,
    /// The request it happened in.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// The caller's network address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_address: Option<String>,
}

impl From<audit::Model> for AuditEntry {
    fn from(a: audit::Model) -> Self {
        Self {
            id: a.id,
            occurred_at: a.occurred_at,
            actor_type: a.actor_type,
            actor_id: a.actor_id,
            action: a.action,
            target_type: a.target_type,
            target_id: a.target_id,
            request_id: a.request_id,
            source_address: a.source_address,
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this actor's actions.
    pub actor_id: Option<Uuid>,
    /// Only this action, such as `login.failed`.
    #[param(max_length = 60)]
    pub action: Option<String>,
    /// Only actions on this kind of record, such as `user`.
    #[param(max_length = 40)]
    pub target_type: Option<String>,
    /// Only actions on this record.
    #[param(max_length = 100)]
    pub target_id: Option<String>,
    /// Only actions at or after this time (RFC 3339, years 1900-2100).
    pub occurred_after: Option<DateTime<Utc>>,
    /// Only actions before this time (RFC 3339, years 1900-2100).
    pub occurred_before: Option<DateTime<Utc>>,
}

/// List the audit log.
///
/// Newest first, paginated: logins (success, failure, throttling), token issuance, refresh-token
/// reuse, and changes to users and API clients.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_log",
    params(PageParams, AuditQuery),
    responses((status = 200, description = "A page of entries", body = ListBody<AuditEntry>))
)]
#[get("/audit-log")]
pub async fn list_audit_log(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.filter;
    let filter = audit::AuditFilter {
        actor_id: q.actor_id,
        action: q.action,
        target_type: q.target_type,
        target_id: q.target_id,
        occurred_after: q.occurred_after,
        occurred_before: q.occurred_before,
    };
    let page = audit::list(&state.db, &filter, &query.page)
        .await
        .map_err(parameter_error)?;
    Ok(page_response(
        &req,
        page.map(AuditEntry::from),
        Caching::NoStore,
    ))
}
