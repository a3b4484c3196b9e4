//! Indicators: their definitions, their values over any period with a breakdown, and the
//! measurements of the manual ones.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use empower_domain::db;
use empower_domain::resource;
use empower_domain::results::entity::indicator;
use empower_domain::results::framework::{self, IndicatorFilter, IndicatorRecord};
use empower_domain::results::report;
use empower_domain::results::{Dimension, MeasurementInput, Source, measurements, metrics, rules};
use empower_domain::time::brussels_today;
use empower_domain::{DomainError, FieldError};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::schema::{
    IndicatorBody, IndicatorPatch, IndicatorView, MeasurementBody, MeasurementView, ValuesView,
};
use crate::auth::Caller;
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Params, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::{ApiError, parameter_error};
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

fn location(id: Uuid) -> String {
    format!("/api/v1/indicators/{id}")
}

/// Filters of the indicator list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Only the indicators of this result.
    pub result_id: Option<Uuid>,
    /// Only `computed` or only `manual` ones.
    pub source: Option<Source>,
}

/// List the indicators.
///
/// By code, paginated.
#[utoipa::path(
    tag = "results",
    operation_id = "list_indicators",
    params(IndicatorQuery, PageParams),
    responses(
        (status = 200, description = "A page of indicators", body = ListBody<IndicatorView>),
        (status = 400, description = "A query parameter is invalid"),
    )
)]
#[get("/indicators")]
pub async fn list_indicators(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<IndicatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = IndicatorFilter {
        result_id: query.filter.result_id,
        source: query.filter.source,
    };
    let page = framework::list_indicators(&state.db, &filter, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(IndicatorView::from),
        Caching::Allowed,
    ))
}

/// Create an indicator.
///
/// Its code is unique (409 otherwise). A `computed` indicator names a `metric` of the
/// catalogue (`GET /api/v1/metrics`) with only the `params` that metric takes, and has its
/// unit; a `manual` one names none and takes measurements.
#[utoipa::path(
    tag = "results",
    operation_id = "create_indicator",
    request_body = IndicatorBody,
    responses(
        (status = 201, description = "Created", body = IndicatorView),
        (status = 409, description = "The code is taken"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/indicators")]
pub async fn create_indicator(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<IndicatorBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = framework::create_indicator(&tx, &caller.audit, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &IndicatorView::from(created),
        Caching::Allowed,
    ))
}

/// Read an indicator.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "results",
    operation_id = "get_indicator",
    params(("id" = Uuid, Path, description = "The indicator's id")),
    responses(
        (status = 200, description = "The indicator", body = IndicatorView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such indicator"),
    )
)]
#[get("/indicators/{id}")]
pub async fn get_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = framework::get_indicator(&state.db, *id).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &IndicatorView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update an indicator.
///
/// A JSON merge patch: staff edit targets, baselines, names and definitions (a closed
/// period's report keeps the values it was closed with).
#[utoipa::path(
    tag = "results",
    operation_id = "update_indicator",
    params(
        ("id" = Uuid, Path, description = "The indicator's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = IndicatorPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = IndicatorView),
        (status = 404, description = "No such indicator"),
        (status = 409, description = "The code is taken"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/indicators/{id}")]
pub async fn update_indicator(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<IndicatorPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<indicator::Entity, IndicatorBody>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &IndicatorView::from(updated.row),
        Caching::Allowed,
    ))
}

/// The period and breakdown of a value.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// First day counted (default: 1900-01-01, everything before `to`).
    pub from: Option<NaiveDate>,
    /// Last day counted, included (default: today, Brussels time).
    pub to: Option<NaiveDate>,
    /// Break the value down by `country`, `region`, `module`, `sex` or `association` (one the
    /// indicator's metric supports; for a manual indicator, the measurements of that
    /// dimension).
    pub by: Option<Dimension>,
}

/// The period of a query, or a 400 naming the parameter.
pub fn query_period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<metrics::Period, ApiError> {
    rules::period(from, to, brussels_today())
        .map_err(|e| parameter_error(DomainError::InvalidParameter(vec![e])))
}

/// An indicator's value over a period.
///
/// Computed live from the data by the indicator's metric (see `GET /api/v1/metrics` for each
/// one's definition and the date that places a record in the period; `from` and `to` are both
/// included), or, for a manual indicator, the latest measurement made within the period. With
/// `by`, a breakdown: for a multi-valued dimension (an association with two countries of
/// origin, a restitution covering two modules) the cells do not add up to the value, and
/// `multi_valued` says so.
#[utoipa::path(
    tag = "results",
    operation_id = "get_indicator_values",
    params(("id" = Uuid, Path, description = "The indicator's id"), ValuesQuery),
    responses(
        (status = 200, description = "The value", body = ValuesView),
        (status = 400, description = "A query parameter is invalid: a date out of range, `to` before `from`, or a breakdown the metric does not support"),
        (status = 404, description = "No such indicator"),
    )
)]
#[get("/indicators/{id}/values")]
pub async fn get_indicator_values(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Params<ValuesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let period = query_period(query.from, query.to)?;
    let indicator = framework::get_indicator(&state.db, *id).await?;
    let breakdown = match query.by {
        None => None,
        Some(by) => Some(
            report::breakdown(&state.db, &indicator, period, by)
                .await?
                .ok_or_else(|| unsupported(&indicator, by))?,
        ),
    };
    let (value, measured_on) = report::actual(&state.db, &indicator, period).await?;
    Ok(json_with_etag(
        &req,
        &ValuesView {
            indicator_id: indicator.row.id,
            from: period.from,
            to: period.to,
            value,
            measured_on,
            breakdown,
        },
        None,
        Caching::Allowed,
    ))
}

