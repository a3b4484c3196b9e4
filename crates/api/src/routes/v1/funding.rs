//! Funding applications of an association: what the fundraising training should lead to.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::funding::{self, FundingInput, FundingStatus, Model, format_cents};
use empower_domain::{db, resource};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Patch, non_null,
    nullable, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// Registers the funding-application operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_funding_applications)
        .service(create_funding_application)
        .service(get_funding_application)
        .service(update_funding_application)
        .service(delete_funding_application);
}

/// An amount in euros: a decimal string such as `"1250.50"` or a JSON number.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// `"1250.50"`: 0 or more, at most 2 decimals.
    Text(String),
    /// `1250.5`.
    Number(serde_json::Number),
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        let text = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[0-9]{1,10}(\\.[0-9]{1,2})?$"))
            .examples(["1250.50"]);
        let number = ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(0))
            .maximum(Some(1_000_000_000))
            .examples([1250.5]);
        OneOfBuilder::new()
            .item(text)
            .item(number)
            .description(Some(
                "EUR, 0 or more, at most 2 decimals: a decimal string such as `\"1250.50\"` or a JSON number.",
            ))
            .into()
    }
}

impl ToSchema for Amount {}

impl Amount {
    fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Number(n) => n.to_string(),
        }
    }
}

/// A funding application's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation",
    "submitted_on": "2026-10-01", "amount_requested": "12500.00", "status": "submitted"
}))]
pub struct FundingBody {
    /// The call for proposals (1-200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub call_title: String,
    /// Who funds it (1-200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub funder: String,
    /// When it was submitted; required once submitted, not in the future, not before 1900.
    pub submitted_on: Option<NaiveDate>,
    /// EUR, 0 or more, at most 2 decimals.
    pub amount_requested: Amount,
    /// Where it stands.
    pub status: FundingStatus,
    /// EUR, only when granted, at most the amount requested.
    pub amount_granted: Option<Amount>,
}

impl Fields<FundingInput> for FundingBody {
    fn into_input(self) -> FundingInput {
        FundingInput {
            call_title: self.call_title.clone(),
            funder: self.funder.clone(),
            submitted_on: self.submitted_on,
            amount_requested: self.amount_requested.text(),
            status: self.status,
            amount_granted: self.amount_granted.as_ref().map(Amount::text),
        }
    }

    fn from_input(input: FundingInput) -> Self {
        Self {
            call_title: input.call_title,
            funder: input.funder,
            submitted_on: input.submitted_on,
            amount_requested: Amount::Text(input.amount_requested),
            status: input.status,
            amount_granted: input.amount_granted.map(Amount::Text),
        }
    }
}

/// A merge patch of a funding application: absent fields stay, `null` clears a field that
/// can be empty. The result must keep every rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "granted", "amount_granted": "10000.00"}))]
pub struct FundingPatch {
    /// The call for proposals; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub call_title: Option<String>,
    /// Who funds it; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub funder: Option<String>,
    /// When it was submitted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub submitted_on: Option<Option<NaiveDate>>,
    /// EUR; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Amount)]
    pub amount_requested: Option<Amount>,
    /// Where it stands; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = FundingStatus)]
    pub status: Option<FundingStatus>,
    /// EUR, only when granted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Amount>)]
    pub amount_granted: Option<Option<Amount>>,
}

impl Patch for FundingPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/association_id",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A funding application as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "call_title": "Diaspora initiatives 2026", "funder": "Demo Foundation", "submitted_on": "2026-10-01",
    "amount_requested": "12500.00", "status": "granted", "amount_granted": "10000.00", "version": 2,
    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct FundingView {
    /// Id.
    pub id: Uuid,
    /// The association.
    pub association_id: Uuid,
    /// The call for proposals.
    pub call_title: String,
    /// Who funds it.
    pub funder: String,
    /// When it was submitted.
    #[schema(required = true)]
    pub submitted_on: Option<NaiveDate>,
    /// EUR, `"12500.00"`.
    #[schema(pattern = "^[0-9]+\\.[0-9]{2}$")]
    pub amount_requested: String,
    /// Where it stands.
    pub status: FundingStatus,
    /// EUR, when granted.
    #[schema(required = true, pattern = "^[0-9]+\\.[0-9]{2}$")]
    pub amount_granted: Option<String>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Model> for FundingView {
    fn from(m: Model) -> Self {
        Self {
            id: m.id,
            association_id: m.association_id,
            status: m.status,
            call_title: m.call_title,
            funder: m.funder,
            submitted_on: m.submitted_on,
            amount_requested: format_cents(m.amount_requested_cents),
            amount_granted: m.amount_granted_cents.map(format_cents),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The location of an application.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/funding-applications/{id}")
}

/// List an association's funding applications.
///
/// Oldest first, paginated.
#[utoipa::path(
    tag = "funding",
    operation_id = "list_funding_applications",
    params(("id" = Uuid, Path, description = "The association's id"), PageParams),
    responses(
        (status = 200, description = "A page of applications", body = ListBody<FundingView>),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/funding-applications")]
pub async fn list_funding_applications(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = funding::list(&state.db, *id, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(FundingView::from),
        Caching::Allowed,
    ))
}

/// Record a funding application.
///
/// `amount_granted` only when granted and at most the amount requested; `submitted_on` once
/// submitted.
#[utoipa::path(
    tag = "funding",
    operation_id = "create_funding_application",
    params(("id" = Uuid, Path, description = "The association's id")),
    request_body = FundingBody,
    responses(
        (status = 201, description = "Recorded", body = FundingView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/associations/{id}/funding-applications")]
pub async fn create_funding_application(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<FundingBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = funding::create(&tx, &caller.audit, *id, &input, &caller.scope()).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.id)),
        version_etag(created.version),
        &FundingView::from(created),
        Caching::Allowed,
    ))
}

/// Read a funding application.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "funding",
    operation_id = "get_funding_application",
    params(("id" = Uuid, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = FundingView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such application (or not yours)"),
    )
)]
#[get("/funding-applications/{id}")]
pub async fn get_funding_application(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = funding::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &FundingView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a funding application.
///
/// A JSON merge patch (`application/merge-patch+json`); the result must keep every rule. A
/// patch that changes nothing keeps the version. With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "funding",
    operation_id = "update_funding_application",
    params(
        ("id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = FundingPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = FundingView),
        (status = 404, description = "No such application (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/funding-applications/{id}")]
pub async fn update_funding_application(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<FundingPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<funding::Entity, FundingBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.version),
        &FundingView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a funding application.
///
/// A soft delete: afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "funding",
    operation_id = "delete_funding_application",
    params(
        ("id" = Uuid, Path, description = "The application's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such application (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/funding-applications/{id}")]
pub async fn delete_funding_application(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<funding::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
