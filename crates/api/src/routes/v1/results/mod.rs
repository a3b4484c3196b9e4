//! The results framework: results and their indicators, the catalogue of metrics that compute
//! them, manual measurements, the results report (JSON, CSV, IATI XML) and reporting periods.

pub mod indicators;
pub mod periods;
pub mod report;
pub mod schema;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use empower_domain::db;
use empower_domain::resource;
use empower_domain::results::Metric;
use empower_domain::results::entity::result;
use empower_domain::results::framework;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use self::schema::{MetricView, ResultBody, ResultPatch, ResultView};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// Registers the results-framework operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_metrics)
        .service(list_results)
        .service(create_result)
        .service(get_result)
        .service(update_result)
        .service(delete_result)
        .service(indicators::list_indicators)
        .service(indicators::create_indicator)
        .service(indicators::get_indicator)
        .service(indicators::update_indicator)
        .service(indicators::delete_indicator)
        .service(indicators::get_indicator_values)
        .service(indicators::list_indicator_measurements)
        .service(indicators::create_indicator_measurement)
        .service(indicators::get_indicator_measurement)
        .service(indicators::delete_indicator_measurement)
        .service(report::get_results_report)
        .service(periods::list_reporting_periods)
        .service(periods::create_reporting_period)
        .service(periods::get_reporting_period)
        .service(periods::update_reporting_period)
        .service(periods::delete_reporting_period)
        .service(periods::close_reporting_period)
        .service(periods::reopen_reporting_period)
        .service(periods::get_reporting_period_report);
}

/// The location of a result.
fn location(id: Uuid) -> String {
    format!("/api/v1/results/{id}")
}

/// List the metrics of the catalogue.
///
/// The fixed catalogue computed indicators are built on: for each metric, exactly what it
/// counts, the date that places a record in a period (`from` and `to` both included), its unit,
/// the breakdowns it supports (`by`) and the parameters it takes.
#[utoipa::path(
    tag = "results",
    operation_id = "list_metrics",
    responses(
        (status = 200, description = "Every metric", body = Vec<MetricView>),
    )
)]
#[get("/metrics")]
pub async fn list_metrics(req: HttpRequest, _query: NoQuery) -> Result<HttpResponse, ApiError> {
    let metrics: Vec<MetricView> = Metric::all().into_iter().map(MetricView::from).collect();
    Ok(json_with_etag(&req, &metrics, None, Caching::Allowed))
}

/// List the results.
///
/// By code, paginated: the overall objective (`impact`), the specific objectives (`outcome`)
/// and their outputs, each naming the result it contributes to (`parent_id`).
#[utoipa::path(
    tag = "results",
    operation_id = "list_results",
    params(PageParams),
    responses(
        (status = 200, description = "A page of results", body = ListBody<ResultView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/results")]
pub async fn list_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = framework::list_results(&state.db, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(ResultView::from),
        Caching::Allowed,
    ))
}

/// Create a result.
///
/// Its code is unique (409 otherwise); its parent, when given, is a live result of a higher
/// level (impact above outcome above output), so the tree has no cycle.
#[utoipa::path(
    tag = "results",
    operation_id = "create_result",
    request_body = ResultBody,
    responses(
        (status = 201, description = "Created", body = ResultView),
        (status = 409, description = "The code is taken"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/results")]
pub async fn create_result(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<ResultBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = framework::create_result(&tx, &caller.audit, input).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &ResultView::from(created),
        Caching::Allowed,
    ))
}

/// Read a result.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "results",
    operation_id = "get_result",
    params(("id" = Uuid, Path, description = "The result's id")),
    responses(
        (status = 200, description = "The result", body = ResultView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such result"),
    )
)]
#[get("/results/{id}")]
pub async fn get_result(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = framework::get_result(&state.db, *id).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &ResultView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a result.
///
/// A JSON merge patch. Its own results must stay below its level.
#[utoipa::path(
    tag = "results",
    operation_id = "update_result",
    params(
        ("id" = Uuid, Path, description = "The result's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = ResultPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = ResultView),
        (status = 404, description = "No such result"),
        (status = 409, description = "The code is taken"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/results/{id}")]
pub async fn update_result(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<ResultPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<result::Entity, ResultBody>(&tx, &caller, *id, &if_match, &patch).await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &ResultView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Delete a result.
///
/// Only a result with no live result or indicator under it (409 `result_not_empty`). Afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "results",
    operation_id = "delete_result",
    params(
        ("id" = Uuid, Path, description = "The result's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such result"),
        (status = 409, description = "Results or indicators are under it (`result_not_empty`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/results/{id}")]
pub async fn delete_result(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<result::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
