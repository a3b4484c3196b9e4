//! Reporting periods: opened, closed (their report computed once and frozen), reopened by an
//! admin, and their report.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::resource;
use empower_domain::resource::Written;
use empower_domain::results::entity::period;
use empower_domain::results::periods;
use empower_domain::results::report::Report;
use uuid::Uuid;

use super::report::{format, respond};
use super::schema::{PeriodBody, PeriodPatch, PeriodView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

fn location(id: Uuid) -> String {
    format!("/api/v1/reporting-periods/{id}")
}

fn answer(period: Written<period::Model>) -> HttpResponse {
    written(
        None,
        version_etag(period.row.version),
        &PeriodView::from(period.row),
        Caching::Allowed,
    )
}

/// List the reporting periods.
///
/// Oldest created first, paginated.
#[utoipa::path(
    tag = "results",
    operation_id = "list_reporting_periods",
    params(PageParams),
    responses(
        (status = 200, description = "A page of periods", body = ListBody<PeriodView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/reporting-periods")]
pub async fn list_reporting_periods(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = periods::list(&state.db, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(PeriodView::from),
        Caching::Allowed,
    ))
}

/// Open a reporting period.
///
/// `open`: its report is computed live until it is closed. Periods may overlap (a half-year
/// and its quarters).
#[utoipa::path(
    tag = "results",
    operation_id = "create_reporting_period",
    request_body = PeriodBody,
    responses(
        (status = 201, description = "Created", body = PeriodView),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/reporting-periods")]
pub async fn create_reporting_period(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<PeriodBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = periods::create(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.id)),
        version_etag(created.version),
        &PeriodView::from(created),
        Caching::Allowed,
    ))
}

/// Read a reporting period.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "results",
    operation_id = "get_reporting_period",
    params(("id" = Uuid, Path, description = "The period's id")),
    responses(
        (status = 200, description = "The period", body = PeriodView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such period"),
    )
)]
#[get("/reporting-periods/{id}")]
pub async fn get_reporting_period(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = periods::get(&state.db, *id).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &PeriodView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update an open reporting period.
///
/// A JSON merge patch; a closed period is read only (409 `period_closed`).
#[utoipa::path(
    tag = "results",
    operation_id = "update_reporting_period",
    params(
        ("id" = Uuid, Path, description = "The period's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = PeriodPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = PeriodView),
        (status = 404, description = "No such period"),
        (status = 409, description = "The period is closed (`period_closed`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/reporting-periods/{id}")]
pub async fn update_reporting_period(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<PeriodPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<period::Entity, PeriodBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    Ok(answer(updated))
}

/// Close a reporting period.
///
/// Computes every indicator's value and every breakdown it supports over the period and
/// stores them: the period's report never changes afterwards, whatever later edits do to the
/// data, and says when and by whom it was closed (its `generated_at` is when the values were
/// computed, just before). Storing it is one atomic step: of concurrent closings exactly one
/// wins, the others get 409 `period_closed` (or 412 with a stale `If-Match`).
#[utoipa::path(
    tag = "results",
    operation_id = "close_reporting_period",
    params(
        ("id" = Uuid, Path, description = "The period's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 200, description = "Closed", body = PeriodView),
        (status = 404, description = "No such period"),
        (status = 409, description = "Already closed (`period_closed`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[post("/reporting-periods/{id}/close")]
pub async fn close_reporting_period(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let report = periods::closing_report(&state.db, *id).await?;
    let tx = db::begin_write(&state.db).await?;
    let closed = periods::close(&tx, &caller.audit, *id, &if_match.0, report).await?;
    tx.commit().await?;
    Ok(answer(closed))
}

/// Reopen a closed reporting period.
///
/// Admin only, recorded in the audit log (`reporting_period.reopened`): the frozen report is
/// dropped and the period's report is live again until it is closed anew.
#[utoipa::path(
    tag = "results",
    operation_id = "reopen_reporting_period",
    params(
        ("id" = Uuid, Path, description = "The period's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 200, description = "Reopened", body = PeriodView),
        (status = 404, description = "No such period"),
        (status = 409, description = "The period is open (`period_open`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[post("/reporting-periods/{id}/reopen")]
pub async fn reopen_reporting_period(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    let reopened = periods::reopen(&tx, &caller.audit, *id, &if_match.0).await?;
    tx.commit().await?;
    Ok(answer(reopened))
}

/// A reporting period's report.
///
/// Once the period is closed, the report as it was computed at closing, with `closed` (when
/// and by whom), whatever has changed since; while it is open, computed live. Every indicator
/// carries every breakdown it supports. `Accept: text/csv` gives the flat table and
/// `Accept: application/xml` the IATI activity, as `GET /api/v1/results-report` does.
#[utoipa::path(
    tag = "results",
    operation_id = "get_reporting_period_report",
    params(("id" = Uuid, Path, description = "The period's id")),
    responses(
        (status = 200, description = "The report", content(
            (Report = "application/json"),
            (String = "text/csv", example = "result_code,result_level,result_title_en,result_title_fr,result_title_nl,indicator_code,indicator_name_en,indicator_name_fr,indicator_name_nl,definition,unit,direction,source,baseline_value,baseline_on,target_value,target_on,actual,progress,measured_on,from,to\nR2.2,output,Contacts with stakeholders are built,,,R2.2.1,New stakeholder contacts,Nouveaux contacts avec des acteurs,,Stakeholder organisations first contacted.,count,increase,computed,0,2026-01-01,,,4,,,2027-01-01,2027-06-30\n"),
            (String = "application/xml", example = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">…</iati-activities>"),
        )),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such period"),
    )
)]
#[get("/reporting-periods/{id}/report")]
pub async fn get_reporting_period_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let report = periods::report(&state.db, *id).await?;
    respond(
        &req,
        &state,
        &report,
        format(&req),
        &format!("results-period-{id}"),
    )
}

/// Delete a reporting period.
///
/// An open one only (409 `period_closed`: an admin reopens it first). Afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "results",
    operation_id = "delete_reporting_period",
    params(
        ("id" = Uuid, Path, description = "The period's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such period"),
        (status = 409, description = "The period is closed (`period_closed`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/reporting-periods/{id}")]
pub async fn delete_reporting_period(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<period::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
