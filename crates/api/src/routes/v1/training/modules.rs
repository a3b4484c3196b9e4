//! Modules: the programme's three, and any staff add.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::localized::LocalizedText;
use empower_domain::training::{Module, ModuleDay, ModuleInput, modules};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Patch, non_null,
    version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

fn default_pct() -> i32 {
    75
}

fn default_max() -> i32 {
    2
}

/// A module's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "M4", "title": {"en": "Advocacy and communication", "fr": "Plaidoyer et communication"},
    "description": {"en": "Making the associations' voice heard."}, "planned_days": 2,
    "min_attendance_pct": 75, "max_representatives_per_association": 2,
    "days": [
        {"day_number": 1, "topic": {"en": "Advocacy"}, "guest_day": false},
        {"day_number": 2, "topic": {"en": "Working with the media"}, "guest_day": true}
    ]
}))]
pub struct ModuleBody {
    /// `M` and a number (`M4`), unique among modules.
    #[schema(pattern = "^M[1-9][0-9]{0,2}$")]
    pub code: String,
    /// Each language 1-200 characters; at least one language.
    pub title: LocalizedText,
    /// Each language at most 4000 characters; at least one language.
    pub description: LocalizedText,
    /// 1-30.
    #[schema(minimum = 1, maximum = 30)]
    pub planned_days: i32,
    /// Share of days to attend to complete the module, 1-100 (default 75).
    #[serde(default = "default_pct")]
    #[schema(minimum = 1, maximum = 100, default = 75)]
    pub min_attendance_pct: i32,
    /// 1-20 (default 2).
    #[serde(default = "default_max")]
    #[schema(minimum = 1, maximum = 20, default = 2)]
    pub max_representatives_per_association: i32,
    /// One per day, numbered 1 to `planned_days`.
    #[schema(max_items = 30)]
    pub days: Vec<ModuleDay>,
}

impl Fields<ModuleInput> for ModuleBody {
    fn into_input(self) -> ModuleInput {
        ModuleInput {
            code: self.code.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            planned_days: self.planned_days,
            min_attendance_pct: self.min_attendance_pct,
            max_representatives_per_association: self.max_representatives_per_association,
            days: self.days.clone(),
        }
    }

    fn from_input(input: ModuleInput) -> Self {
        Self {
            code: input.code,
            title: input.title,
            description: input.description,
            planned_days: input.planned_days,
            min_attendance_pct: input.min_attendance_pct,
            max_representatives_per_association: input.max_representatives_per_association,
            days: input.days,
        }
    }
}

/// A merge patch of a module: absent fields stay; a language object merges by language
/// (`{"title": {"nl": "..."}}` adds Dutch); `days` is replaced whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min_attendance_pct": 80}))]
pub struct ModulePatch {
    /// The code; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, pattern = "^M[1-9][0-9]{0,2}$")]
    pub code: Option<String>,
    /// The title, by language (`null` removes a language).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<LocalizedTextPatch>,
    /// The description, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub description: Option<LocalizedTextPatch>,
    /// 1-30.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 30)]
    pub planned_days: Option<i32>,
    /// 1-100.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 100)]
    pub min_attendance_pct: Option<i32>,
    /// 1-20.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 20)]
    pub max_representatives_per_association: Option<i32>,
    /// The days, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<ModuleDay>, max_items = 30)]
    pub days: Option<Vec<ModuleDay>>,
}

/// A merge patch of a localized text: a language given replaces it, `null` removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalizedTextPatch {
    /// English.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub en: Option<String>,
    /// French.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub fr: Option<String>,
    /// Dutch.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub nl: Option<String>,
}

