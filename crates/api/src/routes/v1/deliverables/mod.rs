//! Visibility deliverables: the repertoire, the briefs with their stories, the calendar with
//! its months, their review and publication, and how each was spread.

pub mod calendar_entries;
pub mod disseminations;
pub mod schema;
pub mod stories;
pub mod transitions;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::visibility::{
    self as deliverables, DeliverableFilter, DeliverableKind, DeliverableStatus,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use self::schema::{DeliverableBody, DeliverablePatch, DeliverableView};
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// Registers the deliverable operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_deliverables)
        .service(create_deliverable)
        .service(get_deliverable)
        .service(update_deliverable)
        .service(delete_deliverable)
        .service(transitions::list_deliverable_transitions)
        .service(transitions::get_deliverable_transition)
        .service(transitions::create_deliverable_transition)
        .service(stories::list_deliverable_stories)
        .service(stories::create_deliverable_story)
        .service(stories::get_deliverable_story)
        .service(stories::update_deliverable_story)
        .service(stories::delete_deliverable_story)
        .service(calendar_entries::list_calendar_entries)
        .service(calendar_entries::create_calendar_entry)
        .service(calendar_entries::get_calendar_entry)
        .service(calendar_entries::update_calendar_entry)
        .service(calendar_entries::delete_calendar_entry)
        .service(disseminations::list_disseminations)
        .service(disseminations::create_dissemination)
        .service(disseminations::get_dissemination)
        .service(disseminations::update_dissemination)
        .service(disseminations::delete_dissemination);
}

/// The location of a deliverable.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/deliverables/{id}")
}

/// Filters of the deliverable list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliverableQuery {
    /// Only of this kind.
    pub kind: Option<DeliverableKind>,
    /// Only in this status.
    pub status: Option<DeliverableStatus>,
    /// Only calendars of this year (2000-2100).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

impl From<&DeliverableQuery> for DeliverableFilter {
    fn from(q: &DeliverableQuery) -> Self {
        Self {
            kind: q.kind,
            status: q.status,
            year: q.year,
        }
    }
}

/// List deliverables.
///
/// Oldest first, paginated. Programme staff and viewers see every deliverable; an
/// association's users see those that feature their association (by the deliverable, a story
/// or a calendar entry) and the briefs still in draft, to which they may propose a story; API
/// clients (`publications:read`) see the published ones.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "list_deliverables",
    params(DeliverableQuery, PageParams),
    responses(
        (status = 200, description = "A page of deliverables", body = ListBody<DeliverableView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/deliverables")]
pub async fn list_deliverables(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<DeliverableQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = DeliverableFilter::from(&query.filter);
    let audience = caller.audience();
    let page = deliverables::list(&state.db, &filter, &query.page, audience).await?;
    Ok(page_response(
        &req,
        page.map(|d| DeliverableView::from(d).seen_by(audience)),
        Caching::Allowed,
    ))
}

/// Create a deliverable.
///
/// Created as a `draft`. A calendar names its `year`; the featured associations must exist
/// (and must have granted publication consent by the time it is published).
#[utoipa::path(
    tag = "deliverables",
    operation_id = "create_deliverable",
    request_body = DeliverableBody,
    responses(
        (status = 201, description = "Created", body = DeliverableView),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/deliverables")]
pub async fn create_deliverable(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<DeliverableBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = deliverables::create(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &DeliverableView::from(created),
        Caching::Allowed,
    ))
}

/// Read a deliverable.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "get_deliverable",
    params(("id" = Uuid, Path, description = "The deliverable's id")),
    responses(
        (status = 200, description = "The deliverable", body = DeliverableView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such deliverable (or not one you read)"),
    )
)]
#[get("/deliverables/{id}")]
pub async fn get_deliverable(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let audience = caller.audience();
    let found = deliverables::get(&state.db, *id, audience).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &DeliverableView::from(found).seen_by(audience),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a deliverable.
///
/// A JSON merge patch (`application/merge-patch+json`) while the deliverable is a `draft`
/// (409 `deliverable_not_editable` otherwise: a deliverable in review, approved or published is
/// read only; request changes to bring one in review back to draft). The kind is fixed.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "update_deliverable",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = DeliverablePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = DeliverableView),
        (status = 404, description = "No such deliverable"),
        (status = 409, description = "Not a draft (`deliverable_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/deliverables/{id}")]
pub async fn update_deliverable(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<DeliverablePatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<deliverables::Entity, DeliverableBody>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &DeliverableView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a deliverable.
///
/// A `draft` only (409 `deliverable_not_editable` otherwise); its stories and calendar entries
/// go with it. Afterwards reads are 404 and the change feed carries a `delete` for each.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "delete_deliverable",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such deliverable"),
        (status = 409, description = "Not a draft (`deliverable_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/deliverables/{id}")]
pub async fn delete_deliverable(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    deliverables::delete(&tx, &caller.audit, *id, &if_match.0).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
