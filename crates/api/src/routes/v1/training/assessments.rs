//! Assessments: the pre- and post-training scores of an enrolment.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::db;
use empower_domain::training::AssessmentKind;
use empower_domain::training::assessments::{self, AssessmentInput};
use empower_domain::training::entity::assessment::Model;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, MergePatch, NoQuery, Patch, non_null, version_etag};
use crate::http::{Caching, json_with_etag, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// A new assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "pre", "score": 55, "taken_on": "2026-11-20"}))]
pub struct AssessmentBody {
    /// `pre` (before the module) or `post` (after); one of each per enrolment.
    pub kind: AssessmentKind,
    /// 0-100.
    #[schema(minimum = 0, maximum = 100)]
    pub score: i32,
    /// When it was taken; not in the future.
    pub taken_on: NaiveDate,
}

impl Fields<AssessmentInput> for AssessmentBody {
    fn into_input(self) -> AssessmentInput {
        AssessmentInput {
            kind: self.kind,
            score: self.score,
            taken_on: self.taken_on,
        }
    }

    fn from_input(input: AssessmentInput) -> Self {
        Self {
            kind: input.kind,
            score: input.score,
            taken_on: input.taken_on,
        }
    }
}

/// A correction of an assessment: its score and date (the kind stays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"score": 60}))]
pub struct AssessmentPatch {
    /// 0-100.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 0, maximum = 100)]
    pub score: Option<i32>,
    /// Not in the future.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub taken_on: Option<NaiveDate>,
}

impl Patch for AssessmentPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/enrollment_id",
        "/association_id",
        "/kind",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// An assessment as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d77", "enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "kind": "pre", "score": 55,
    "taken_on": "2026-11-20", "version": 1, "created_at": "2026-11-28T10:00:00Z", "updated_at": "2026-11-28T10:00:00Z"
}))]
pub struct AssessmentView {
    /// Id.
    pub id: Uuid,
    /// The enrolment.
    pub enrollment_id: Uuid,
    /// The enrolment's association.
    pub association_id: Uuid,
    /// `pre` or `post`.
    pub kind: AssessmentKind,
    /// 0-100.
    pub score: i32,
    /// When it was taken.
    pub taken_on: NaiveDate,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Model> for AssessmentView {
    fn from(m: Model) -> Self {
        Self {
            id: m.id,
            enrollment_id: m.enrollment_id,
            association_id: m.association_id,
            kind: m.kind,
            score: m.score,
            taken_on: m.taken_on,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The location of an assessment.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/assessments/{id}")
}

/// List an enrolment's assessments.
///
/// At most two: `pre`, then `post`.
#[utoipa::path(
    tag = "training",
    operation_id = "list_enrollment_assessments",
    params(("id" = Uuid, Path, description = "The enrolment's id")),
    responses(
        (status = 200, description = "The assessments", body = Vec<AssessmentView>),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such enrolment (or not yours)"),
    )
)]
#[get("/enrollments/{id}/assessments")]
pub async fn list_enrollment_assessments(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let rows = assessments::of_enrollment(&state.db, *id, &caller.scope()).await?;
    let views: Vec<AssessmentView> = rows.into_iter().map(AssessmentView::from).collect();
    Ok(json_with_etag(&req, &views, None, Caching::NoStore))
}

/// Record an assessment.
///
/// One `pre` and one `post` per enrolment: a second of a kind is 409 `assessment_exists`
/// (correct the first with `PATCH`). Score 0-100, taken not in the future.
#[utoipa::path(
    tag = "training",
    operation_id = "create_enrollment_assessment",
    params(("id" = Uuid, Path, description = "The enrolment's id")),
    request_body = AssessmentBody,
    responses(
        (status = 201, description = "Recorded", body = AssessmentView),
        (status = 404, description = "No such enrolment (or not yours)"),
        (status = 409, description = "An assessment of this kind exists"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/enrollments/{id}/assessments")]
pub async fn create_enrollment_assessment(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<AssessmentBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = assessments::create(&tx, &caller.audit, *id, &input, &caller.scope()).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.id)),
        version_etag(created.version),
        &AssessmentView::from(created),
        Caching::NoStore,
    ))
}

/// Read an assessment.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "training",
    operation_id = "get_assessment",
    params(("id" = Uuid, Path, description = "The assessment's id")),
    responses(
        (status = 200, description = "The assessment", body = AssessmentView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such assessment (or not yours)"),
    )
)]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = assessments::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &AssessmentView::from(found),
        Some(etag),
        Caching::NoStore,
    ))
}

/// Correct an assessment.
///
/// A JSON merge patch (`application/merge-patch+json`) of the score or the date. With
/// `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "training",
    operation_id = "update_assessment",
    params(
        ("id" = Uuid, Path, description = "The assessment's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = AssessmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Corrected", body = AssessmentView),
        (status = 404, description = "No such assessment (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/assessments/{id}")]
pub async fn update_assessment(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<AssessmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<assessments::Entity, AssessmentBody>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.version),
        &AssessmentView::from(updated.row),
        Caching::NoStore,
    ))
}

/// Delete an assessment.
///
/// A soft delete: afterwards reads are 404, the enrolment shows the score no more, and the
/// change feed carries a `delete`.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_assessment",
    params(
        ("id" = Uuid, Path, description = "The assessment's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such assessment (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/assessments/{id}")]
pub async fn delete_assessment(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    assessments::delete(&tx, &caller.audit, *id, &if_match.0, &caller.scope()).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
