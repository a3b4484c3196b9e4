//! Evidence of a restitution: links, or files (PDF, JPEG, PNG) uploaded as forms and
//! downloaded with the restitution's own access rules. Photos and attendance sheets show or
//! name people: callers who may not see personal data see that they exist, not what they show.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::error::{Refusal, RefusalKind};
use empower_domain::files::{FileStore, FileType, MAX_FILE_BYTES};
use empower_domain::restitution::EvidenceKind;
use empower_domain::restitution::entity::evidence as stored;
use empower_domain::restitution::evidence::{self, EvidenceInput, Source, Upload};
use empower_domain::text;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{location, release_files};
use crate::auth::Caller;
use crate::extract::{
    BODY_LIMIT, IfMatch, ListQuery, NoParams, NoQuery, PageParams, parse_json, read_limited,
    version_etag,
};
use crate::http::{
    Caching, ListBody, json_with_etag, media_type, none_match, page_response, prefers, written,
};
use crate::problem::{ApiError, ProblemItem};
use crate::state::AppState;

/// The upload operation's id: its body may carry a file of [`MAX_FILE_BYTES`].
pub const UPLOAD_OPERATION: &str = "create_restitution_evidence";
/// The upload's body limit: the largest file and the form around it.
pub const UPLOAD_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

/// A stored file, as read.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceFile {
    /// `application/pdf`, `image/jpeg` or `image/png`, recognised from the content.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// The name it downloads under.
    pub name: String,
    /// Where to download it.
    pub download_url: String,
}

/// An evidence item as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90", "restitution_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00", "kind": "report",
    "description": "Written report of the session", "url": null,
    "file": {"media_type": "application/pdf", "size": 48213, "name": "report.pdf",
        "download_url": "/api/v1/restitutions/0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e/evidence/0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90/file"},
    "withheld": false, "version": 1,
    "created_at": "2026-11-21T18:00:00Z", "updated_at": "2026-11-21T18:00:00Z"
}))]
pub struct EvidenceView {
    /// Id.
    pub id: Uuid,
    /// The restitution.
    pub restitution_id: Uuid,
    /// Its association.
    pub association_id: Uuid,
    /// `report`, `attendance_sheet`, `photo` or `other`.
    pub kind: EvidenceKind,
    /// What it is; `null` when withheld.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The link, for a link; `null` for a file, or when withheld.
    #[schema(required = true)]
    pub url: Option<String>,
    /// The stored file, for a file; `null` for a link, or when withheld.
    #[schema(required = true)]
    pub file: Option<EvidenceFile>,
    /// A photo or attendance sheet the caller may not see (viewers, and API clients without
    /// `restitutions:write`): it exists, what it shows is withheld.
    pub withheld: bool,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn item_location(restitution_id: Uuid, id: Uuid) -> String {
    format!("{}/evidence/{id}", location(restitution_id))
}

impl EvidenceView {
    fn of(item: stored::Model, sees_personal: bool) -> Self {
        let withheld = item.kind.personal() && !sees_personal;
        let file = match (&item.file_sha256, &item.file_media_type) {
            (Some(_), Some(media_type)) if !withheld => Some(EvidenceFile {
                media_type: media_type.clone(),
                size: item.file_size.unwrap_or_default(),
                name: item.file_name.clone().unwrap_or_default(),
                download_url: format!("{}/file", item_location(item.restitution_id, item.id)),
            }),
            _ => None,
        };
        Self {
            id: item.id,
            restitution_id: item.restitution_id,
            association_id: item.association_id,
            kind: item.kind,
            description: (!withheld).then_some(item.description),
            url: item.url.filter(|_| !withheld),
            file,
            withheld,
            version: item.version,
            created_at: item.created_at,
            updated_at: item.updated_at,
        }
    }
}

/// List a restitution's evidence.
///
/// Oldest first, paginated. Photos and attendance sheets are `withheld` from callers who may
/// not see personal data.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "list_restitution_evidence",
    params(("id" = Uuid, Path, description = "The restitution's id"), PageParams),
    responses(
        (status = 200, description = "A page of evidence items", body = ListBody<EvidenceView>),
        (status = 404, description = "No such restitution (or not yours)"),
    )
)]
#[get("/restitutions/{id}/evidence")]
pub async fn list_restitution_evidence(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = evidence::list(&state.db, *id, &query.page, &caller.scope()).await?;
    let sees = caller.sees_personal_evidence();
    Ok(page_response(
        &req,
        page.map(|item| EvidenceView::of(item, sees)),
        Caching::no_store_if(sees),
    ))
}

