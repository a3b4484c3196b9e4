//! Spreadsheets in and out: import of associations (CSV or JSON, dry runs, partial mode) and the
//! association list as CSV ([`csv`] holds the file format).

pub mod csv;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use empower_domain::association::{self as registry, Association, AssociationInput, RowOutcome};
use empower_domain::paging::PageRequest;
use empower_domain::policy::CallerScope;
use empower_domain::{FieldError, db};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use self::csv::{Rows, parse_csv, to_csv};
use super::profile::AssociationQuery;
use super::schema::AssociationBody;
use crate::auth::Caller;
use crate::extract::body::control_characters;
use crate::extract::{Params, read_limited};
use crate::middleware::{KeepErrorBody, RequestId};
use crate::problem::{ApiError, PROBLEM_JSON, Problem, ProblemItem, parameter_error};
use crate::state::AppState;

/// Largest import body, in bytes (20 MiB: some 50,000 rows).
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;
/// The import's operation id (its body limit is [`IMPORT_LIMIT`], with or without an
/// `Idempotency-Key`).
pub const IMPORT_OPERATION: &str = "import_associations";

fn parse_json_rows(bytes: &[u8]) -> Result<Rows, ApiError> {
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody {
            detail: format!("the body is not a JSON array: {e}"),
            errors: vec![],
        })?;
    let to_field_errors = |items: Vec<ProblemItem>| -> Vec<FieldError> {
        items
            .into_iter()
            .map(|e| FieldError::new(e.pointer.unwrap_or_default(), e.detail))
            .collect()
    };
    Ok(values
        .into_iter()
        .map(|value| {
            let controls = control_characters(&value);
            if !controls.is_empty() {
                return Err(to_field_errors(controls));
            }
            crate::extract::deserialize_value::<AssociationBody>(value)
                .map(AssociationBody::into_input)
                .map_err(|err| to_field_errors(err.problem().errors))
        })
        .collect())
}

/// How an import treats rows with errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is written unless every row is valid (the default).
    #[default]
    AllOrNothing,
    /// The valid rows are written; the others are reported.
    Partial,
}

/// Options of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate and report without writing anything.
    pub dry_run: Option<bool>,
    /// `all_or_nothing` (default) or `partial`.
    pub mode: Option<ImportMode>,
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Created (or would be, in a dry run).
    Created,
    /// Changed an existing association.
    Updated,
    /// Matched an existing association that is already like this.
    Unchanged,
    /// Refused: see `errors`.
    Error,
}

/// One row's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowReport {
    /// Row number in the file (1 = the first after the header; for JSON, the first element).
    pub row: usize,
    /// What happened.
    pub status: RowStatus,
    /// The association concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id: Option<Uuid>,
    /// The problems, with the API's pointers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// Counts per status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Rows created.
    pub created: usize,
    /// Rows that changed an association.
    pub updated: usize,
    /// Rows already in place.
    pub unchanged: usize,
    /// Rows refused.
    pub error: usize,
}

/// The outcome of an import.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "committed": true, "dry_run": false,
    "summary": {"created": 1, "updated": 1, "unchanged": 0, "error": 0},
    "rows": [
        {"row": 1, "status": "created", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8f"},
        {"row": 2, "status": "updated", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90"}
    ]
}))]
pub struct ImportReport {
    /// Whether the writes were kept (false for a dry run, or an all-or-nothing import with errors).
    pub committed: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Counts per status.
    pub summary: ImportSummary,
    /// Every row's outcome, in file order.
    pub rows: Vec<RowReport>,
}

/// An all-or-nothing import refused for invalid rows: the problem, with the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The problem (code `validation_failed`).
    #[serde(flatten)]
    pub problem: Problem,
    /// The import's report: every row, the invalid ones with their errors.
    #[serde(flatten)]
    pub report: ImportReport,
}

/// What an import's 422 carries: the problem with the report (an all-or-nothing import with
/// invalid rows), or a plain problem (a missing file, a reused idempotency key).
pub struct ImportRefusal;

impl utoipa::PartialSchema for ImportRefusal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name("ImportProblem"))
            .item(utoipa::openapi::Ref::from_schema_name("Problem"))
            .description(Some(
                "A problem; for an all-or-nothing import with invalid rows it carries the report.",
            ))
            .into()
    }
}

impl ToSchema for ImportRefusal {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "ImportProblem".into(),
            <ImportProblem as utoipa::PartialSchema>::schema(),
        ));
        <ImportProblem as ToSchema>::schemas(schemas);
    }
}

