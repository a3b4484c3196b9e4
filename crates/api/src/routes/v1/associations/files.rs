//! Spreadsheets in and out: import of associations (CSV or JSON, dry runs, partial mode) and the
//! association list as CSV. The export's columns are the import's, so an exported file imports
//! back unchanged. Cells a spreadsheet would run as a formula are neutralised on the way out
//! (a leading `'`), and restored on the way in.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use empower_domain::association::{
    self as registry, AddressInput, Association, AssociationInput, ConsentInput, ContactInput,
    LegalForm, RowOutcome,
};
use empower_domain::paging::PageRequest;
use empower_domain::policy::CallerScope;
use empower_domain::{FieldError, db};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::profile::AssociationQuery;
use super::schema::AssociationBody;
use crate::auth::Caller;
use crate::extract::body::control_characters;
use crate::extract::{ListQuery, parse_query};
use crate::middleware::{KeepErrorBody, RequestId};
use crate::problem::{ApiError, PROBLEM_JSON, Problem, ProblemItem, parameter_error};
use crate::state::AppState;

/// Largest import body, in bytes (20 MiB: some 50,000 rows).
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

/// The columns of the CSV files, in order.
pub const COLUMNS: [&str; 19] = [
    "name",
    "acronym",
    "legal_form",
    "enterprise_number",
    "founded_year",
    "member_count",
    "street",
    "postal_code",
    "city",
    "countries_of_origin",
    "sdgs",
    "thematic_areas",
    "intervention_regions",
    "woman_led",
    "email",
    "phone",
    "website",
    "publication_consent_granted",
    "publication_consent_fields",
];

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn formula_like(cell: &str) -> bool {
    cell.starts_with(FORMULA_STARTS) || cell.strip_prefix('\'').is_some_and(formula_like)
}