/// Evidence given as a link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "report", "description": "Report on the association's website",
    "url": "https://example.org/restitution-liege.pdf"}))]
pub struct EvidenceLinkBody {
    /// What it shows.
    pub kind: EvidenceKind,
    /// What it is (1-500 characters).
    #[schema(min_length = 1, max_length = 500)]
    pub description: String,
    /// An `https` address (at most 300 characters).
    #[schema(max_length = 300, pattern = "^https://")]
    pub url: String,
}

/// Evidence uploaded as a file (what a browser's or a phone's file input sends): these three
/// fields, once each.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "photo", "description": "The group after the session", "file": "(a JPEG)"}))]
pub struct EvidenceUpload {
    /// What it shows.
    pub kind: EvidenceKind,
    /// What it is (1-500 characters).
    #[schema(min_length = 1, max_length = 500)]
    pub description: String,
    /// The file: PDF, JPEG or PNG (recognised by its content, not its name), at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

const KIND_RULE: &str = "must be one of report, attendance_sheet, photo, other";

fn malformed(detail: impl Into<String>) -> ApiError {
    ApiError::MalformedBody {
        detail: detail.into(),
        errors: vec![],
    }
}

fn form_text(bytes: &[u8], name: &str) -> Result<String, ApiError> {
    let value = std::str::from_utf8(bytes).map_err(|_| {
        ApiError::Validation(vec![ProblemItem::pointer(
            format!("/{name}"),
            "must be UTF-8 text",
        )])
    })?;
    if let Some(c) = text::first_never_text(value) {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            format!("/{name}"),
            text::never_text_rule(c),
        )]));
    }
    Ok(value.to_owned())
}

/// A text field of a form, of at most `max` bytes (a longer one is refused as the field's
/// error, not as a body too large).
async fn read_text(
    field: actix_multipart::Field,
    name: &str,
    max: usize,
    rule: &str,
) -> Result<String, ApiError> {
    match read_limited(field, max).await {
        Ok(bytes) => form_text(&bytes, name),
        Err(ApiError::PayloadTooLarge { .. }) => {
            Err(ApiError::Validation(vec![ProblemItem::pointer(
                format!("/{name}"),
                rule,
            )]))
        }
        Err(other) => Err(other),
    }
}

/// Reads the form: `kind`, `description` and `file`, once each; any other field is a 400
/// naming it.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    files: &FileStore,
) -> Result<EvidenceInput, ApiError> {
    let mut form = Multipart::new(req.headers(), payload.into_inner());
    let (mut kind, mut description, mut upload) = (None, None, None);
    let mut seen: Vec<String> = Vec::new();
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| malformed(format!("the form cannot be read: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        if seen.contains(&name) {
            return Err(ApiError::MalformedBody {
                detail: format!("/{name} is given twice"),
                errors: vec![ProblemItem::pointer(format!("/{name}"), "is given twice")],
            });
        }
        seen.push(name.clone());
        match name.as_str() {
            "file" => {
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(str::to_owned);
                let bytes = read_limited(field, MAX_FILE_BYTES).await?;
                let file_type =
                    FileType::sniff(&bytes).ok_or_else(|| ApiError::UnsupportedMediaType {
                        expected: FileType::ALL
                            .iter()
                            .map(|t| t.media_type().to_owned())
                            .collect(),
                    })?;
                upload = Some(Upload {
                    // Written and flushed now, before the write transaction begins.
                    staged: files.stage(&bytes).await?,
                    file_type,
                    file_name,
                });
            }
            "kind" => {
                let value = read_text(field, "kind", 100, KIND_RULE).await?;
                kind = Some(
                    serde_json::from_value::<EvidenceKind>(serde_json::Value::String(value))
                        .map_err(|_| {
                            ApiError::Validation(vec![ProblemItem::pointer("/kind", KIND_RULE)])
                        })?,
                );
            }
            "description" => {
                description = Some(
                    read_text(
                        field,
                        "description",
                        4 * 1024,
                        "must be 1 to 500 characters",
                    )
                    .await?,
                );
            }
            other => {
                return Err(ApiError::MalformedBody {
                    detail: format!("/{other} is not a field of this form"),
                    errors: vec![ProblemItem::pointer(
                        format!("/{other}"),
                        "is not a field of this form (kind, description, file)",
                    )],
                });
            }
        }
    }
    let mut missing = Vec::new();
    for (present, name) in [
        (kind.is_some(), "/kind"),
        (description.is_some(), "/description"),
        (upload.is_some(), "/file"),
    ] {
        if !present {
            missing.push(ProblemItem::pointer(name, "is required"));
        }
    }
    match (kind, description, upload) {
        (Some(kind), Some(description), Some(upload)) => Ok(EvidenceInput {
            kind,
            description,
            source: Source::File(upload),
        }),
        _ => Err(ApiError::Validation(missing)),
    }
}

