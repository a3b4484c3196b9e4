//! People of an association, and their consents. Every response that carries a person is
//! `no-store`; email and phone only for admins, staff and the association's own users, and
//! every read of them is audited.

pub mod consents;
pub mod schema;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use empower_domain::person::{self, Person};
use empower_domain::{db, resource};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use self::schema::{PersonBody, PersonPatch, PersonUpsert, PersonView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::{ApiError, ProblemItem};
use crate::routes::v1::edit::merge_patch;
use crate::state::AppState;

/// Registers the people operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_association_people)
        .service(create_association_person)
        .service(get_person)
        .service(put_person)
        .service(update_person)
        .service(delete_person)
        .service(consents::list_person_consents)
        .service(consents::get_person_consent)
        .service(consents::create_person_consent);
}

/// The location of a person.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/people/{id}")
}

/// Audits the contact read when the caller sees contact data, and says whether it does.
async fn disclose(state: &AppState, caller: &Caller, people: &[Person]) -> Result<bool, ApiError> {
    let contact = caller.scope().personal_data;
    if contact {
        person::audit_contact_read(&state.db, &caller.audit, people).await?;
    }
    Ok(contact)
}

fn answer_written(caller: &Caller, p: Person, created: bool) -> HttpResponse {
    let id = p.row.id;
    let etag = version_etag(p.row.version);
    let view = PersonView::of(p, caller.scope().personal_data);
    written(created.then(|| location(id)), etag, &view, Caching::NoStore)
}

/// List an association's people.
///
/// Oldest first, paginated. Email and phone only for admins, staff and the association's own
/// users (each read is audited).
#[utoipa::path(
    tag = "people",
    operation_id = "list_association_people",
    params(("id" = Uuid, Path, description = "The association's id"), PageParams),
    responses(
        (status = 200, description = "A page of people", body = ListBody<PersonView>),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/people")]
pub async fn list_association_people(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = person::list(&state.db, *id, &query.page, &caller.scope()).await?;
    let contact = disclose(&state, &caller, &page.items).await?;
    Ok(page_response(
        &req,
        page.map(|p| PersonView::of(p, contact)),
        Caching::NoStore,
    ))
}

/// Add a person to an association.
///
/// An association user (or a client bound to the association) may add people to her own
/// association.
#[utoipa::path(
    tag = "people",
    operation_id = "create_association_person",
    params(("id" = Uuid, Path, description = "The association's id")),
    request_body = PersonBody,
    responses(
        (status = 201, description = "Created", body = PersonView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/associations/{id}/people")]
pub async fn create_association_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<PersonBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    if body.association_id.is_some_and(|a| a != *id) {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            "/association_id",
            "must be the association of the path, or absent",
        )]));
    }
    let tx = db::begin_write(&state.db).await?;
    let created = person::create(
        &tx,
        &caller.audit,
        *id,
        None,
        &body.input(),
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(answer_written(&caller, created, true))
}

/// Read a person.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = PersonView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such person (or not yours)"),
    )
)]
#[get("/people/{id}")]
pub async fn get_person(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = person::get(&state.db, *id, &caller.scope()).await?;
    let contact = disclose(&state, &caller, std::slice::from_ref(&found)).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &PersonView::of(found, contact),
        Some(etag),
        Caching::NoStore,
    ))
}

/// Create or replace a person (upsert).
///
/// With a client-chosen UUID: creates the person in `association_id` when absent (201),
/// replaces the writable fields otherwise (200; a replacement that changes nothing keeps the
/// version). A person never moves to another association.
#[utoipa::path(
    tag = "people",
    operation_id = "put_person",
    params(
        ("id" = Uuid, Path, description = "The person's id, chosen by the client"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = PersonUpsert,
    responses(
        (status = 200, description = "Replaced", body = PersonView),
        (status = 201, description = "Created", body = PersonView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 409, description = "The id belonged to a deleted person, or the person was erased (`person_erased`)"),
        (status = 412, description = "`If-Match` names another version, or the record does not exist yet (nothing to match)"),
        (status = 422, description = "A field breaks its rule, or `association_id` is missing or different"),
    )
)]
#[put("/people/{id}")]
pub async fn put_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PersonUpsert>,
) -> Result<HttpResponse, ApiError> {
    let PersonUpsert(body) = body.into_inner()?;
    let Some(association_id) = body.association_id else {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            "/association_id",
            "is required",
        )]));
    };
    let tx = db::begin_write(&state.db).await?;
    let outcome = person::upsert(
        &tx,
        &caller.audit,
        *id,
        association_id,
        &body.input(),
        &if_match.0,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(answer_written(&caller, outcome.row, outcome.created))
}

/// Update a person.
///
/// A JSON merge patch (`application/merge-patch+json`); `null` clears an optional field. A
/// patch that changes nothing keeps the version. With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "people",
    operation_id = "update_person",
    params(
        ("id" = Uuid, Path, description = "The person's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = PersonPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = PersonView),
        (status = 404, description = "No such person (or not yours)"),
        (status = 409, description = "The person was erased (`person_erased`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/people/{id}")]
pub async fn update_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<PersonPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<person::Entity, PersonBody>(&tx, &caller, *id, &if_match, &patch).await?;
    // The answer shows the whole person, contact data the patch did not send included: a
    // disclosure like a read's.
    if caller.scope().personal_data {
        person::audit_contact_read(&tx, &caller.audit, std::slice::from_ref(&updated.row)).await?;
    }
    tx.commit().await?;
    Ok(answer_written(&caller, updated.row, false))
}

/// Delete a person.
///
/// A soft delete: afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "people",
    operation_id = "delete_person",
    params(
        ("id" = Uuid, Path, description = "The person's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such person (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/people/{id}")]
pub async fn delete_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<person::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