impl Patch for ModulePatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/required_days",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A module as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ac000-0000-7000-8000-000000000002", "code": "M2",
    "title": {"en": "Migration and development, and the role of women", "fr": "Migration et développement, et le rôle des femmes"},
    "description": {"en": "The ways a diaspora contributes to development, with a gender lens."},
    "planned_days": 3, "min_attendance_pct": 75, "required_days": 3,
    "max_representatives_per_association": 2,
    "days": [
        {"day_number": 1, "topic": {"en": "Diaspora contributions to development"}, "guest_day": false},
        {"day_number": 2, "topic": {"en": "Remittances and resources, with a gender lens"}, "guest_day": false},
        {"day_number": 3, "topic": {"en": "Joint day with experienced diaspora associations"}, "guest_day": true}
    ],
    "version": 1, "created_at": "2026-11-28T00:00:00Z", "updated_at": "2026-11-28T00:00:00Z"
}))]
pub struct ModuleView {
    /// Id.
    pub id: Uuid,
    /// `M1`, `M2`...
    pub code: String,
    /// Title by language.
    pub title: LocalizedText,
    /// Description by language.
    pub description: LocalizedText,
    /// Days the module has.
    pub planned_days: i32,
    /// Share of days to attend, in percent.
    pub min_attendance_pct: i32,
    /// Days to attend to complete it: `ceil(planned_days × min_attendance_pct / 100)`.
    pub required_days: i32,
    /// Representatives of one association enrolled at most.
    pub max_representatives_per_association: i32,
    /// The days, in order.
    pub days: Vec<ModuleDay>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Module> for ModuleView {
    fn from(m: Module) -> Self {
        Self {
            required_days: m.required_days(),
            id: m.row.id,
            code: m.row.code,
            title: m.title,
            description: m.description,
            planned_days: m.row.planned_days,
            min_attendance_pct: m.row.min_attendance_pct,
            max_representatives_per_association: m.row.max_representatives_per_association,
            days: m.days,
            version: m.row.version,
            created_at: m.row.created_at,
            updated_at: m.row.updated_at,
        }
    }
}

/// The location of a module.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/modules/{id}")
}

/// List modules.
///
/// In the order they were added: the programme's three first.
#[utoipa::path(
    tag = "training",
    operation_id = "list_modules",
    params(PageParams),
    responses((status = 200, description = "A page of modules", body = ListBody<ModuleView>))
)]
#[get("/modules")]
pub async fn list_modules(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = modules::list(&state.db, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(ModuleView::from),
        Caching::Allowed,
    ))
}

/// Add a module.
///
/// A code in use is 409.
#[utoipa::path(
    tag = "training",
    operation_id = "create_module",
    request_body = ModuleBody,
    responses(
        (status = 201, description = "Added", body = ModuleView),
        (status = 409, description = "A module has this code"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/modules")]
pub async fn create_module(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<ModuleBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = modules::create(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &ModuleView::from(created),
        Caching::Allowed,
    ))
}

/// Read a module.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "training",
    operation_id = "get_module",
    params(("id" = Uuid, Path, description = "The module's id")),
    responses(
        (status = 200, description = "The module", body = ModuleView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such module"),
    )
)]
#[get("/modules/{id}")]
pub async fn get_module(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = modules::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &ModuleView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a module.
///
/// A JSON merge patch (`application/merge-patch+json`); the result must keep every rule.
/// Completion of existing enrolments follows the new figures. With `If-Match`, a stale version
/// is 412.
#[utoipa::path(
    tag = "training",
    operation_id = "update_module",
    params(
        ("id" = Uuid, Path, description = "The module's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = ModulePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = ModuleView),
        (status = 404, description = "No such module"),
        (status = 409, description = "Another module has this code"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/modules/{id}")]
pub async fn update_module(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<ModulePatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<modules::Entity, ModuleBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &ModuleView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a module.
///
/// Only a module no session or enrolment uses (409 `module_in_use` otherwise). A soft delete:
/// afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_module",
    params(
        ("id" = Uuid, Path, description = "The module's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such module"),
        (status = 409, description = "Sessions or enrolments use the module"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/modules/{id}")]
pub async fn delete_module(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    modules::delete(&tx, &caller.audit, *id, &if_match.0, &caller.scope()).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