/// Add evidence to a restitution.
///
/// While the restitution is `planned` or `returned` (409 `restitution_not_editable` otherwise),
/// at most 20 items (409 `evidence_limit_reached`). Either JSON with an `https` `url`, or a form
/// (`multipart/form-data`) with `kind`, `description` and `file`: a PDF, JPEG or PNG recognised
/// by its content, not its name (415 otherwise), of at most 10 MiB (413 otherwise). The file is
/// stored under its content hash before the item is recorded.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "create_restitution_evidence",
    params(("id" = Uuid, Path, description = "The restitution's id")),
    request_body(content(
        (EvidenceLinkBody = "application/json"),
        (EvidenceUpload = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Added", body = EvidenceView),
        (status = 404, description = "No such restitution (or not yours)"),
        (status = 409, description = "Not editable in its status, or 20 items already"),
        (status = 413, description = "The file is larger than 10 MiB"),
        (status = 415, description = "The body is neither JSON nor a form, or the file is not a PDF, JPEG or PNG"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/restitutions/{id}/evidence")]
pub async fn create_restitution_evidence(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let input = match media_type(&req).as_str() {
        "application/json" => {
            let body: EvidenceLinkBody = parse_json(&read_limited(payload, BODY_LIMIT).await?)?;
            EvidenceInput {
                kind: body.kind,
                description: body.description,
                source: Source::Link(body.url),
            }
        }
        "multipart/form-data" => read_form(&req, payload, &state.files).await?,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: vec!["application/json".into(), "multipart/form-data".into()],
            });
        }
    };
    let tx = db::begin_write(&state.db).await?;
    let created = evidence::create(
        &tx,
        &caller.audit,
        &state.files,
        *id,
        input,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        Some(item_location(*id, created.id)),
        version_etag(created.version),
        &EvidenceView::of(created, caller.sees_personal_evidence()),
        Caching::no_store_if(caller.sees_personal_evidence()),
    ))
}

/// Read an evidence item.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "get_restitution_evidence",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("evidence_id" = Uuid, Path, description = "The evidence item's id"),
    ),
    responses(
        (status = 200, description = "The evidence item", body = EvidenceView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such restitution or evidence item (or not yours)"),
    )
)]
#[get("/restitutions/{id}/evidence/{evidence_id}")]
pub async fn get_restitution_evidence(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = path.into_inner();
    let item = evidence::get(&state.db, id, evidence_id, &caller.scope()).await?;
    let sees = caller.sees_personal_evidence();
    // The withheld view of an item is another representation than the whole one.
    let etag = if item.kind.personal() && !sees {
        format!("\"{}-withheld\"", item.version)
    } else {
        version_etag(item.version)
    };
    Ok(json_with_etag(
        &req,
        &EvidenceView::of(item, sees),
        Some(etag),
        Caching::no_store_if(sees),
    ))
}

