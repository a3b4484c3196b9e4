//! The review cycle of a restitution: its moves, with their history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::audit::ActorType;
use empower_domain::db;
use empower_domain::restitution::RestitutionStatus;
use empower_domain::restitution::entity::transition;
use empower_domain::restitution::transitions::{self, TransitionRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::location;
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, NoParams, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// A recorded move of a restitution.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "from": "reported", "to": "returned",
    "comment": "Please add the signed attendance sheet", "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "occurred_at": "2026-11-27T10:00:00Z"
}))]
pub struct RestitutionTransitionView {
    /// Id.
    pub id: Uuid,
    /// Status before.
    pub from: RestitutionStatus,
    /// Status after.
    pub to: RestitutionStatus,
    /// Why.
    #[schema(required = true)]
    pub comment: Option<String>,
    /// Who moved it: a user or a client.
    pub actor_type: ActorType,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub actor_id: Option<Uuid>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

impl From<transition::Model> for RestitutionTransitionView {
    fn from(t: transition::Model) -> Self {
        Self {
            id: t.id,
            from: t.from_status,
            to: t.to_status,
            comment: t.comment,
            actor_type: t.actor_type,
            actor_id: t.actor_id,
            occurred_at: t.occurred_at,
        }
    }
}

/// List a restitution's moves.
///
/// Every status change, oldest first, paginated.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "list_restitution_transitions",
    params(("id" = Uuid, Path, description = "The restitution's id"), PageParams),
    responses(
        (status = 200, description = "A page of moves", body = ListBody<RestitutionTransitionView>),
        (status = 404, description = "No such restitution (or not yours)"),
    )
)]
#[get("/restitutions/{id}/transitions")]
pub async fn list_restitution_transitions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = transitions::list(&state.db, *id, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(RestitutionTransitionView::from),
        Caching::Allowed,
    ))
}

/// Read one move of a restitution.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "get_restitution_transition",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("transition_id" = Uuid, Path, description = "The move's id"),
    ),
    responses(
        (status = 200, description = "The move", body = RestitutionTransitionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such restitution or move (or not yours)"),
    )
)]
#[get("/restitutions/{id}/transitions/{transition_id}")]
pub async fn get_restitution_transition(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, transition_id) = path.into_inner();
    let record = transitions::get(&state.db, id, transition_id, &caller.scope()).await?;
    Ok(json_with_etag(
        &req,
        &RestitutionTransitionView::from(record),
        None,
        Caching::Allowed,
    ))
}

/// A move asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "returned", "comment": "Please add the signed attendance sheet"}))]
pub struct RestitutionTransitionBody {
    /// Target status.
    pub to: RestitutionStatus,
    /// Why: required to return a report (1-1000 characters), optional otherwise.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

/// Move a restitution along its review cycle.
///
/// `planned → reported → validated`; `reported → returned` (with a `comment` saying what to
/// change) `→ reported`; `planned → cancelled`. Validating and returning are for programme
/// staff (`admin`, `staff`): anyone else gets 403 `review_reserved`. An illegal move is 409
/// `illegal_transition` with the allowed ones in `allowed`; of concurrent moves from one status
/// exactly one wins. Reporting needs, each a 422 with its own code: `held_on`
/// (`held_on_required`), not in the future (`held_in_future`), at least one attendee
/// (`no_attendees`), at least one evidence item (`evidence_required`), and facilitators who
/// completed the modules by then (`facilitator_not_trained`, `held_before_training`). Only
/// `validated` restitutions count in the indicators; `reported` ones are pending.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "create_restitution_transition",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The restitution's version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = RestitutionTransitionBody,
    responses(
        (status = 201, description = "Moved", body = RestitutionTransitionView),
        (status = 403, description = "Validating or returning is for programme staff (`review_reserved`)"),
        (status = 404, description = "No such restitution (or not yours)"),
        (status = 409, description = "Not an allowed move from the current status (`illegal_transition`, with `allowed`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A missing comment, or a report that lacks what it needs"),
    )
)]
#[post("/restitutions/{id}/transitions")]
pub async fn create_restitution_transition(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RestitutionTransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let request = TransitionRequest {
        to: body.to,
        comment: body.comment,
    };
    let tx = db::begin_write(&state.db).await?;
    let (restitution, record) = transitions::transition(
        &tx,
        &caller.audit,
        *id,
        &request,
        &if_match.0,
        &caller.scope(),
        caller.reviews(),
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/transitions/{}", location(*id), record.id)),
        version_etag(restitution.row.version),
        &RestitutionTransitionView::from(record),
        Caching::Allowed,
    ))
}
