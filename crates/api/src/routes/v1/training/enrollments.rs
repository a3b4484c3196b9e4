//! Enrolments of representatives in modules, with where each stands on attendance and
//! assessments.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::db;
use empower_domain::training::EnrollmentStatus;
use empower_domain::training::enrollments::{self, Enrollment, EnrollmentFilter, EnrollmentInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Patch, non_null, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// A new enrolment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "module_id": "019ac000-0000-7000-8000-000000000001"
}))]
pub struct EnrollmentBody {
    /// A representative (`is_representative`) of a selected or active association.
    pub person_id: Uuid,
    /// A module of `/api/v1/modules`.
    pub module_id: Uuid,
}

/// A merge patch of an enrolment: its status only.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "withdrawn"}))]
pub struct EnrollmentPatch {
    /// `enrolled` or `withdrawn`; enrolling again keeps the rules of a new enrolment.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = EnrollmentStatus)]
    pub status: Option<EnrollmentStatus>,
}

impl Patch for EnrollmentPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/person_id",
        "/association_id",
        "/module_id",
        "/attended_days",
        "/required_days",
        "/completed",
        "/completed_on",
        "/pre_score",
        "/post_score",
        "/knowledge_gain",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// The writable part of an enrolment, for merging a patch.
#[derive(Debug, Serialize, Deserialize)]
struct StatusOnly {
    status: EnrollmentStatus,
}

impl Fields<EnrollmentStatus> for StatusOnly {
    fn from_input(status: EnrollmentStatus) -> Self {
        Self { status }
    }

    fn into_input(self) -> EnrollmentStatus {
        self.status
    }
}

/// An enrolment as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01",
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "module_id": "019ac000-0000-7000-8000-000000000001",
    "status": "enrolled", "attended_days": 3, "required_days": 3, "completed": true,
    "completed_on": "2027-01-21", "pre_score": 55, "post_score": 80, "knowledge_gain": 25,
    "version": 1, "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"
}))]
pub struct EnrollmentView {
    /// Id.
    pub id: Uuid,
    /// The representative.
    pub person_id: Uuid,
    /// Her association.
    pub association_id: Uuid,
    /// The module.
    pub module_id: Uuid,
    /// `enrolled` or `withdrawn`.
    pub status: EnrollmentStatus,
    /// Module days attended: present at any sitting of a day counts that day once.
    pub attended_days: i32,
    /// Days to attend: `ceil(planned_days × min_attendance_pct / 100)`.
    pub required_days: i32,
    /// Whether `attended_days` reached `required_days`.
    pub completed: bool,
    /// The date of the day that completed the module.
    #[schema(required = true)]
    pub completed_on: Option<NaiveDate>,
    /// Score before the module, 0-100.
    #[schema(required = true)]
    pub pre_score: Option<i32>,
    /// Score after the module, 0-100.
    #[schema(required = true)]
    pub post_score: Option<i32>,
    /// `post_score - pre_score`, once both are known.
    #[schema(required = true)]
    pub knowledge_gain: Option<i32>,
    /// +1 on every change of the enrolment itself; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Enrollment> for EnrollmentView {
    fn from(e: Enrollment) -> Self {
        Self {
            attended_days: e.completion.attended_days,
            required_days: e.required_days,
            completed: e.completed(),
            completed_on: e.completion.completed_on,
            pre_score: e.pre_score,
            post_score: e.post_score,
            knowledge_gain: e.knowledge_gain(),
            id: e.row.id,
            person_id: e.row.person_id,
            association_id: e.row.association_id,
            module_id: e.row.module_id,
            status: e.row.status,
            version: e.row.version,
            created_at: e.row.created_at,
            updated_at: e.row.updated_at,
        }
    }
}

/// The location of an enrolment.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/enrollments/{id}")
}

/// Filters of the enrolment list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnrollmentQuery {
    /// Only in this module.
    pub module_id: Option<Uuid>,
    /// Only of this association's representatives.
    pub association_id: Option<Uuid>,
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only in this status.
    pub status: Option<EnrollmentStatus>,
}

