//! A bare actix-web + sea-orm server over the same database: the same domain calls as ours
//! (`report::build`, `public::results`, `metrics::total` and `breakdown`), serialised as ours
//! does (serde_json, the same CSV table, the same IATI renderer), without auth, the access
//! table, ETags, conditional answers, problem details or CSV neutralising.

use std::collections::HashMap;

use actix_web::error::ErrorInternalServerError;
use actix_web::{HttpRequest, HttpResponse, web};
use empower_api::documents::iati::{self, Identifiers};
use empower_api::documents::results_table;
use empower_domain::results::metrics::{self, Dimension, Period};
use empower_domain::results::report::{self, ALL, Breakdowns, IATI};
use empower_domain::results::{framework, public};
use empower_domain::time::{EARLIEST, brussels_today};
use sea_orm::DatabaseConnection;
use serde_json::json;
use uuid::Uuid;

type Db = web::Data<DatabaseConnection>;
type Query = web::Query<HashMap<String, String>>;

/// Starts the server on a free loopback port and answers its base URL.
pub fn start(db: DatabaseConnection) -> String {
    super::common::start_bare(db, routes)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/results-report", web::get().to(results_report))
        .route("/api/v1/public/results", web::get().to(public_results))
        .route("/api/v1/indicators/{id}/values", web::get().to(values))
        .route("/bare/close", web::post().to(close));
}

fn fail(e: impl std::fmt::Display) -> actix_web::Error {
    ErrorInternalServerError(e.to_string())
}

/// The period of `from` and `to`, by default everything up to today (as ours).
fn period(query: &Query) -> Period {
    let date = |k: &str| query.get(k).and_then(|v| v.parse().ok());
    Period {
        from: date("from").unwrap_or(EARLIEST),
        to: date("to").unwrap_or_else(brussels_today),
    }
}

/// The report as JSON, as a CSV table (`Accept: text/csv`) or as IATI XML
/// (`Accept: application/xml`, with sex and country breakdowns).
async fn results_report(db: Db, req: HttpRequest, query: Query) -> actix_web::Result<HttpResponse> {
    let accept = req
        .headers()
        .get("accept")
        .and_then(|a| a.to_str().ok())
        .unwrap_or("");
    let period = period(&query);
    if accept.contains("application/xml") {
        let report = report::build(db.get_ref(), period, Breakdowns::Only(IATI))
            .await
            .map_err(fail)?;
        let xml = iati::render(
            &report,
            Identifiers {
                org_ref: "XX-EMPOWER",
                activity_id: "XX-EMPOWER-DIASPORA-WOMEN",
            },
        );
        return Ok(HttpResponse::Ok()
            .content_type("application/xml; charset=utf-8")
            .body(xml));
    }
    let report = report::build(db.get_ref(), period, Breakdowns::None)
        .await
        .map_err(fail)?;
    if accept.contains("text/csv") {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(results_table::HEADER).map_err(fail)?;
        for row in results_table::rows(&report) {
            writer.write_record(row).map_err(fail)?;
        }
        let body = writer.into_inner().map_err(fail)?;
        return Ok(HttpResponse::Ok().content_type("text/csv").body(body));
    }
    let body = serde_json::to_vec(&report).map_err(fail)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

async fn public_results(db: Db) -> actix_web::Result<HttpResponse> {
    let results = public::results(db.get_ref(), brussels_today())
        .await
        .map_err(fail)?;
    Ok(HttpResponse::Ok().json(results))
}

/// A computed indicator's value with its breakdown by `by`.
async fn values(db: Db, id: web::Path<Uuid>, query: Query) -> actix_web::Result<HttpResponse> {
    let period = period(&query);
    let indicator = framework::get_indicator(db.get_ref(), *id)
        .await
        .map_err(fail)?;
    let metric = indicator.row.metric.ok_or_else(|| fail("manual"))?;
    let breakdown = match query.get("by") {
        Some(by) => {
            let by: Dimension = serde_json::from_value(json!(by)).map_err(fail)?;
            Some(
                metrics::breakdown(db.get_ref(), metric, &indicator.params, period, by)
                    .await
                    .map_err(fail)?,
            )
        }
        None => None,
    };
    let value = metrics::total(db.get_ref(), metric, &indicator.params, period)
        .await
        .map_err(fail)?;
    Ok(HttpResponse::Ok().json(
        json!({"indicator_id": indicator.row.id, "from": period.from,
        "to": period.to, "value": value, "breakdown": breakdown}),
    ))
}

/// What closing a period computes: the report with every breakdown, in a write transaction,
/// serialised; then dropped (nothing stored, no period row, no audit).
async fn close(db: Db, query: Query) -> actix_web::Result<HttpResponse> {
    let tx = empower_domain::db::begin_write(db.get_ref())
        .await
        .map_err(fail)?;
    let report = report::build(&tx, period(&query), Breakdowns::Only(ALL))
        .await
        .map_err(fail)?;
    let stored = serde_json::to_string(&report).map_err(fail)?;
    drop(tx);
    Ok(HttpResponse::Ok().json(json!({"stored_bytes": stored.len()})))
}
