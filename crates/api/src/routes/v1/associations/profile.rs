//! The association profile: list, create, read, replace (upsert), patch, delete.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use empower_domain::association::{self as registry, Association, Region, SortField, Status};
use empower_domain::policy::CallerScope;
use empower_domain::{db, resource};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::schema::{AssociationBody, AssociationPatch, AssociationView};
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, version_etag};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::{ApiError, ProblemItem, parameter_error};
use crate::routes::v1::edit::merge_patch;
use crate::schema::{CountryCode, SdgNumber};
use crate::state::AppState;

/// The location of an association.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/associations/{id}")
}

fn caching(view: &AssociationView) -> Caching {
    if view.carries_personal_data() {
        Caching::NoStore
    } else {
        Caching::Allowed
    }
}

/// An association as written, with its `Location` when created.
fn answer_written(
    written_: registry::Association,
    created: bool,
    scope: &CallerScope,
) -> HttpResponse {
    let id = written_.row.id;
    let etag = version_etag(written_.row.version);
    let view = AssociationView::of(written_, scope);
    written(created.then(|| location(id)), etag, &view, caching(&view))
}

/// Filters and sort of the association list (and of its CSV export).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssociationQuery {
    /// Only this status.
    pub status: Option<Status>,
    /// Only with this country of origin (an ISO 3166-1 alpha-2 code of `/api/v1/countries`).
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    /// Only in this region.
    pub region: Option<Region>,
    /// `true`: only with a priority country of origin; `false`: only without.
    pub priority_country: Option<bool>,
    /// Only tagged with this SDG.
    #[param(value_type = Option<SdgNumber>)]
    pub sdg: Option<i32>,
    /// Search in name and acronym, ignoring case and accents (1-200 characters).
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Only changed after this time (RFC 3339, years 1900-2100).
    pub updated_after: Option<DateTime<Utc>>,
    /// Comma-separated sort keys among `name`, `created_at`, `updated_at`, each optionally
    /// prefixed with `-` for descending (default `name`); ties are broken by id.
    #[param(
        example = "-created_at,name",
        max_length = 100,
        pattern = "^-?(name|created_at|updated_at)(,-?(name|created_at|updated_at)){0,2}$"
    )]
    pub sort: Option<String>,
}

impl AssociationQuery {
    /// The domain's filter and sort.
    pub fn split(self) -> Result<(registry::AssociationFilter, Vec<(SortField, bool)>), ApiError> {
        let sort = parse_sort(self.sort.as_deref())?;
        Ok((
            registry::AssociationFilter {
                status: self.status,
                country: self.country,
                region: self.region,
                priority_country: self.priority_country,
                sdg: self.sdg,
                q: self.q,
                updated_after: self.updated_after,
            },
            sort,
        ))
    }
}

fn parse_sort(sort: Option<&str>) -> Result<Vec<(SortField, bool)>, ApiError> {
    let Some(sort) = sort else { return Ok(vec![]) };
    let mut keys = Vec::new();
    for part in sort.split(',').map(str::trim) {
        let (name, desc) = match part.strip_prefix('-') {
            Some(name) => (name, true),
            None => (part, false),
        };
        let field = match name {
            "name" => SortField::Name,
            "created_at" => SortField::CreatedAt,
            "updated_at" => SortField::UpdatedAt,
            _ => {
                return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                    "sort",
                    format!(
                        "`{part}` is not a sort key: use name, created_at or updated_at, with - for descending"
                    ),
                )]));
            }
        };
        if keys.iter().any(|(f, _)| *f == field) {
            return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                "sort",
                format!("`{name}` is given twice"),
            )]));
        }
        keys.push((field, desc));
    }
    Ok(keys)
}

