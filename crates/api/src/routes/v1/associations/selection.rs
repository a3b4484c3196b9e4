//! Selection: status transitions with their history, and eligibility.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::association::entity::transition;
use empower_domain::association::rules::CheckCode;
use empower_domain::association::{self as registry, Status};
use empower_domain::audit::ActorType;
use empower_domain::db;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::profile::location;
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, NoParams, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// A recorded status change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "from": "applicant", "to": "shortlisted",
    "reason": "Strong application", "override": false, "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "occurred_at": "2026-11-27T10:00:00Z"
}))]
pub struct TransitionView {
    /// Id.
    pub id: Uuid,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Why.
    pub reason: String,
    /// An admin selected despite failed eligibility checks.
    pub r#override: bool,
    /// Who moved it: a user or a client.
    pub actor_type: ActorType,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub actor_id: Option<Uuid>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

impl From<transition::Model> for TransitionView {
    fn from(t: transition::Model) -> Self {
        Self {
            id: t.id,
            from: t.from_status,
            to: t.to_status,
            reason: t.reason,
            r#override: t.r#override,
            actor_type: t.actor_type,
            actor_id: t.actor_id,
            occurred_at: t.occurred_at,
        }
    }
}

/// List an association's transitions.
///
/// Every status change, oldest first, paginated.
#[utoipa::path(
    tag = "associations",
    operation_id = "list_association_transitions",
    params(("id" = Uuid, Path, description = "The association's id"), PageParams),
    responses(
        (status = 200, description = "A page of transitions", body = ListBody<TransitionView>),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/transitions")]
pub async fn list_association_transitions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = registry::transitions(&state.db, *id, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(TransitionView::from),
        Caching::Allowed,
    ))
}

/// Read one transition of an association.
#[utoipa::path(
    tag = "associations",
    operation_id = "get_association_transition",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("transition_id" = Uuid, Path, description = "The transition's id"),
    ),
    responses(
        (status = 200, description = "The transition", body = TransitionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such association or transition (or not yours)"),
    )
)]
#[get("/associations/{id}/transitions/{transition_id}")]
pub async fn get_association_transition(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, transition_id) = path.into_inner();
    let record = registry::transition_record(&state.db, id, transition_id, &caller.scope()).await?;
    Ok(json_with_etag(
        &req,
        &TransitionView::from(record),
        None,
        Caching::Allowed,
    ))
}

/// A status change asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "shortlisted", "reason": "Strong application, clear link with Senegal"}))]
pub struct TransitionBody {
    /// Target status.
    pub to: Status,
    /// Why (1-1000 characters).
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// Admins only: select even though eligibility checks fail.
    #[serde(default)]
    pub r#override: bool,
}

/// Change an association's status.
///
/// Moves along `applicant → shortlisted → selected → active → completed`; `rejected` and
/// `withdrawn` from any non-final status. An illegal move is 409 `illegal_transition` with the
/// allowed ones in `allowed`; of two concurrent moves from the same status one wins and the
/// other gets that 409. Moving to `selected` requires eligibility (422 naming the failed
/// checks) unless an admin gives `override: true`. The change is recorded with its reason and
/// actor; `Location` names the record, `ETag` the association's new version.
#[utoipa::path(
    tag = "associations",
    operation_id = "create_association_transition",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The association's version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = TransitionBody,
    responses(
        (status = 201, description = "Moved", body = TransitionView),
        (status = 404, description = "No such association"),
        (status = 409, description = "Not an allowed move from the current status (`illegal_transition`, with `allowed`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "Missing reason, failed eligibility, or an override by a non-admin"),
    )
)]
#[post("/associations/{id}/transitions")]
pub async fn create_association_transition(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<TransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let request = registry::TransitionRequest {
        to: body.to,
        reason: body.reason,
        override_eligibility: body.r#override,
    };
    let tx = db::begin_write(&state.db).await?;
    let (association, record) = registry::transition(
        &tx,
        &caller.audit,
        *id,
        &request,
        &if_match.0,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/transitions/{}", location(*id), record.id)),
        version_etag(association.row.version),
        &TransitionView::from(record),
        Caching::Allowed,
    ))
}

/// One eligibility check.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityCheck {
    /// Which check.
    pub code: CheckCode,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// Whether an association can be selected.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"eligible": false, "checks": [
    {"code": "based_in_belgium", "passed": true, "detail": "postal code 1060 is in brussels"},
    {"code": "woman_led", "passed": true, "detail": "led by women"},
    {"code": "priority_country_of_origin", "passed": false, "detail": "no country of origin is on the priority list"}
]}))]
pub struct Eligibility {
    /// Every check passed.
    pub eligible: bool,
    /// Each check.
    pub checks: Vec<EligibilityCheck>,
}

/// Check an association's eligibility.
///
/// The beneficiary criteria: based in Belgium (a valid postal code), led by women, at least one
/// priority country of origin.
#[utoipa::path(
    tag = "associations",
    operation_id = "get_association_eligibility",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The checks", body = Eligibility),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/eligibility")]
pub async fn get_association_eligibility(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let checks = registry::eligibility(&state.db, *id, &caller.scope()).await?;
    let body = Eligibility {
        eligible: checks.iter().all(|c| c.passed),
        checks: checks
            .into_iter()
            .map(|c| EligibilityCheck {
                code: c.code,
                passed: c.passed,
                detail: c.detail,
            })
            .collect(),
    };
    Ok(json_with_etag(&req, &body, None, Caching::Allowed))
}
