//! The review and publication of a deliverable: its moves, with their history.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::audit::ActorType;
use empower_domain::db;
use empower_domain::visibility::DeliverableStatus;
use empower_domain::visibility::entity::transition;
use empower_domain::visibility::transitions::{self, TransitionRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::location;
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, NoParams, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// A recorded move of a deliverable.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8f", "from": "in_review", "to": "draft",
    "comment": "Please add the Dutch summary", "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "occurred_at": "2026-11-27T10:00:00Z"
}))]
pub struct DeliverableTransitionView {
    /// Id.
    pub id: Uuid,
    /// Status before.
    pub from: DeliverableStatus,
    /// Status after.
    pub to: DeliverableStatus,
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

impl From<transition::Model> for DeliverableTransitionView {
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

/// List a deliverable's moves.
///
/// Every status change, oldest first, paginated.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "list_deliverable_transitions",
    params(("id" = Uuid, Path, description = "The deliverable's id"), PageParams),
    responses(
        (status = 200, description = "A page of moves", body = ListBody<DeliverableTransitionView>),
        (status = 404, description = "No such deliverable (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/transitions")]
pub async fn list_deliverable_transitions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = transitions::list(&state.db, *id, &query.page, caller.audience()).await?;
    Ok(page_response(
        &req,
        page.map(DeliverableTransitionView::from),
        Caching::Allowed,
    ))
}

/// Read one move of a deliverable.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "get_deliverable_transition",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("transition_id" = Uuid, Path, description = "The move's id"),
    ),
    responses(
        (status = 200, description = "The move", body = DeliverableTransitionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such deliverable or move (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/transitions/{transition_id}")]
pub async fn get_deliverable_transition(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, transition_id) = path.into_inner();
    let record = transitions::get_one(&state.db, id, transition_id, caller.audience()).await?;
    Ok(json_with_etag(
        &req,
        &DeliverableTransitionView::from(record),
        None,
        Caching::Allowed,
    ))
}

/// A move asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "draft", "comment": "Please add the Dutch summary"}))]
pub struct DeliverableTransitionBody {
    /// Target status.
    pub to: DeliverableStatus,
    /// Why: required to request changes (`in_review → draft`, 1-1000 characters), optional
    /// otherwise.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

/// Move a deliverable along its workflow.
///
/// `draft → in_review → approved → published → archived`; `in_review → draft` requests
/// changes (with a `comment`). Programme staff only. An illegal move is 409
/// `illegal_transition` with the allowed ones in `allowed`; of concurrent moves from one status
/// exactly one wins. Publishing sets `published_on` (today, Brussels time) and checks, each a
/// 422 with its own code: a brief has at least one story (`brief_without_stories`) and every
/// person a story names has a current `publication` consent (`person_consent_missing`); a
/// calendar has one entry for each of the 12 months (`calendar_incomplete`); every association
/// featured by the deliverable, a story or an entry has granted publication consent
/// (`association_consent_missing`). A second published calendar of the same year is 409
/// `calendar_year_taken`.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "create_deliverable_transition",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The deliverable's version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = DeliverableTransitionBody,
    responses(
        (status = 201, description = "Moved", body = DeliverableTransitionView),
        (status = 404, description = "No such deliverable"),
        (status = 409, description = "Not an allowed move from the current status (`illegal_transition`, with `allowed`), or another calendar of the year is published (`calendar_year_taken`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A missing comment, or a publishing check that fails"),
    )
)]
#[post("/deliverables/{id}/transitions")]
pub async fn create_deliverable_transition(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<DeliverableTransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let request = TransitionRequest {
        to: body.to,
        comment: body.comment,
    };
    let tx = db::begin_write(&state.db).await?;
    let (deliverable, record) =
        transitions::transition(&tx, &caller.audit, *id, &request, &if_match.0).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/transitions/{}", location(*id), record.id)),
        version_etag(deliverable.row.version),
        &DeliverableTransitionView::from(record),
        Caching::Allowed,
    ))
}
