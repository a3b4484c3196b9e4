//! How a published deliverable was spread.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::visibility::disseminations;
use empower_domain::visibility::entity::dissemination;
use uuid::Uuid;

use super::location;
use super::schema::{DisseminationBody, DisseminationPatch, DisseminationView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// List a deliverable's dissemination records.
///
/// Oldest first, paginated.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "list_disseminations",
    params(("id" = Uuid, Path, description = "The deliverable's id"), PageParams),
    responses(
        (status = 200, description = "A page of records", body = ListBody<DisseminationView>),
        (status = 404, description = "No such deliverable (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/disseminations")]
pub async fn list_disseminations(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = disseminations::list(&state.db, *id, &query.page, caller.audience()).await?;
    Ok(page_response(
        &req,
        page.map(DisseminationView::from),
        Caching::Allowed,
    ))
}

/// Record how a deliverable was spread.
///
/// For a `published` or `archived` deliverable only (409 `deliverable_not_published`
/// otherwise): when, through which channel, to whom, how many copies and, when known, how many
/// people it reached.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "create_dissemination",
    params(("id" = Uuid, Path, description = "The deliverable's id")),
    request_body = DisseminationBody,
    responses(
        (status = 201, description = "Recorded", body = DisseminationView),
        (status = 404, description = "No such deliverable"),
        (status = 409, description = "Not published (`deliverable_not_published`)"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/deliverables/{id}/disseminations")]
pub async fn create_dissemination(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<DisseminationBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = disseminations::create(&tx, &caller.audit, *id, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/disseminations/{}", location(*id), created.id)),
        version_etag(created.version),
        &DisseminationView::from(created),
        Caching::Allowed,
    ))
}

/// Read a dissemination record.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "get_dissemination",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("dissemination_id" = Uuid, Path, description = "The record's id"),
    ),
    responses(
        (status = 200, description = "The record", body = DisseminationView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such deliverable or record (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/disseminations/{dissemination_id}")]
pub async fn get_dissemination(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, record_id) = path.into_inner();
    let found = disseminations::get(&state.db, id, record_id, caller.audience()).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &DisseminationView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a dissemination record.
///
/// A JSON merge patch.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "update_dissemination",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("dissemination_id" = Uuid, Path, description = "The record's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = DisseminationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = DisseminationView),
        (status = 404, description = "No such deliverable or record"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/deliverables/{id}/disseminations/{dissemination_id}")]
pub async fn update_dissemination(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: MergePatch<DisseminationPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, record_id) = path.into_inner();
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    disseminations::get(&tx, id, record_id, caller.audience()).await?;
    let updated = merge_patch::<dissemination::Entity, DisseminationBody>(
        &tx, &caller, record_id, &if_match, &patch,
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.version),
        &DisseminationView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a dissemination record.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "delete_dissemination",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("dissemination_id" = Uuid, Path, description = "The record's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such deliverable or record"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/deliverables/{id}/disseminations/{dissemination_id}")]
pub async fn delete_dissemination(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, record_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    disseminations::delete(&tx, &caller.audit, id, record_id, &if_match.0).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