/// A spreadsheet uploaded as a form (what a browser's file input sends).
#[derive(Debug, ToSchema)]
#[schema(example = json!({"file": "name,legal_form,countries_of_origin,postal_code,woman_led\nFemmes du Baobab (demo),de_facto,SN|ML,1060,true\n"}))]
pub struct ImportUpload {
    /// The CSV file (UTF-8, `,` or `;` separated, a header row of the association columns).
    #[schema(value_type = String, format = Binary, content_media_type = "text/csv")]
    pub file: Vec<u8>,
}

/// Reads the `file` field of a multipart form.
async fn read_upload(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let malformed = |detail: &str| ApiError::MalformedBody {
        detail: detail.into(),
        errors: vec![],
    };
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| malformed(&format!("the form cannot be read: {e}")))?;
        let named_file = field.name() == Some("file");
        let body = read_limited(field, IMPORT_LIMIT).await?;
        // Other fields a form may carry (a submit button's name, say) are read and ignored.
        if named_file {
            return Ok(body.to_vec());
        }
    }
    Err(ApiError::Validation(vec![ProblemItem::pointer(
        "/file",
        "is required",
    )]))
}

fn outcome_report(i: usize, outcome: RowOutcome, summary: &mut ImportSummary) -> RowReport {
    let (status, id, errors) = match outcome {
        RowOutcome::Created(id) => (RowStatus::Created, Some(id), vec![]),
        RowOutcome::Updated(id) => (RowStatus::Updated, Some(id), vec![]),
        RowOutcome::Unchanged(id) => (RowStatus::Unchanged, Some(id), vec![]),
        RowOutcome::Error(errors) => (
            RowStatus::Error,
            None,
            errors
                .into_iter()
                .map(|e| ProblemItem::pointer(e.pointer, e.detail))
                .collect(),
        ),
    };
    match status {
        RowStatus::Created => summary.created += 1,
        RowStatus::Updated => summary.updated += 1,
        RowStatus::Unchanged => summary.unchanged += 1,
        RowStatus::Error => summary.error += 1,
    }
    RowReport {
        row: i + 1,
        status,
        id,
        errors,
    }
}

/// Import associations.
///
/// A spreadsheet's rows, or a JSON array of association bodies. The spreadsheet comes as a form
/// upload (`multipart/form-data`, its `file` field) or, from scripts, as the raw body with
/// `Content-Type: text/csv`: UTF-8, `,` or `;` separated, a BOM tolerated, a header row of the
/// association file columns, list cells joined with `|`. Each row matches an existing
/// association by enterprise number, then by name; it is reported as `created`, `updated`,
/// `unchanged` or `error` with the API's pointers. By default nothing is written unless every
/// row is valid (422 with the report otherwise); `mode=partial` writes the valid rows;
/// `dry_run=true` writes nothing. Up to 20 MiB. Callers bound to an association cannot import
/// (403).
#[utoipa::path(
    tag = "associations",
    operation_id = "import_associations",
    params(ImportQuery),
    request_body(content(
        (Vec<AssociationBody> = "application/json"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Imported (or checked, in a dry run)", body = ImportReport),
        (status = 413, description = "The body is larger than 20 MiB"),
        (status = 415, description = "The body is not JSON, a form or CSV"),
        (status = 422, description = "All-or-nothing import with invalid rows: nothing was written; the report is in the problem",
         body = ImportRefusal, content_type = "application/problem+json",
         example = json!({
            "type": "https://empower.example/problems/validation_failed", "title": "Request validation failed",
            "status": 422, "detail": "1 of 2 rows are invalid: nothing was written",
            "instance": "/api/v1/associations/import", "code": "validation_failed",
            "request_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
            "committed": false, "dry_run": false,
            "summary": {"created": 1, "updated": 0, "unchanged": 0, "error": 1},
            "rows": [
                {"row": 1, "status": "created", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8f"},
                {"row": 2, "status": "error", "errors": [{"pointer": "/countries_of_origin/0", "detail": "is not a country in /api/v1/countries"}]}
            ]
         })),
    )
)]
#[post("/associations/import")]
pub async fn import_associations(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    Params(options): Params<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dry_run = options.dry_run.unwrap_or(false);
    let mode = options.mode.unwrap_or_default();
    let media_type = crate::http::media_type(&req);
    let rows = match media_type.as_str() {
        "text/csv" => parse_csv(&read_limited(payload, IMPORT_LIMIT).await?)?,
        "application/json" => parse_json_rows(&read_limited(payload, IMPORT_LIMIT).await?)?,
        "multipart/form-data" => parse_csv(&read_upload(&req, payload).await?)?,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: vec![
                    "application/json".into(),
                    "multipart/form-data".into(),
                    "text/csv".into(),
                ],
            });
        }
    };
    let tx = db::begin_write(&state.db).await?;
    let outcomes = registry::import(&tx, &caller.audit, rows, &caller.scope()).await?;
    let mut summary = ImportSummary::default();
    let reports: Vec<RowReport> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| outcome_report(i, outcome, &mut summary))
        .collect();
    let refused = summary.error > 0 && mode == ImportMode::AllOrNothing;
    let committed = !dry_run && !refused;
    if committed {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let report = ImportReport {
        committed,
        dry_run,
        summary,
        rows: reports,
    };
    if !refused {
        return Ok(HttpResponse::Ok().json(report));
    }
    let mut problem = ApiError::Validation(vec![]).problem();
    problem.detail = Some(format!(
        "{} of {} rows are invalid: nothing was written",
        report.summary.error,
        report.rows.len()
    ));
    problem.instance = Some(req.path().to_owned());
    problem.request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    let body = ImportProblem { problem, report };
    let mut response = HttpResponse::UnprocessableEntity()
        .content_type(PROBLEM_JSON)
        .body(serde_json::to_vec(&body).unwrap_or_default());
    response.extensions_mut().insert(KeepErrorBody);
    Ok(response)
}

