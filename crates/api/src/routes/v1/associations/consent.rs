//! Publication consent history.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use empower_domain::association::consent;
use empower_domain::audit::ActorType;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::schema::PublishableField;
use crate::auth::Caller;
use crate::extract::{ListQuery, NoParams, PageParams};
use crate::http::{Caching, ListBody, page_response};
use crate::problem::ApiError;
use crate::state::AppState;

/// One recorded change of an association's publication consent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "granted": true,
    "fields": ["name", "city"], "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "recorded_at": "2026-11-27T10:00:00Z"}))]
pub struct ConsentChange {
    /// Id.
    pub id: Uuid,
    /// Consent given.
    pub granted: bool,
    /// Publishable fields from then on.
    pub fields: Vec<PublishableField>,
    /// Who recorded it: a user, a client or the server.
    pub actor_type: ActorType,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub actor_id: Option<Uuid>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl From<consent::ConsentRecord> for ConsentChange {
    fn from(c: consent::ConsentRecord) -> Self {
        Self {
            id: c.row.id,
            granted: c.row.granted,
            fields: c
                .fields
                .iter()
                .filter_map(|f| PublishableField::parse(f))
                .collect(),
            actor_type: c.row.actor_type,
            actor_id: c.row.actor_id,
            recorded_at: c.row.recorded_at,
        }
    }
}

/// List an association's publication-consent changes.
///
/// Every recorded consent, oldest first (the first is the consent given at creation), paginated.
#[utoipa::path(
    tag = "associations",
    operation_id = "list_publication_consent_changes",
    params(("id" = Uuid, Path, description = "The association's id"), PageParams),
    responses(
        (status = 200, description = "A page of changes", body = ListBody<ConsentChange>),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/publication-consents")]
pub async fn list_publication_consent_changes(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = consent::history(&state.db, *id, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(ConsentChange::from),
        Caching::Allowed,
    ))
}
