//! Stakeholder organisations: guests of training days, and the programme's new contacts.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::partner::{self, Model, PartnerInput, PartnerKind};
use empower_domain::{db, resource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Patch, non_null, nullable,
    version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// Registers the partner operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_partners)
        .service(create_partner)
        .service(get_partner)
        .service(update_partner)
        .service(delete_partner);
}

/// A partner's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Brussels Peace Network (demo)", "kind": "peacebuilding_org", "country": "BE",
    "website": "https://peace.demo.example", "contact_email": "info@peace.demo.example",
    "notes": "Met at the 2026 networking day.", "first_contact_on": "2026-03-12"
}))]
pub struct PartnerBody {
    /// 1-200 characters; unique, ignoring case and accents.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// What kind of organisation.
    pub kind: PartnerKind,
    /// ISO 3166-1 alpha-2 code of `/api/v1/countries`.
    #[schema(max_length = 2)]
    pub country: Option<String>,
    /// An http or https address.
    #[schema(max_length = 300)]
    pub website: Option<String>,
    /// A contact address. It may name a person, so only callers who may see personal data
    /// read it.
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    /// Free notes, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// When the programme first met it; not in the future.
    pub first_contact_on: Option<NaiveDate>,
}

impl Fields<PartnerInput> for PartnerBody {
    fn into_input(self) -> PartnerInput {
        PartnerInput {
            name: self.name.clone(),
            kind: self.kind,
            country: self.country.clone(),
            website: self.website.clone(),
            contact_email: self.contact_email.clone(),
            notes: self.notes.clone(),
            first_contact_on: self.first_contact_on,
        }
    }

    fn from_input(input: PartnerInput) -> Self {
        Self {
            name: input.name,
            kind: input.kind,
            country: input.country,
            website: input.website,
            contact_email: input.contact_email,
            notes: input.notes,
            first_contact_on: input.first_contact_on,
        }
    }
}

/// A merge patch of a partner: absent fields stay, `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notes": "Co-hosts the peacebuilding workshop."}))]
pub struct PartnerPatch {
    /// The name; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// The kind; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = PartnerKind)]
    pub kind: Option<PartnerKind>,
    /// Country code.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2)]
    pub country: Option<Option<String>>,
    /// Website.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub website: Option<Option<String>>,
    /// Contact address.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub contact_email: Option<Option<String>>,
    /// Notes.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
    /// First contact.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub first_contact_on: Option<Option<NaiveDate>>,
}

impl Patch for PartnerPatch {
    const READ_ONLY: &'static [&'static str] = &["/id", "/version", "/created_at", "/updated_at"];
}

/// A partner as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "name": "Brussels Peace Network (demo)",
    "kind": "peacebuilding_org", "country": "BE", "website": "https://peace.demo.example",
    "contact_email": "info@peace.demo.example", "notes": "Co-hosts the peacebuilding workshop.",
    "first_contact_on": "2026-03-12",
    "version": 1, "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"
}))]
pub struct PartnerView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PartnerKind,
    /// Country code.
    #[schema(required = true)]
    pub country: Option<String>,
    /// Website.
    #[schema(required = true)]
    pub website: Option<String>,
    /// Contact address: only for programme staff (admin, staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_email: Option<String>,
    /// Staff's notes (they may name people): only for programme staff (admin, staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub notes: Option<String>,
    /// First contact.
    #[schema(required = true)]
    pub first_contact_on: Option<NaiveDate>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl PartnerView {
    fn of(m: Model, contact: bool) -> Self {
        Self {
            id: m.id,
            name: m.name,
            kind: m.kind,
            country: m.country,
            website: m.website,
            contact_email: m.contact_email.filter(|_| contact),
            notes: m.notes.filter(|_| contact),
            first_contact_on: m.first_contact_on,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Whether the caller reads partners' contact addresses and notes, which may name people:
/// programme staff only (neither viewers, nor API clients, nor associations' users).
fn staff(caller: &Caller) -> bool {
    let scope = caller.scope();
    scope.personal_data && scope.bound_to.is_none()
}

/// The location of a partner.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/partners/{id}")
}

/// Filters of the partner list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Only of this kind.
    pub kind: Option<PartnerKind>,
}

/// List partners.
///
/// By name, paginated. `contact_email` and `notes` only for programme staff.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_partners",
    params(PartnerQuery, PageParams),
    responses(
        (status = 200, description = "A page of partners", body = ListBody<PartnerView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/partners")]
pub async fn list_partners(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<PartnerQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = partner::list(&state.db, query.filter.kind, &query.page).await?;
    let contact = staff(&caller);
    Ok(page_response(
        &req,
        page.map(|p| PartnerView::of(p, contact)),
        Caching::no_store_if(contact),
    ))
}

/// Record a partner.
///
/// A name already in use (ignoring case and accents) is 409.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_partner",
    request_body = PartnerBody,
    responses(
        (status = 201, description = "Recorded", body = PartnerView),
        (status = 409, description = "A partner has this name"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/partners")]
pub async fn create_partner(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<PartnerBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = partner::create(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    let contact = staff(&caller);
    Ok(written(
        Some(location(created.id)),
        version_etag(created.version),
        &PartnerView::of(created, contact),
        Caching::no_store_if(contact),
    ))
}

/// Read a partner.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "partners",
    operation_id = "get_partner",
    params(("id" = Uuid, Path, description = "The partner's id")),
    responses(
        (status = 200, description = "The partner", body = PartnerView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such partner"),
    )
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = partner::get(&state.db, *id, &caller.scope()).await?;
    let contact = staff(&caller);
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &PartnerView::of(found, contact),
        Some(etag),
        Caching::no_store_if(contact),
    ))
}

/// Update a partner.
///
/// A JSON merge patch (`application/merge-patch+json`); the result must keep every rule. With
/// `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "partners",
    operation_id = "update_partner",
    params(
        ("id" = Uuid, Path, description = "The partner's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = PartnerPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = PartnerView),
        (status = 404, description = "No such partner"),
        (status = 409, description = "Another partner has this name"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<PartnerPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<partner::Entity, PartnerBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    let contact = staff(&caller);
    Ok(written(
        None,
        version_etag(updated.row.version),
        &PartnerView::of(updated.row, contact),
        Caching::no_store_if(contact),
    ))
}

/// Delete a partner.
///
/// A soft delete: afterwards reads are 404 and the change feed carries a `delete`. Sessions
/// that listed it as a guest keep its id.
#[utoipa::path(
    tag = "partners",
    operation_id = "delete_partner",
    params(
        ("id" = Uuid, Path, description = "The partner's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such partner"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/partners/{id}")]
pub async fn delete_partner(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<partner::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