/// Every association matching the filters, as CSV, fetched and sent 500 at a time.
fn export_csv(
    state: web::Data<AppState>,
    filter: registry::AssociationFilter,
    sort: Vec<(registry::SortField, bool)>,
    scope: CallerScope,
) -> HttpResponse {
    let pages = futures_util::stream::unfold(Some((None::<String>, true)), move |position| {
        let (state, filter, sort) = (state.clone(), filter.clone(), sort.clone());
        async move {
            let (cursor, first) = position?;
            let page =
                PageRequest::new(Some(500), cursor.as_deref(), false).map_err(ApiError::from);
            let page = match page {
                Ok(page) => registry::list(&state.db, &filter, &sort, &page, &scope)
                    .await
                    .map_err(ApiError::from),
                Err(err) => Err(err),
            };
            match page {
                Ok(page) => {
                    let inputs: Vec<AssociationInput> = page
                        .items
                        .iter()
                        .map(|a: &Association| {
                            let mut input = a.to_input();
                            input.contact = a.contact_for(&scope);
                            input
                        })
                        .collect();
                    let bytes = web::Bytes::from(to_csv(&inputs, first));
                    let next = page.next_cursor.map(|c| (Some(c), false));
                    Some((Ok::<_, actix_web::Error>(bytes), next))
                }
                Err(err) => {
                    log::error!("CSV export stopped: {err}");
                    Some((Err(err.into()), None))
                }
            }
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"associations.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(pages)
}

/// Export associations as CSV.
///
/// Every association the list would give for the same filters and sort (all pages), as a CSV
/// file with the import's columns, streamed: the file imports back unchanged. Cells a
/// spreadsheet would read as a formula start with `'`. Contact email and phone only for who may
/// see them.
#[utoipa::path(
    tag = "associations",
    operation_id = "export_associations",
    params(AssociationQuery),
    responses((status = 200, description = "The associations as CSV",
        content_type = "text/csv", body = String,
        example = "name,acronym,legal_form,enterprise_number,founded_year,member_count,street,postal_code,city,countries_of_origin,sdgs,thematic_areas,intervention_regions,woman_led,email,phone,website,publication_consent_granted,publication_consent_fields\nFemmes du Baobab (demo),FBD,de_facto,,2005,20,,1060,Demo,SN,4|5,demo,,true,,'+32 2 123 45 67,,true,name|city\n"))
)]
#[get("/associations/export")]
pub async fn export_associations(
    caller: Caller,
    state: web::Data<AppState>,
    query: Params<AssociationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort) = query.0.split()?;
    // Refuse bad filters with a problem before the stream starts.
    registry::check_filter(&state.db, &filter)
        .await
        .map_err(parameter_error)?;
    Ok(export_csv(state, filter, sort, caller.scope()))
}