/// List associations.
///
/// Live associations, filtered, sorted and paginated. An association user or a bound API
/// client sees only its own. Contact email and phone are `null` for viewers and API clients
/// unless the association agreed to publish them. The same list as CSV is
/// `GET /api/v1/associations/export`.
#[utoipa::path(
    tag = "associations",
    operation_id = "list_associations",
    params(PageParams, AssociationQuery),
    responses((status = 200, description = "A page of associations", body = ListBody<AssociationView>))
)]
#[get("/associations")]
pub async fn list_associations(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<AssociationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort) = query.filter.split()?;
    let scope = caller.scope();
    let page = registry::list(&state.db, &filter, &sort, &query.page, &scope)
        .await
        .map_err(parameter_error)?;
    let page = page.map(|a| AssociationView::of(a, &scope));
    let caching = if page
        .items
        .iter()
        .any(AssociationView::carries_personal_data)
    {
        Caching::NoStore
    } else {
        Caching::Allowed
    };
    Ok(page_response(&req, page, caching))
}

/// Create an association.
///
/// A new applicant. The name (ignoring case and accents) and the enterprise number must be
/// free among live associations, and the name must not look like another's (409). Callers
/// bound to an association cannot create associations (403).
#[utoipa::path(
    tag = "associations",
    operation_id = "create_association",
    request_body = AssociationBody,
    responses(
        (status = 201, description = "Created", body = AssociationView),
        (status = 409, description = "The name or enterprise number is taken, or the name looks like another's (`name_confusable`)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/associations")]
pub async fn create_association(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<AssociationBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let scope = caller.scope();
    let tx = db::begin_write(&state.db).await?;
    let created = registry::create(&tx, &caller.audit, None, &input, &scope).await?;
    tx.commit().await?;
    Ok(answer_written(created, true, &scope))
}

/// Read an association.
///
/// Answers `304` to an `If-None-Match` naming the current version. Another association's is
/// 404 for a caller bound to an association.
#[utoipa::path(
    tag = "associations",
    operation_id = "get_association",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The association", body = AssociationView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}")]
pub async fn get_association(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let scope = caller.scope();
    let found: Association = registry::get(&state.db, *id, &scope).await?;
    let etag = version_etag(found.row.version);
    let view = AssociationView::of(found, &scope);
    let caching = caching(&view);
    Ok(json_with_etag(&req, &view, Some(etag), caching))
}

/// Create or replace an association (upsert).
///
/// With a client-chosen UUID: creates the association when it does not exist (201), replaces
/// its writable fields otherwise (200). A replacement that changes nothing keeps the version.
/// With `If-Match`, a stale version is 412. A caller bound to an association may replace only
/// its own (another is 404).
#[utoipa::path(
    tag = "associations",
    operation_id = "put_association",
    params(
        ("id" = Uuid, Path, description = "The association's id, chosen by the client"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body = AssociationBody,
    responses(
        (status = 200, description = "Replaced", body = AssociationView),
        (status = 201, description = "Created", body = AssociationView),
        (status = 404, description = "Not yours"),
        (status = 409, description = "The name or enterprise number is taken, the name looks like another's, or the id belonged to a deleted association"),
        (status = 412, description = "`If-Match` names another version, or the record does not exist yet (nothing to match)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[put("/associations/{id}")]
pub async fn put_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AssociationBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let scope = caller.scope();
    let tx = db::begin_write(&state.db).await?;
    let outcome = registry::upsert(&tx, &caller.audit, *id, &input, &if_match.0, &scope).await?;
    tx.commit().await?;
    Ok(answer_written(outcome.row, outcome.created, &scope))
}

/// Update an association.
///
/// A JSON merge patch (`application/merge-patch+json`) of the writable fields; every rule of
/// a full write applies to the result. Status changes go through transitions. An association
/// user may edit her own association's profile. A patch that changes nothing keeps the
/// version. With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "associations",
    operation_id = "update_association",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = AssociationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = AssociationView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 409, description = "The name or enterprise number is taken, or the name looks like another's"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/associations/{id}")]
pub async fn update_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<AssociationPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let scope = caller.scope();
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<registry::Entity, AssociationBody>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(answer_written(updated.row, false, &scope))
}

/// Delete an association.
///
/// A soft delete: afterwards reads are 404, the change feed carries a `delete`, and the name is
/// free again. With `If-Match`, a stale version is 412. A caller bound to an association
/// cannot delete one (its own: 403; another: 404).
#[utoipa::path(
    tag = "associations",
    operation_id = "delete_association",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such association (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/associations/{id}")]
pub async fn delete_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<registry::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
