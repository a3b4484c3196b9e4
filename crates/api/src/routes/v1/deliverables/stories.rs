//! The success stories of a brief.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::visibility::entity::story;
use empower_domain::visibility::stories;
use uuid::Uuid;

use super::location;
use super::schema::{StoryBody, StoryPatch, StoryView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// List a brief's stories.
///
/// Oldest first, paginated. A caller bound to an association sees the stories about its own
/// association only.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "list_deliverable_stories",
    params(("id" = Uuid, Path, description = "The deliverable's id"), PageParams),
    responses(
        (status = 200, description = "A page of stories", body = ListBody<StoryView>),
        (status = 404, description = "No such deliverable (or not one you read)"),
    )
)]
#[get("/deliverables/{id}/stories")]
pub async fn list_deliverable_stories(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = stories::list(
        &state.db,
        *id,
        &query.page,
        caller.audience(),
        &caller.scope(),
    )
    .await?;
    Ok(page_response(
        &req,
        page.map(StoryView::from),
        Caching::Allowed,
    ))
}

/// Add a story to a brief.
///
/// To a `brief` (409 `wrong_deliverable_kind` otherwise) that is a `draft` (409
/// `deliverable_not_editable` otherwise). The people named must be people of the story's
/// association. An association's users propose stories about their own association (another's
/// is 404) in briefs still in draft; staff review them with the brief.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "create_deliverable_story",
    params(("id" = Uuid, Path, description = "The deliverable's id")),
    request_body = StoryBody,
    responses(
        (status = 201, description = "Added", body = StoryView),
        (status = 404, description = "No such deliverable or association (or not yours)"),
        (status = 409, description = "Not a brief (`wrong_deliverable_kind`), or not a draft (`deliverable_not_editable`)"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/deliverables/{id}/stories")]
pub async fn create_deliverable_story(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<StoryBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = stories::create(
        &tx,
        &caller.audit,
        *id,
        &input,
        caller.audience(),
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/stories/{}", location(*id), created.row.id)),
        version_etag(created.row.version),
        &StoryView::from(created),
        Caching::Allowed,
    ))
}

/// Read a story.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "deliverables",
    operation_id = "get_deliverable_story",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("story_id" = Uuid, Path, description = "The story's id"),
    ),
    responses(
        (status = 200, description = "The story", body = StoryView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such deliverable or story (or not yours)"),
    )
)]
#[get("/deliverables/{id}/stories/{story_id}")]
pub async fn get_deliverable_story(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, story_id) = path.into_inner();
    let found = stories::get(&state.db, id, story_id, caller.audience(), &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &StoryView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a story.
///
/// A JSON merge patch while its brief is a `draft` (409 `deliverable_not_editable`
/// otherwise). The association is fixed. An association's users change only the stories it
/// proposed (403 `story_reserved` for one programme staff wrote).
#[utoipa::path(
    tag = "deliverables",
    operation_id = "update_deliverable_story",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("story_id" = Uuid, Path, description = "The story's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = StoryPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = StoryView),
        (status = 403, description = "A story programme staff wrote (`story_reserved`)"),
        (status = 404, description = "No such deliverable or story (or not yours)"),
        (status = 409, description = "The brief is not a draft (`deliverable_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/deliverables/{id}/stories/{story_id}")]
pub async fn update_deliverable_story(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: MergePatch<StoryPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, story_id) = path.into_inner();
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    stories::changeable(&tx, id, story_id, caller.audience(), &caller.scope()).await?;
    let updated =
        merge_patch::<story::Entity, StoryBody>(&tx, &caller, story_id, &if_match, &patch).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &StoryView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a story.
///
/// While its brief is a `draft` (409 `deliverable_not_editable` otherwise). An association's
/// users delete only the stories it proposed (403 `story_reserved`).
#[utoipa::path(
    tag = "deliverables",
    operation_id = "delete_deliverable_story",
    params(
        ("id" = Uuid, Path, description = "The deliverable's id"),
        ("story_id" = Uuid, Path, description = "The story's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "A story programme staff wrote (`story_reserved`)"),
        (status = 404, description = "No such deliverable or story (or not yours)"),
        (status = 409, description = "The brief is not a draft (`deliverable_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/deliverables/{id}/stories/{story_id}")]
pub async fn delete_deliverable_story(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, story_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    stories::delete(
        &tx,
        &caller.audit,
        id,
        story_id,
        &if_match.0,
        caller.audience(),
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
