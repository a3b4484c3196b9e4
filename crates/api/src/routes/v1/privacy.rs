//! Privacy rights (admin): a person's data export (GDPR Art. 15, 20), her erasure (Art. 17),
//! what the retention periods make due (Art. 5(1)(e)), and the record of processing
//! activities (Art. 30).

use std::io::Write;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::changes::ResourceType;
use empower_domain::db;
use empower_domain::privacy::export::PersonalData;
use empower_domain::privacy::processing::ProcessingRecord;
use empower_domain::privacy::retention::{self, AssociationContactDue, RetentionDue};
use empower_domain::privacy::{self, Extent, RetentionPeriods};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::extract::{ApiJson, NoQuery};
use crate::http::{Caching, conditional, json_with_etag, prefers, vary_accept};
use crate::problem::ApiError;
use crate::routes::v1::restitutions::release_files;
use crate::state::AppState;

/// Registers the privacy operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_person_data)
        .service(erase_person)
        .service(get_retention)
        .service(get_processing_activities);
}

/// A zip archive (binary).
#[derive(Debug)]
pub struct ZipArchive;

impl utoipa::PartialSchema for ZipArchive {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some(
                "A zip archive: `person.json` (the JSON document) and `files/<evidence id>.<ext>`",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ZipArchive {}

/// Export everything about a person.
///
/// Everything the API holds about her, deleted and erased records included, as one JSON
/// document: profile, consent history, enrolments, attendance, assessments, certificates,
/// restitutions she facilitated (with their photos and attendance sheets), stories that name
/// her, erasures, and the audit entries of which she is the target. Other people appear by id
/// only. With `Accept: application/zip`, a zip of the document (`person.json`) and her evidence
/// files. Audited (`person.exported`); `Cache-Control: no-store`.
#[utoipa::path(
    tag = "privacy",
    operation_id = "export_person_data",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "Her data", content(
            (PersonalData = "application/json"),
            (ZipArchive = "application/zip", example = "PK... (person.json, files/...)"),
        )),
        (status = 404, description = "No such person"),
    )
)]
#[get("/people/{id}/data-export")]
pub async fn export_person_data(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let data = privacy::export::export(&state.db, *id, &caller.scope()).await?;
    empower_domain::audit::record(
        &state.db,
        &caller.audit,
        "person.exported",
        Some((ResourceType::Person.as_str(), id.to_string())),
    )
    .await?;
    if !prefers(&req, "application/zip") {
        return Ok(vary_accept(json_with_etag(
            &req,
            &data,
            None,
            Caching::NoStore,
        )));
    }
    let body = zip_of(&state, &data).await?;
    Ok(vary_accept(conditional(
        &req,
        body,
        "application/zip",
        None,
        Caching::NoStore,
        &[(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"person-{}.zip\"", *id),
        )],
    )))
}

/// The zip of the document and the files it names (a file gone from disk is left out).
async fn zip_of(state: &AppState, data: &PersonalData) -> Result<Vec<u8>, ApiError> {
    let json = serde_json::to_vec_pretty(data).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut files = Vec::new();
    for (name, hash) in data.files() {
        if let Some(bytes) = state.files.get(&hash).await? {
            files.push((name, bytes));
        }
    }
    let fail = |e: zip::result::ZipError| ApiError::Internal(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("person.json", options).map_err(fail)?;
    zip.write_all(&json)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for (name, bytes) in files {
        zip.start_file(name, options).map_err(fail)?;
        zip.write_all(&bytes)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(zip.finish().map_err(fail)?.into_inner())
}

/// Why a person is erased.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Art. 17 request received by email on 2026-11-20 (ticket 4521)"}))]
pub struct ErasureBody {
    /// Why: the request's reference, say (1-500 characters, one line; no personal data).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// A record whose personal fields an erasure changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedRecord {
    /// Its type in the change feed.
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    /// Its id.
    pub id: Uuid,
}

/// An erasure done.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7e01", "person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01",
    "extent": "whole", "reason": "Art. 17 request received by email on 2026-11-20 (ticket 4521)",
    "erased_at": "2026-11-29T10:00:00Z",
    "records": [{"type": "person", "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01"}]
}))]
pub struct ErasureView {
    /// The erasure's id.
    pub id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// How much was erased.
    pub extent: Extent,
    /// Why.
    pub reason: String,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// The records whose personal fields changed, each with an `erase` in the change feed.
    pub records: Vec<ErasedRecord>,
}

