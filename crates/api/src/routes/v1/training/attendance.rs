//! Attendance: a session's sheet, and a module's register (JSON, or CSV for Excel).

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::db;
use empower_domain::training::AttendanceStatus;
use empower_domain::training::attendance::{self, Register, Sheet, SheetEntry};
use empower_domain::training::entity::attendance::Model;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, NoQuery, version_etag};
use crate::http::{
    Caching, csv_download, csv_for_excel, json_with_etag, prefers, vary_accept, written,
};
use crate::problem::ApiError;
use crate::routes::v1::associations::files::csv::neutralise;
use crate::state::AppState;

/// One line of a sheet as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01", "status": "present", "arrived_late": false}))]
pub struct SheetEntryBody {
    /// A person enrolled in the session's module.
    pub person_id: Uuid,
    /// `present`, `absent` or `excused`.
    pub status: AttendanceStatus,
    /// Came late (default false).
    #[serde(default)]
    pub arrived_late: bool,
}

/// One line of a sheet as stored.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d99", "person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01",
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "status": "present", "arrived_late": false, "version": 1, "updated_at": "2026-11-28T10:00:00Z"
}))]
pub struct SheetLine {
    /// The line's id (its changes appear in the feed as `attendance`).
    pub id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Her association.
    pub association_id: Uuid,
    /// The enrolment the line counts for.
    pub enrollment_id: Uuid,
    /// `present`, `absent` or `excused`.
    pub status: AttendanceStatus,
    /// Came late.
    pub arrived_late: bool,
    /// +1 on every change of the line.
    pub version: i32,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Model> for SheetLine {
    fn from(m: Model) -> Self {
        Self {
            id: m.id,
            person_id: m.person_id,
            association_id: m.association_id,
            enrollment_id: m.enrollment_id,
            status: m.status,
            arrived_late: m.arrived_late,
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}

/// A whole sheet as sent: at most 500 lines.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct SheetBody(pub Vec<SheetEntryBody>);

impl utoipa::PartialSchema for SheetBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, Ref};
        ArrayBuilder::new()
            .items(Ref::from_schema_name("SheetEntryBody"))
            .max_items(Some(attendance::MAX_SHEET))
            .description(Some("The whole sheet: one line per person, each person once."))
            .examples([serde_json::json!([
                {"person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01", "status": "present", "arrived_late": false},
                {"person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d02", "status": "excused"}
            ])])
            .into()
    }
}

impl ToSchema for SheetBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "SheetEntryBody".into(),
            <SheetEntryBody as utoipa::PartialSchema>::schema(),
        ));
        <SheetEntryBody as ToSchema>::schemas(schemas);
    }
}

fn sheet_response(req: &HttpRequest, sheet: Sheet) -> HttpResponse {
    let lines: Vec<SheetLine> = sheet.lines.into_iter().map(SheetLine::from).collect();
    json_with_etag(
        req,
        &lines,
        Some(version_etag(sheet.version)),
        Caching::NoStore,
    )
}

/// Read a session's attendance sheet.
///
/// One line per person recorded. A caller bound to an association sees its own people's lines
/// only. The `ETag` is the sheet's version (+1 on each change of its lines): send it back in
/// `If-Match` when replacing the sheet.
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_session_attendance",
    params(("id" = Uuid, Path, description = "The session's id")),
    responses(
        (status = 200, description = "The sheet", body = Vec<SheetLine>),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such session"),
    )
)]
#[get("/training-sessions/{id}/attendance")]
pub async fn get_training_session_attendance(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let sheet = attendance::sheet(&state.db, *id, &caller.scope()).await?;
    Ok(sheet_response(&req, sheet))
}

/// Take a session's attendance.
///
/// Replaces the sheet: one line per person, each enrolled in the session's module (422
/// `not_enrolled` names the lines that are not), each person once, at most 500. Attendance is
/// taken for a session that was held, or on the day of the session (a trainer in the room);
/// otherwise 409 `attendance_not_open`. People left off the sheet lose their line. Present at
/// any sitting of a module day counts that day once towards completion.
#[utoipa::path(
    tag = "training",
    operation_id = "put_training_session_attendance",
    params(
        ("id" = Uuid, Path, description = "The session's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The sheet's version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = SheetBody, description = "The whole sheet (at most 500 lines)"),
    responses(
        (status = 200, description = "The sheet as stored", body = Vec<SheetLine>),
        (status = 404, description = "No such session"),
        (status = 409, description = "Attendance cannot be taken for this session now"),
        (status = 412, description = "`If-Match` names another version of the sheet"),
        (status = 422, description = "A line names someone not enrolled, or twice"),
    )
)]
#[put("/training-sessions/{id}/attendance")]
pub async fn put_training_session_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SheetBody>,
) -> Result<HttpResponse, ApiError> {
    let entries: Vec<SheetEntry> = body
        .into_inner()?
        .0
        .into_iter()
        .map(|e| SheetEntry {
            person_id: e.person_id,
            status: e.status,
            arrived_late: e.arrived_late,
        })
        .collect();
    let tx = db::begin_write(&state.db).await?;
    let sheet = attendance::replace(
        &tx,
        &caller.audit,
        *id,
        &entries,
        &if_match.0,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    // A write answers with what it stored, never 304.
    let etag = version_etag(sheet.version);
    let lines: Vec<SheetLine> = sheet.lines.into_iter().map(SheetLine::from).collect();
    Ok(written(None, etag, &lines, Caching::NoStore))
}

/// A column of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterDay {
    /// The module day.
    pub day_number: i32,
    /// Its topic (the first language available: English, French, Dutch).
    pub topic: String,
    /// Guests attend.
    pub guest_day: bool,
}