/// Remove an evidence item.
///
/// While the restitution is `planned` or `returned` (409 `restitution_not_editable`
/// otherwise). Its file is removed from disk once no item names it.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "delete_restitution_evidence",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("evidence_id" = Uuid, Path, description = "The evidence item's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The item's version you read (its ETag), such as `\"1\"`"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such restitution or evidence item (or not yours)"),
        (status = 409, description = "Not editable in its status (`restitution_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/restitutions/{id}/evidence/{evidence_id}")]
pub async fn delete_restitution_evidence(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = path.into_inner();
    let tx = db::begin_write(&state.db).await?;
    let freed = evidence::delete(
        &tx,
        &caller.audit,
        id,
        evidence_id,
        &if_match.0,
        &caller.scope(),
    )
    .await?;
    tx.commit().await?;
    release_files(&state.db, &state.files, freed.into_iter().collect()).await;
    Ok(HttpResponse::NoContent().finish())
}

/// A stored file's bytes, for the contract.
pub struct EvidenceBytes;

impl utoipa::PartialSchema for EvidenceBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The file as uploaded."))
            .into()
    }
}

impl ToSchema for EvidenceBytes {}

/// Download an evidence item's file.
///
/// With the restitution's own access rules (another association's is 404), as uploaded, with
/// its recognised `Content-Type`, `Content-Disposition: attachment` and
/// `X-Content-Type-Options: nosniff`. A photo or attendance sheet is 403
/// `personal_data_withheld` for callers who may not see personal data; a link has no file
/// (404). A client that prefers `Accept: application/octet-stream` (as generated clients do)
/// gets the same bytes under that type.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "get_restitution_evidence_file",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("evidence_id" = Uuid, Path, description = "The evidence item's id"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (EvidenceBytes = "application/octet-stream", example = "(the file as uploaded, with Accept: application/octet-stream)"),
            (EvidenceBytes = "application/pdf", example = "%PDF-1.7 (the report as uploaded)"),
            (EvidenceBytes = "image/jpeg", example = "(the photo as uploaded)"),
            (EvidenceBytes = "image/png", example = "(the scan as uploaded)"),
        )),
        (status = 304, description = "Not modified"),
        (status = 403, description = "A photo or attendance sheet, withheld from this caller (`personal_data_withheld`)"),
        (status = 404, description = "No such restitution, evidence item or file (or not yours)"),
    )
)]
#[get("/restitutions/{id}/evidence/{evidence_id}/file")]
pub async fn get_restitution_evidence_file(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = path.into_inner();
    let item = evidence::get(&state.db, id, evidence_id, &caller.scope()).await?;
    if item.kind.personal() && !caller.sees_personal_evidence() {
        return Err(ApiError::Refused(Refusal {
            code: "personal_data_withheld",
            title: "Personal data withheld",
            kind: RefusalKind::Forbidden,
            detail: "photos and attendance sheets show or name people: only callers who may see personal data download them".into(),
            allowed: None,
            errors: vec![],
        }));
    }
    let (Some(hash), Some(media_type)) = (&item.file_sha256, &item.file_media_type) else {
        return Err(ApiError::NotFound(
            "file (this evidence item is a link)".into(),
        ));
    };
    let etag = format!("\"{hash}\"");
    let matches = none_match(&req, &etag);
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ));
    if matches {
        return Ok(response.finish());
    }
    let Some(bytes) = state.files.get(hash).await? else {
        // Deleted (and its file released) since it was read: gone, as a read now says.
        evidence::get(&state.db, id, evidence_id, &caller.scope()).await?;
        return Err(ApiError::Internal(format!(
            "evidence {evidence_id}: stored file {hash} is missing"
        )));
    };
    let content_type = if prefers(&req, "application/octet-stream") {
        "application/octet-stream"
    } else {
        media_type.as_str()
    };
    Ok(response
        .insert_header((header::VARY, "Accept"))
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                item.file_name.as_deref().unwrap_or("evidence")
            ),
        ))
        .body(bytes))
}