/// Erase a person.
///
/// Removes her identity everywhere, in one transaction: names replaced by a neutral label
/// (`Erased person`), email, phone, role and languages cleared; the notes, photos and
/// attendance sheets of the restitutions she facilitated removed (files deleted from disk after
/// commit); her id, names and picture taken out of the stories that name her (the
/// deliverable's history says so); stored replies and login throttles that hold her email
/// dropped. Keeps, anonymously, what the results count (enrolments, attendance, assessments,
/// completion, restitution counts, her gender): every indicator and report reads the same.
/// The change feed carries an `erase` for each record changed; the audit log a
/// `person.erased` (the reason is kept with the erasure, not in the log). Her certificates no
/// longer verify. A person already erased: 409 `person_erased`.
#[utoipa::path(
    tag = "privacy",
    operation_id = "erase_person",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = ErasureBody,
    responses(
        (status = 200, description = "Erased", body = ErasureView),
        (status = 404, description = "No such person"),
        (status = 409, description = "Already erased (`person_erased`)"),
        (status = 422, description = "The reason breaks its rule"),
    )
)]
#[post("/people/{id}/erasure")]
pub async fn erase_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<ErasureBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let tx = db::begin_write(&state.db).await?;
    let erased = privacy::erase(
        &tx,
        &caller.audit,
        *id,
        Extent::Whole,
        &body.reason,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    release_files(&state.db, &state.files, erased.files).await;
    let record = erased.record;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ErasureView {
            id: record.id,
            person_id: record.person_id,
            extent: record.extent,
            reason: record.reason,
            erased_at: record.erased_at,
            records: erased
                .records
                .into_iter()
                .map(|(resource_type, id)| ErasedRecord { resource_type, id })
                .collect(),
        }))
}

/// The retention periods and who is due.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "periods": {"closed_months": 12, "contact_months": 36},
    "due": [{"person_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01",
             "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
             "association_status": "rejected", "since": "2025-06-01T09:00:00Z", "extent": "whole"}],
    "associations": [{"association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d0a", "since": "2023-06-30T09:00:00Z"}]
}))]
pub struct RetentionView {
    /// The periods in force (`EMPOWER_RETENTION_CLOSED_MONTHS`,
    /// `EMPOWER_RETENTION_CONTACT_MONTHS`).
    pub periods: RetentionPeriods,
    /// Everyone the next `empower retention` run erases, by association then person.
    pub due: Vec<RetentionDue>,
    /// Associations completed for longer than `contact_months` whose own email and phone the
    /// next run erases.
    pub associations: Vec<AssociationContactDue>,
}

/// Read the retention periods and what is due.
///
/// The periods in force, and the people whose data the next `empower retention` run erases:
/// people of associations rejected or withdrawn for longer than `closed_months` (whole), and
/// the contact data of people of associations completed for longer than `contact_months`, and
/// those associations' own email and phone.
#[utoipa::path(
    tag = "privacy",
    operation_id = "get_retention",
    responses((status = 200, description = "Periods and what is due", body = RetentionView))
)]
#[get("/privacy/retention")]
pub async fn get_retention(
    req: HttpRequest,
    state: web::Data<AppState>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let due = retention::due(&state.db, &state.retention, Utc::now()).await?;
    Ok(json_with_etag(
        &req,
        &RetentionView {
            periods: state.retention,
            due: due.people,
            associations: due.associations,
        },
        None,
        Caching::NoStore,
    ))
}

/// Read the record of processing activities.
///
/// The programme's GDPR Art. 30 record as data: purposes, legal bases, categories of people and
/// data, recipients (the partner clients and their scopes, read live), retention periods (the
/// settings) and security measures. JSON, or with `Accept: text/markdown` a Markdown document.
#[utoipa::path(
    tag = "privacy",
    operation_id = "get_processing_activities",
    responses(
        (status = 200, description = "The record", content(
            (ProcessingRecord = "application/json"),
            (String = "text/markdown", example = "# Record of processing activities (GDPR Art. 30)\n\n..."),
        )),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/privacy/processing-activities")]
pub async fn get_processing_activities(
    req: HttpRequest,
    state: web::Data<AppState>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let record = privacy::processing::record(&state.db, state.retention).await?;
    if prefers(&req, "text/markdown") {
        return Ok(vary_accept(conditional(
            &req,
            record.to_markdown().into_bytes(),
            "text/markdown; charset=utf-8",
            None,
            Caching::Allowed,
            &[],
        )));
    }
    Ok(vary_accept(json_with_etag(
        &req,
        &record,
        None,
        Caching::Allowed,
    )))
}