/// A row of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterRowView {
    /// The enrolment.
    pub enrollment_id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// Her association.
    pub association_id: Uuid,
    /// First name: only for callers who may see personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name: only for callers who may see personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// One entry per module day, in the order of `days`: the best status at any sitting of the
    /// day (`present`, then `excused`, then `absent`), or null when none was recorded.
    pub days: Vec<Option<AttendanceStatus>>,
    /// Days attended.
    pub attended_days: i32,
    /// Whether the module is completed.
    pub completed: bool,
    /// When it was completed.
    #[schema(required = true)]
    pub completed_on: Option<NaiveDate>,
}

/// A module's attendance register.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "module_id": "019ac000-0000-7000-8000-000000000003", "module_code": "M3", "required_days": 2,
    "days": [{"day_number": 1, "topic": "Policy frameworks", "guest_day": false}, {"day_number": 2, "topic": "Workshop", "guest_day": true}],
    "rows": [{"enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01",
        "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "first_name": "Awa", "last_name": "Diallo (demo)",
        "days": ["present", "absent"], "attended_days": 1, "completed": false, "completed_on": null}]
}))]
pub struct RegisterView {
    /// The module.
    pub module_id: Uuid,
    /// Its code.
    pub module_code: String,
    /// Days to attend to complete it.
    pub required_days: i32,
    /// The columns.
    pub days: Vec<RegisterDay>,
    /// One row per enrolled person, by name.
    pub rows: Vec<RegisterRowView>,
}

impl From<Register> for RegisterView {
    fn from(r: Register) -> Self {
        Self {
            module_id: r.module.row.id,
            module_code: r.module.row.code.clone(),
            required_days: r.module.required_days(),
            days: r
                .module
                .days
                .iter()
                .map(|d| RegisterDay {
                    day_number: d.day_number,
                    topic: d.topic.best().to_owned(),
                    guest_day: d.guest_day,
                })
                .collect(),
            rows: r
                .rows
                .into_iter()
                .map(|row| {
                    let (first_name, last_name) = row.name.unzip();
                    RegisterRowView {
                        enrollment_id: row.enrollment.id,
                        person_id: row.enrollment.person_id,
                        association_id: row.enrollment.association_id,
                        first_name,
                        last_name,
                        days: row.days,
                        attended_days: row.completion.attended_days,
                        completed: row.completion.completed_on.is_some(),
                        completed_on: row.completion.completed_on,
                    }
                })
                .collect(),
        }
    }
}

fn status_cell(status: Option<AttendanceStatus>) -> &'static str {
    match status {
        Some(AttendanceStatus::Present) => "present",
        Some(AttendanceStatus::Absent) => "absent",
        Some(AttendanceStatus::Excused) => "excused",
        None => "",
    }
}

/// The register as CSV: a header row, then one row per person; cells a spreadsheet would run
/// as formulas are neutralised.
fn register_csv(view: &RegisterView, names: bool) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = Vec::new();
    if names {
        header.extend(["last_name".into(), "first_name".into()]);
    }
    header.extend(["person_id".into(), "association_id".into()]);
    header.extend(view.days.iter().map(|d| format!("day_{}", d.day_number)));
    header.extend([
        "attended_days".into(),
        "required_days".into(),
        "completed_on".into(),
    ]);
    let fail = |e: csv::Error| ApiError::Internal(e.to_string());
    writer.write_record(&header).map_err(fail)?;
    for row in &view.rows {
        let mut record: Vec<String> = Vec::new();
        if names {
            record.push(neutralise(row.last_name.clone().unwrap_or_default()));
            record.push(neutralise(row.first_name.clone().unwrap_or_default()));
        }
        record.push(row.person_id.to_string());
        record.push(row.association_id.to_string());
        record.extend(row.days.iter().map(|d| status_cell(*d).to_owned()));
        record.push(row.attended_days.to_string());
        record.push(view.required_days.to_string());
        record.push(row.completed_on.map(|d| d.to_string()).unwrap_or_default());
        writer.write_record(&record).map_err(fail)?;
    }
    csv_for_excel(writer)
}

/// Read a module's attendance register.
///
/// The register trainers keep: one row per enrolled person, one column per module day, with
/// days attended and completion. JSON, or with `Accept: text/csv` a CSV file that opens in
/// Excel (UTF-8 with a byte-order mark). Names only for callers who may see personal data; a
/// caller bound to an association sees its own people only.
#[utoipa::path(
    tag = "training",
    operation_id = "get_module_attendance_register",
    params(("id" = Uuid, Path, description = "The module's id")),
    responses(
        (status = 200, description = "The register", content(
            (RegisterView = "application/json"),
            (String = "text/csv", example = "last_name,first_name,person_id,association_id,day_1,day_2,attended_days,required_days,completed_on\nDiallo (demo),Awa,0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01,0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00,present,absent,1,2,\n"),
        )),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such module"),
    )
)]
#[get("/modules/{id}/attendance-register")]
pub async fn get_module_attendance_register(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let scope = caller.scope();
    let register = attendance::register(&state.db, *id, &scope).await?;
    let code = register.module.row.code.clone();
    let view = RegisterView::from(register);
    if prefers(&req, "text/csv") {
        let body = register_csv(&view, scope.personal_data)?;
        return Ok(csv_download(
            &req,
            body,
            &format!("attendance-{code}.csv"),
            Caching::NoStore,
        ));
    }
    Ok(vary_accept(json_with_etag(
        &req,
        &view,
        None,
        Caching::NoStore,
    )))
}