/// List enrolments.
///
/// Oldest first, paginated, each with where it stands on attendance and assessments (computed
/// live). A caller bound to an association sees its own association's only.
#[utoipa::path(
    tag = "training",
    operation_id = "list_enrollments",
    params(EnrollmentQuery, PageParams),
    responses(
        (status = 200, description = "A page of enrolments", body = ListBody<EnrollmentView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/enrollments")]
pub async fn list_enrollments(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<EnrollmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = EnrollmentFilter {
        module_id: query.filter.module_id,
        association_id: query.filter.association_id,
        person_id: query.filter.person_id,
        status: query.filter.status,
    };
    let page = enrollments::list(&state.db, &filter, &query.page, &caller.scope()).await?;
    Ok(page_response(
        &req,
        page.map(EnrollmentView::from),
        Caching::NoStore,
    ))
}

/// Enrol a representative in a module.
///
/// Each rule has its own `code` and names the field: `not_a_representative` and
/// `association_not_selected` (422, `/person_id`), `representative_limit_reached` (422,
/// `/module_id`, at most `max_representatives_per_association` per association); an existing
/// enrolment of the person in the module is 409 `already_enrolled`. Enrolling the first
/// representative of a `selected` association moves it to `active` (a transition made by the
/// system).
#[utoipa::path(
    tag = "training",
    operation_id = "create_enrollment",
    request_body = EnrollmentBody,
    responses(
        (status = 201, description = "Enrolled", body = EnrollmentView),
        (status = 409, description = "Already enrolled in the module, or the person was erased (`person_erased`)"),
        (status = 422, description = "A field or an enrolment rule is broken"),
    )
)]
#[post("/enrollments")]
pub async fn create_enrollment(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<EnrollmentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let input = EnrollmentInput {
        person_id: body.person_id,
        module_id: body.module_id,
    };
    let tx = db::begin_write(&state.db).await?;
    let created = enrollments::create(&tx, &caller.audit, &input, &caller.scope()).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &EnrollmentView::from(created),
        Caching::NoStore,
    ))
}

/// Read an enrolment.
///
/// With where it stands on attendance and assessments, computed live. Answers `304` to an
/// `If-None-Match` naming the current body.
#[utoipa::path(
    tag = "training",
    operation_id = "get_enrollment",
    params(("id" = Uuid, Path, description = "The enrolment's id")),
    responses(
        (status = 200, description = "The enrolment", body = EnrollmentView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such enrolment (or not yours)"),
    )
)]
#[get("/enrollments/{id}")]
pub async fn get_enrollment(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = enrollments::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &EnrollmentView::from(found),
        Some(etag),
        Caching::NoStore,
    ))
}

/// Change an enrolment's status.
///
/// A JSON merge patch (`application/merge-patch+json`) of `status`: withdraw, or enrol again
/// (under the rules of a new enrolment). With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "training",
    operation_id = "update_enrollment",
    params(
        ("id" = Uuid, Path, description = "The enrolment's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = EnrollmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = EnrollmentView),
        (status = 404, description = "No such enrolment (or not yours)"),
        (status = 409, description = "Enrolled again, but the person was erased (`person_erased`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "An enrolment rule is broken"),
    )
)]
#[patch("/enrollments/{id}")]
pub async fn update_enrollment(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<EnrollmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<enrollments::Entity, StatusOnly>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &EnrollmentView::from(updated.row),
        Caching::NoStore,
    ))
}

/// Delete an enrolment.
///
/// For a mistaken enrolment: one with attendance lines or assessments is 409
/// `enrollment_has_records` (withdraw it instead). A soft delete: afterwards reads are 404 and
/// the change feed carries a `delete`.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_enrollment",
    params(
        ("id" = Uuid, Path, description = "The enrolment's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such enrolment (or not yours)"),
        (status = 409, description = "The enrolment has attendance or assessments"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/enrollments/{id}")]
pub async fn delete_enrollment(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    enrollments::delete(&tx, &caller.audit, *id, &if_match.0, &caller.scope()).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