/// A cell as written to a file: one that a spreadsheet would run as a formula (or that already
/// carries the escape) gets a leading `'`, which spreadsheets show as text and hide.
pub fn neutralise(cell: String) -> String {
    if formula_like(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as read from a file: the inverse of [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

fn join(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join("|")
}

fn legal_form_name(form: LegalForm) -> String {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One association as a CSV record, in [`COLUMNS`] order.
pub fn record(input: &AssociationInput) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        input.name.clone(),
        text(&input.acronym),
        legal_form_name(input.legal_form),
        text(&input.enterprise_number),
        input
            .founded_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        input
            .member_count
            .map(|n| n.to_string())
            .unwrap_or_default(),
        text(&input.address.street),
        text(&input.address.postal_code),
        text(&input.address.city),
        join(input.countries_of_origin.clone()),
        join(input.sdgs.iter().map(i32::to_string)),
        join(input.thematic_areas.clone()),
        text(&input.intervention_regions),
        input.woman_led.to_string(),
        text(&input.contact.email),
        text(&input.contact.phone),
        text(&input.contact.website),
        input.publication_consent.granted.to_string(),
        join(input.publication_consent.fields.clone()),
    ]
    .into_iter()
    .map(neutralise)
    .collect()
}

/// The CSV header line and records of `inputs`.
pub fn to_csv(inputs: &[AssociationInput], header: bool) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    if header {
        let _ = writer.write_record(COLUMNS);
    }
    for input in inputs {
        let _ = writer.write_record(record(input));
    }
    writer.into_inner().unwrap_or_default()
}

fn split(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(cell: &str) -> Option<String> {
    Some(cell.trim().to_owned()).filter(|c| !c.is_empty())
}

/// Reads one CSV record into an input, naming the field of each cell that cannot be read.
fn parse_record(
    headers: &[String],
    cells: &csv::StringRecord,
) -> Result<AssociationInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let value = cells.get(i).unwrap_or_default();
        if let Some(c) = value
            .chars()
            .find(|c| empower_domain::text::is_never_text(*c))
        {
            errors.push(FieldError::new(
                format!("/{header}"),
                format!(
                    "must not contain control characters (found U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
    }
    let cell = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| cells.get(i))
            .map(restore)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let mut int = |name: &str, pointer: &str| -> Option<i64> {
        let value = cell(name);
        if value.is_empty() {
            return None;
        }
        value
            .parse()
            .map_err(|_| errors.push(FieldError::new(pointer, "must be a whole number")))
            .ok()
    };
    let founded_year = int("founded_year", "/founded_year")
        .map(|y| i32::try_from(y).unwrap_or(if y < 0 { i32::MIN } else { i32::MAX }));
    let member_count = int("member_count", "/member_count");
    let mut boolean = |name: &str, pointer: &str| -> bool {
        match cell(name).to_ascii_lowercase().as_str() {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            _ => {
                errors.push(FieldError::new(pointer, "must be true or false"));
                false
            }
        }
    };
    let woman_led = boolean("woman_led", "/woman_led");
    let granted = boolean(
        "publication_consent_granted",
        "/publication_consent/granted",
    );
    let mut sdgs = Vec::new();
    for (i, value) in split(&cell("sdgs")).iter().enumerate() {
        match value.parse() {
            Ok(n) => sdgs.push(n),
            Err(_) => errors.push(FieldError::new(
                format!("/sdgs/{i}"),
                "must be an SDG number, 1 to 17",
            )),
        }
    }
    let legal_form_cell = cell("legal_form");
    let legal_form: Option<LegalForm> =
        serde_json::from_value(serde_json::Value::String(legal_form_cell.clone())).ok();
    if legal_form.is_none() {
        errors.push(FieldError::new(
            "/legal_form",
            "must be one of asbl, vzw, de_facto, other",
        ));
    }
    let (Some(legal_form), true) = (legal_form, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(AssociationInput {
        name: cell("name"),
        acronym: optional(&cell("acronym")),
        legal_form,
        enterprise_number: optional(&cell("enterprise_number")),
        founded_year,
        member_count,
        address: AddressInput {
            street: optional(&cell("street")),
            postal_code: optional(&cell("postal_code")),
            city: optional(&cell("city")),
        },
        countries_of_origin: split(&cell("countries_of_origin")),
        sdgs,
        thematic_areas: split(&cell("thematic_areas")),
        intervention_regions: optional(&cell("intervention_regions")),
        woman_led,
        contact: ContactInput {
            email: optional(&cell("email")),
            phone: optional(&cell("phone")),
            website: optional(&cell("website")),
        },
        publication_consent: ConsentInput {
            granted,
            fields: split(&cell("publication_consent_fields")),
        },
    })
}

type Rows = Vec<Result<AssociationInput, Vec<FieldError>>>;

/// Reads a CSV file: UTF-8 (a BOM is tolerated), `,` or `;` separated, with a header row of
/// known columns.
pub fn parse_csv(bytes: &[u8]) -> Result<Rows, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::MalformedBody {
        detail: "the file is not UTF-8 text".into(),
        errors: vec![],
    })?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::MalformedBody {
            detail: format!("the header row cannot be read: {e}"),
            errors: vec![],
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let unknown: Vec<ProblemItem> = headers
        .iter()
        .filter(|h| !COLUMNS.contains(&h.as_str()))
        .map(|h| {
            let shown: String = h.chars().filter(|c| !c.is_control()).take(60).collect();
            ProblemItem::pointer(
                format!("/{shown}"),
                "is not a column of the association files",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::MalformedBody {
            detail: "the header row names unknown columns".into(),
            errors: unknown,
        });
    }
    let missing: Vec<ProblemItem> = ["name", "legal_form", "countries_of_origin"]
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| ProblemItem::pointer(format!("/{c}"), "is a required column"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::MalformedBody {
            detail: "the header row lacks required columns".into(),
            errors: missing,
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(match record {
            Ok(cells) => parse_record(&headers, &cells),
            Err(e) => Err(vec![FieldError::new(
                "/",
                format!("the row cannot be read: {e}"),
            )]),
        });
    }
    Ok(rows)
}

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
pub struct ImportUpload {
    /// The CSV file (UTF-8, `,` or `;` separated, a header row of the association columns).
    #[schema(value_type = String, format = Binary, content_media_type = "text/csv")]
    pub file: Vec<u8>,
}

async fn read_limited(mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::MalformedBody {
            detail: "the body could not be read".into(),
            errors: vec![],
        })?;
        if body.len() + chunk.len() > IMPORT_LIMIT {
            return Err(ApiError::PayloadTooLarge {
                limit: IMPORT_LIMIT,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads the `file` field of a multipart form.
async fn read_upload(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let malformed = |detail: &str| ApiError::MalformedBody {
        detail: detail.into(),
        errors: vec![],
    };
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| malformed(&format!("the form cannot be read: {e}")))?;
        let mut body = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| malformed(&format!("the form cannot be read: {e}")))?;
            if body.len() + chunk.len() > IMPORT_LIMIT {
                return Err(ApiError::PayloadTooLarge {
                    limit: IMPORT_LIMIT,
                });
            }
            body.extend_from_slice(&chunk);
        }
        // Other fields a form may carry (a submit button's name, say) are read and ignored.
        if field.name() == Some("file") {
            return Ok(body);
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
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let options: ImportQuery = parse_query(req.query_string())?;
    let dry_run = options.dry_run.unwrap_or(false);
    let mode = options.mode.unwrap_or_default();
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match media_type.as_str() {
        "text/csv" => parse_csv(&read_limited(payload).await?)?,
        "application/json" => parse_json_rows(&read_limited(payload).await?)?,
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
    query: ListQuery<AssociationQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort) = query.filter.split()?;
    let scope = caller.scope();
    // Refuse bad filters with a problem before the stream starts.
    registry::list(
        &state.db,
        &filter,
        &sort,
        &PageRequest::new(Some(1), None, false).map_err(parameter_error)?,
        &scope,
    )
    .await
    .map_err(parameter_error)?;
    Ok(export_csv(state, filter, sort, scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for cell in [
            "=1+1",
            "+32 2 123",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=x",
            "''+y",
        ] {
            let out = neutralise(cell.to_owned());
            assert!(out.starts_with('\''), "{cell:?} -> {out:?}");
            assert_eq!(restore(&out), cell);
        }
        for cell in ["Femmes", "'quoted'", "1060", ""] {
            assert_eq!(neutralise(cell.to_owned()), cell);
            assert_eq!(restore(cell), cell);
        }
    }
}
