//! The results report over any period, as JSON, as a CSV table, or as an IATI activity.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use empower_domain::results::report::{self, Breakdowns, IATI, Report};
use serde::Deserialize;
use utoipa::IntoParams;

use super::indicators::query_period;
use crate::documents::iati::{self, Identifiers};
use crate::documents::results_table;
use crate::extract::Params;
use crate::http::{Caching, conditional, csv_download, csv_for_excel, prefers, vary_accept};
use crate::problem::ApiError;
use crate::routes::v1::associations::files::csv::neutralise;
use crate::state::AppState;

/// The media type of the IATI XML answer.
pub const XML: &str = "application/xml";

/// What a report is asked for as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON.
    Json,
    /// A CSV table.
    Csv,
    /// IATI XML.
    Xml,
}

/// The format a request asks for by `Accept`.
pub fn format(req: &HttpRequest) -> Format {
    if prefers(req, "text/csv") {
        Format::Csv
    } else if prefers(req, XML) {
        Format::Xml
    } else {
        Format::Json
    }
}

/// The breakdowns a format needs: IATI carries sex and country.
pub fn breakdowns(format: Format) -> Breakdowns {
    match format {
        Format::Xml => Breakdowns::Only(IATI),
        Format::Json | Format::Csv => Breakdowns::None,
    }
}

/// A report in the format asked for, named `stem` (`results-2027-01-01-2027-06-30`).
pub fn respond(
    req: &HttpRequest,
    state: &AppState,
    report: &Report,
    format: Format,
    stem: &str,
) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let fail = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
            writer.write_record(results_table::HEADER).map_err(fail)?;
            for row in results_table::rows(report) {
                writer
                    .write_record(row.into_iter().map(neutralise))
                    .map_err(fail)?;
            }
            Ok(csv_download(
                req,
                csv_for_excel(writer)?,
                &format!("{stem}.csv"),
                Caching::Allowed,
            ))
        }
        Format::Xml => {
            let xml = iati::render(
                report,
                Identifiers {
                    org_ref: &state.iati.org_ref,
                    activity_id: &state.iati.activity_id,
                },
            );
            Ok(vary_accept(conditional(
                req,
                xml.into_bytes(),
                "application/xml; charset=utf-8",
                None,
                Caching::Allowed,
                &[(
                    actix_web::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}.xml\""),
                )],
            )))
        }
        Format::Json => {
            let body =
                serde_json::to_vec(report).map_err(|e| ApiError::Internal(format!("json: {e}")))?;
            Ok(vary_accept(conditional(
                req,
                body,
                "application/json",
                None,
                Caching::Allowed,
                &[],
            )))
        }
    }
}

/// The period of the results report.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day counted (default: 1900-01-01, everything before `to`).
    pub from: Option<NaiveDate>,
    /// Last day counted, included (default: today, Brussels time).
    pub to: Option<NaiveDate>,
}

/// The results report.
///
/// The whole framework, computed live over the period: the tree of results, each with its
/// indicators' baseline, target, actual value, progress (actual ÷ target, null without a
/// target) and, for a manual indicator, the last day of the measurement used. With
/// `Accept: text/csv`, a flat table, one row per indicator, that a donor's template can take;
/// with `Accept: application/xml`, an IATI activity (standard 2.03) with the results, their
/// indicators, baselines and one period with target and actual, broken down by sex and country
/// as `dimension`s. Its identifiers come from `EMPOWER_IATI_ORG_REF` and
/// `EMPOWER_IATI_ACTIVITY_ID`. Computed once per change of the data: the server keeps the
/// reports it computed until the next write anywhere, or midnight in Brussels, so
/// `generated_at` is when these figures were computed.
#[utoipa::path(
    tag = "results",
    operation_id = "get_results_report",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", content(
            (Report = "application/json"),
            (String = "text/csv", example = "result_code,result_level,result_title_en,result_title_fr,result_title_nl,indicator_code,indicator_name_en,indicator_name_fr,indicator_name_nl,definition,unit,direction,source,baseline_value,baseline_on,target_value,target_on,actual,progress,measured_on,from,to\nR1.1,output,Associations are selected,,,R1.1.5,Training days delivered,Journées de formation données,,Module days with a held sitting.,count,increase,computed,0,2026-01-01,9,2027-12-31,9,1,,1900-01-01,2027-06-30\n"),
            (String = "application/xml", example = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">…</iati-activities>"),
        )),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A date is out of range, or `to` is before `from`"),
    )
)]
#[get("/results-report")]
pub async fn get_results_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = query_period(query.0.from, query.0.to)?;
    let format = format(&req);
    let db = &state.db;
    let report = state
        .results_reports
        .get_or_compute(db, (period.from, period.to, format), |_| async move {
            Ok(std::sync::Arc::new(
                report::build(db, period, breakdowns(format)).await?,
            ))
        })
        .await?;
    respond(
        &req,
        &state,
        &report,
        format,
        &format!("results-{}-{}", period.from, period.to),
    )
}
