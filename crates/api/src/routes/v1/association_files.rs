//! Spreadsheets in and out: CSV (or JSON) import of associations with dry runs and partial
//! mode, and the association list as CSV. The export's columns are the import's, so an exported
//! file imports back unchanged.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, post, web};
use empower_domain::association::{
    self as registry, AddressInput, AssociationInput, ConsentInput, ContactInput, RowOutcome,
};
use empower_domain::{FieldError, db};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::associations::AssociationBody;
use crate::auth::Caller;
use crate::extract::parse_query;
use crate::middleware::{KeepErrorBody, RequestId};
use crate::problem::{ApiError, PROBLEM_JSON, ProblemItem};
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

/// Registers the import operation (the export is the association list with `Accept: text/csv`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import_associations);
}

fn join(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join("|")
}

/// One association as a CSV record, in [`COLUMNS`] order.
pub fn record(input: &AssociationInput) -> Vec<String> {
    let address = input.address.clone().unwrap_or_default();
    let contact = input.contact.clone().unwrap_or_default();
    let consent = input.publication_consent.clone().unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        input.name.clone(),
        text(&input.acronym),
        input.legal_form.clone(),
        text(&input.enterprise_number),
        input
            .founded_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        input
            .member_count
            .map(|n| n.to_string())
            .unwrap_or_default(),
        text(&address.street),
        text(&address.postal_code),
        text(&address.city),
        join(input.countries_of_origin.clone()),
        join(input.sdgs.iter().map(i32::to_string)),
        join(input.thematic_areas.clone()),
        text(&input.intervention_regions),
        input.woman_led.to_string(),
        text(&contact.email),
        text(&contact.phone),
        text(&contact.website),
        consent.granted.to_string(),
        join(consent.fields),
    ]
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
    let cell = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| cells.get(i))
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
    let founded_year = int("founded_year", "/founded_year").and_then(|y| i32::try_from(y).ok());
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
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AssociationInput {
        name: cell("name"),
        acronym: optional(&cell("acronym")),
        legal_form: cell("legal_form"),
        enterprise_number: optional(&cell("enterprise_number")),
        founded_year,
        member_count,
        address: Some(AddressInput {
            street: optional(&cell("street")),
            postal_code: optional(&cell("postal_code")),
            city: optional(&cell("city")),
        }),
        countries_of_origin: split(&cell("countries_of_origin")),
        sdgs,
        thematic_areas: split(&cell("thematic_areas")),
        intervention_regions: optional(&cell("intervention_regions")),
        woman_led,
        contact: Some(ContactInput {
            email: optional(&cell("email")),
            phone: optional(&cell("phone")),
            website: optional(&cell("website")),
        }),
        publication_consent: Some(ConsentInput {
            granted,
            fields: split(&cell("publication_consent_fields")),
        }),
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
        .map(|h| ProblemItem::pointer(format!("/{h}"), "is not a column of the association files"))
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
    Ok(values
        .into_iter()
        .map(
            |value| match crate::extract::deserialize_value::<AssociationBody>(value) {
                Ok(body) => Ok(body.into_input()),
                Err(err) => Err(err
                    .problem()
                    .errors
                    .into_iter()
                    .map(|e| FieldError::new(e.pointer.unwrap_or_default(), e.detail))
                    .collect()),
            },
        )
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
    #[param(inline)]
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

/// Import associations.
///
/// A spreadsheet's rows (`text/csv`: UTF-8, `,` or `;` separated, a BOM tolerated, a header row
/// of the association file columns, list cells joined with `|`) or a JSON array of association
/// bodies. Each row matches an existing association by enterprise number, then by name; it is
/// reported as `created`, `updated`, `unchanged` or `error` with the API's pointers. By default
/// nothing is written unless every row is valid (422 with the report otherwise);
/// `mode=partial` writes the valid rows; `dry_run=true` writes nothing. Up to 20 MiB.
#[utoipa::path(
    tag = "associations",
    operation_id = "import_associations",
    params(ImportQuery),
    request_body(content(
        (String = "text/csv", example = "name,legal_form,countries_of_origin,postal_code,woman_led\nFemmes du Baobab (demo),de_facto,SN|ML,1060,true\n"),
        (Vec<AssociationBody> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or checked, in a dry run)", body = ImportReport),
        (status = 422, description = "All-or-nothing import with invalid rows: nothing was written; the report is in the problem"),
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
    let parse: fn(&[u8]) -> Result<Rows, ApiError> = match media_type.as_str() {
        "text/csv" => parse_csv,
        "application/json" => parse_json_rows,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: vec!["text/csv".into(), "application/json".into()],
            });
        }
    };
    let rows = parse(&read_limited(payload).await?)?;
    let tx = db::begin_write(&state.db).await?;
    let outcomes = registry::import(&tx, &caller.audit, rows).await?;
    let mut summary = ImportSummary::default();
    let reports: Vec<RowReport> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| {
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
        })
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
    // An all-or-nothing import with errors: a problem that carries the report.
    let mut problem =
        serde_json::to_value(ApiError::Validation(vec![]).problem()).unwrap_or_default();
    problem["detail"] = format!(
        "{} of {} rows are invalid: nothing was written",
        report.summary.error,
        report.rows.len()
    )
    .into();
    problem["instance"] = req.path().into();
    if let Some(id) = req.extensions().get::<RequestId>() {
        problem["request_id"] = id.0.clone().into();
    }
    if let (Some(object), Ok(serde_json::Value::Object(extra))) =
        (problem.as_object_mut(), serde_json::to_value(&report))
    {
        object.extend(extra);
    }
    let mut response = HttpResponse::UnprocessableEntity()
        .content_type(PROBLEM_JSON)
        .body(problem.to_string());
    response.extensions_mut().insert(KeepErrorBody);
    Ok(response)
}
