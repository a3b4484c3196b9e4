//! The months of a calendar.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::visibility::calendar;
use empower_domain::visibility::entity::calendar_entry;
use uuid::Uuid;

use super::location;
use super::schema::{EntryBody, EntryPatch, EntryView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// List a calendar's entries.
///
/// In month order, paginated. A caller bound to an association sees the entries featuring its
/// own association only.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "list_calendar_entries",
    params(("id" = Uuid, Path, description = "The deliverable's id"), PageParams),
    responses(
        (status = 200, description = "A page of entries", body = ListBody<EntryView>),
        (status = 404, description = "No such deliverable (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/calendar-entries")]
pub async fn list_calendar_entries(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = calendar::list(
        &state.db,
        *id,
        &query.page,
        caller.audience(),
        &caller.scope(),
    )
    .await?;
    Ok(page_response(
        &req,
        page.map(EntryView::from),
        Caching::Allowed,
    ))
}

/// Add a month to a calendar.
///
/// To a `calendar` (409 `wrong_deliverable_kind` otherwise) that is a `draft` (409
/// `deliverable_not_editable` otherwise); one entry a month (a second for the same month is
/// 409 `month_taken`).
#[utoipa::path(
    tag = "deliverables",
    operation_id = "create_calendar_entry",
    params(("id" = Uuid, Path, description = "The deliverable's id")),
    request_body = EntryBody,
    responses(
        (status = 201, description = "Added", body = EntryView),
        (status = 404, description = "No such deliverable or association"),
        (status = 409, description = "Not a calendar (`wrong_deliverable_kind`), not a draft (`deliverable_not_editable`), or the month has an entry (`month_taken`)"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/deliverables/{id}/calendar-entries")]
pub async fn create_calendar_entry(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<EntryBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = calendar::create(&tx, &caller.audit, *id, &input, &caller.scope()).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!(
            "{}/calendar-entries/{}",
            location(*id),
            created.row.id
        )),
        version_etag(created.row.version),
        &EntryView::from(created),
        Caching::Allowed,
    ))
}

/// Read a calendar entry.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "get_calendar_entry",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("entry_id" = Uuid, Path, description = "The entry's id"),
    ),
    responses(
        (status = 200, description = "The entry", body = EntryView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such deliverable or entry (or not yours)"),
    )
)]
#[get("/deliverables/{id}/calendar-entries/{entry_id}")]
pub async fn get_calendar_entry(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, entry_id) = path.into_inner();
    let found = calendar::get(&state.db, id, entry_id, caller.audience(), &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &EntryView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a calendar entry.
///
/// A JSON merge patch while its calendar is a `draft` (409 `deliverable_not_editable`
/// otherwise); a new month must be free (409 `month_taken`). The association is fixed.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "update_calendar_entry",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("entry_id" = Uuid, Path, description = "The entry's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = EntryPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = EntryView),
        (status = 404, description = "No such deliverable or entry"),
        (status = 409, description = "The calendar is not a draft (`deliverable_not_editable`), or the month has an entry (`month_taken`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/deliverables/{id}/calendar-entries/{entry_id}")]
pub async fn update_calendar_entry(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: MergePatch<EntryPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, entry_id) = path.into_inner();
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    calendar::get(&tx, id, entry_id, caller.audience(), &caller.scope()).await?;
    let updated =
        merge_patch::<calendar_entry::Entity, EntryBody>(&tx, &caller, entry_id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &EntryView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a calendar entry.
///
/// While its calendar is a `draft` (409 `deliverable_not_editable` otherwise).
#[utoipa::path(
    tag = "deliverables",
    operation_id = "delete_calendar_entry",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("entry_id" = Uuid, Path, description = "The entry's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such deliverable or entry"),
        (status = 409, description = "The calendar is not a draft (`deliverable_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/deliverables/{id}/calendar-entries/{entry_id}")]
pub async fn delete_calendar_entry(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, entry_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    calendar::delete(
        &tx,
        &caller.audit,
        id,
        entry_id,
        &if_match.0,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