/// The 400 for a breakdown the indicator's metric does not support, naming those it does.
fn unsupported(indicator: &IndicatorRecord, by: Dimension) -> ApiError {
    let metric = indicator
        .row
        .metric
        .map(|m| (m.as_str(), m.definition().breakdowns));
    let (name, supported) = metric.unwrap_or(("", &[]));
    let supported: Vec<&str> = supported.iter().map(|d| d.as_str()).collect();
    parameter_error(DomainError::InvalidParameter(vec![FieldError::new(
        "by",
        format!(
            "the metric {name} has no breakdown by {}; it has: {}",
            by.as_str(),
            if supported.is_empty() {
                "none".to_owned()
            } else {
                supported.join(", ")
            }
        ),
    )]))
}

/// List a manual indicator's measurements.
///
/// Oldest recorded first, paginated.
#[utoipa::path(
    tag = "results",
    operation_id = "list_indicator_measurements",
    params(("id" = Uuid, Path, description = "The indicator's id"), PageParams),
    responses(
        (status = 200, description = "A page of measurements", body = ListBody<MeasurementView>),
        (status = 404, description = "No such indicator"),
    )
)]
#[get("/indicators/{id}/measurements")]
pub async fn list_indicator_measurements(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = measurements::list(&state.db, *id, &query.page).await?;
    Ok(page_response(
        &req,
        page.map(MeasurementView::from),
        Caching::Allowed,
    ))
}

/// Record a measurement of a manual indicator.
///
/// A value over a period (`period_start` to `period_end`), for the total or, with
/// `dimension`, for one cell of a breakdown. A period's value is the latest measurement made
/// within it (the latest `period_end`, then the latest recorded): a correction is a new
/// measurement. A computed indicator takes none (409 `indicator_not_manual`).
#[utoipa::path(
    tag = "results",
    operation_id = "create_indicator_measurement",
    params(("id" = Uuid, Path, description = "The indicator's id")),
    request_body = MeasurementBody,
    responses(
        (status = 201, description = "Recorded", body = MeasurementView),
        (status = 404, description = "No such indicator"),
        (status = 409, description = "The indicator is computed (`indicator_not_manual`)"),
        (status = 422, description = "A field breaks its rule (`validation_failed`)"),
    )
)]
#[post("/indicators/{id}/measurements")]
pub async fn create_indicator_measurement(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<MeasurementBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let input = MeasurementInput {
        period_start: body.period_start,
        period_end: body.period_end,
        value: body.value,
        dimension: body.dimension,
        source: body.source,
        comment: body.comment,
    };
    let tx = db::begin_write(&state.db).await?;
    let created = measurements::create(&tx, &caller.audit, *id, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("{}/measurements/{}", location(*id), created.id)),
        version_etag(created.version),
        &MeasurementView::from(created),
        Caching::Allowed,
    ))
}

/// Read a measurement.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "results",
    operation_id = "get_indicator_measurement",
    params(
        ("id" = Uuid, Path, description = "The indicator's id"),
        ("measurement_id" = Uuid, Path, description = "The measurement's id"),
    ),
    responses(
        (status = 200, description = "The measurement", body = MeasurementView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such indicator or measurement"),
    )
)]
#[get("/indicators/{id}/measurements/{measurement_id}")]
pub async fn get_indicator_measurement(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, measurement_id) = path.into_inner();
    let found = measurements::get(&state.db, id, measurement_id).await?;
    let etag = version_etag(found.version);
    Ok(json_with_etag(
        &req,
        &MeasurementView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Delete an indicator.
///
/// Its measurements go with it; the reports of closed periods keep it as it was. Afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "results",
    operation_id = "delete_indicator",
    params(
        ("id" = Uuid, Path, description = "The indicator's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such indicator"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/indicators/{id}")]
pub async fn delete_indicator(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    resource::delete::<indicator::Entity>(&tx, &caller.audit, *id, &if_match.0, &caller.scope())
        .await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a measurement.
///
/// A mistaken one (a correction is a new measurement). Afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "results",
    operation_id = "delete_indicator_measurement",
    params(
        ("id" = Uuid, Path, description = "The indicator's id"),
        ("measurement_id" = Uuid, Path, description = "The measurement's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such indicator or measurement"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/indicators/{id}/measurements/{measurement_id}")]
pub async fn delete_indicator_measurement(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, measurement_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    measurements::delete(&tx, &caller.audit, id, measurement_id, &if_match.0).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
