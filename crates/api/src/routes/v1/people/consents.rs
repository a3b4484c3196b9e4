//! A person's consents: append-only records, the latest per purpose being the current state.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use empower_domain::db;
use empower_domain::person;
use uuid::Uuid;

use super::location;
use super::schema::{ConsentBody, ConsentRecord};
use crate::auth::Caller;
use crate::extract::{ApiJson, ListQuery, NoParams, NoQuery, PageParams};
use crate::http::{Caching, ListBody, content_etag, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::state::AppState;

/// List a person's consent records.
///
/// Every record, oldest first, paginated: consents are append-only.
#[utoipa::path(
    tag = "people",
    operation_id = "list_person_consents",
    params(("id" = Uuid, Path, description = "The person's id"), PageParams),
    responses(
        (status = 200, description = "A page of records", body = ListBody<ConsentRecord>),
        (status = 404, description = "No such person (or not yours)"),
    )
)]
#[get("/people/{id}/consents")]
pub async fn list_person_consents(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = person::consents(&state.db, *id, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(ConsentRecord::from),
        Caching::NoStore,
    ))
}

/// Read one consent record of a person.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person_consent",
    params(
        ("id" = Uuid, Path, description = "The person's id"),
        ("consent_id" = Uuid, Path, description = "The record's id"),
    ),
    responses(
        (status = 200, description = "The record", body = ConsentRecord),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such person or record (or not yours)"),
    )
)]
#[get("/people/{id}/consents/{consent_id}")]
pub async fn get_person_consent(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, consent_id) = path.into_inner();
    let record = person::consent(&state.db, id, consent_id, &caller.scope()).await?;
    Ok(json_with_etag(
        &req,
        &ConsentRecord::from(record),
        None,
        Caching::NoStore,
    ))
}

/// Record a consent.
///
/// Appends a record; the latest per purpose is the person's current state. `Location` names
/// the record.
#[utoipa::path(
    tag = "people",
    operation_id = "create_person_consent",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = ConsentBody,
    responses(
        (status = 201, description = "Recorded", body = ConsentRecord),
        (status = 404, description = "No such person (or not yours)"),
        (status = 409, description = "The person was erased (`person_erased`)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/people/{id}/consents")]
pub async fn create_person_consent(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<ConsentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let input = person::ConsentInput {
        purpose: body.purpose,
        granted: body.granted,
        text_version: body.text_version,
    };
    let tx = db::begin_write(&state.db).await?;
    let record = person::record_consent(&tx, &caller.audit, *id, &input, &caller.scope()).await?;
    tx.commit().await?;
    let view = ConsentRecord::from(record);
    let etag = content_etag(&serde_json::to_vec(&view).unwrap_or_default());
    Ok(written(
        Some(format!("{}/consents/{}", location(*id), view.id)),
        etag,
        &view,
        Caching::NoStore,
    ))
}
