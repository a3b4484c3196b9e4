//! Certificates of attendance (JSON or PDF) and their public verification.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use empower_domain::localized::LocalizedText;
use empower_domain::training::certificates::{self, Certificate, Verification};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::documents::certificate as pdf;
use crate::extract::NoQuery;
use crate::http::{Caching, content_etag, json_with_etag, prefers, vary_accept};
use crate::problem::ApiError;
use crate::state::AppState;

/// Where anyone checks a verification code.
fn verify_url(code: &str) -> String {
    format!("/api/v1/public/certificates/{code}")
}

/// The module a certificate names.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertifiedModule {
    /// Id.
    pub id: Uuid,
    /// `M1`, `M2`...
    pub code: String,
    /// Title by language.
    pub title: LocalizedText,
}

/// A certificate of attendance.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "enrollment_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "verification_code": "7K3Q-9XWD-2M4P",
    "verify_url": "/api/v1/public/certificates/7K3Q-9XWD-2M4P", "full_name": "Aïssatou Ndèye Françoise Diop",
    "association_name": "Femmes du Baobab (demo)",
    "module": {"id": "019ac000-0000-7000-8000-000000000003", "code": "M3", "title": {"en": "Women and peace building, community cohesion"}},
    "attended_days": 2, "planned_days": 2, "required_days": 2, "first_day_on": "2027-03-04", "completed_on": "2027-03-05"
}))]
pub struct CertificateView {
    /// The enrolment it certifies.
    pub enrollment_id: Uuid,
    /// The code anyone can check at `verify_url`.
    pub verification_code: String,
    /// Where the code is checked (public).
    pub verify_url: String,
    /// The participant's name.
    pub full_name: String,
    /// Her association.
    pub association_name: String,
    /// The module.
    pub module: CertifiedModule,
    /// Days attended.
    pub attended_days: i32,
    /// Days the module has.
    pub planned_days: i32,
    /// Days required to complete it.
    pub required_days: i32,
    /// The first day attended.
    pub first_day_on: NaiveDate,
    /// The day that completed the module.
    pub completed_on: NaiveDate,
}

impl From<Certificate> for CertificateView {
    fn from(c: Certificate) -> Self {
        Self {
            enrollment_id: c.enrollment.row.id,
            verify_url: verify_url(&c.enrollment.row.certificate_code),
            verification_code: c.enrollment.row.certificate_code.clone(),
            full_name: format!("{} {}", c.first_name, c.last_name),
            association_name: c.association_name,
            attended_days: c.enrollment.completion.attended_days,
            planned_days: c.module.row.planned_days,
            required_days: c.enrollment.required_days,
            module: CertifiedModule {
                id: c.module.row.id,
                code: c.module.row.code,
                title: c.module.title,
            },
            first_day_on: c.first_day_on,
            completed_on: c.completed_on,
        }
    }
}

/// A PDF document (binary).
#[derive(Debug)]
pub struct PdfDocument;

impl utoipa::PartialSchema for PdfDocument {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("A one-page PDF document."))
            .into()
    }
}

impl ToSchema for PdfDocument {}

/// Read the certificate of attendance of an enrolment.
///
/// For a completed enrolment (409 `not_completed` otherwise): JSON, or with
/// `Accept: application/pdf` a one-page PDF with the name, the module, the days attended and
/// dates, and a verification code anyone can check at `verify_url`. Personal data:
/// `Cache-Control: no-store`.
#[utoipa::path(
    tag = "training",
    operation_id = "get_enrollment_certificate",
    params(("id" = Uuid, Path, description = "The enrolment's id")),
    responses(
        (status = 200, description = "The certificate", content(
            (CertificateView = "application/json"),
            (PdfDocument = "application/pdf", example = "%PDF-1.7 (one A4 page)"),
        )),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such enrolment (or not yours)"),
        (status = 409, description = "The module is not completed"),
    )
)]
#[get("/enrollments/{id}/certificate")]
pub async fn get_enrollment_certificate(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let certificate = certificates::certificate(&state.db, *id, &caller.scope()).await?;
    let view = CertificateView::from(certificate);
    if !prefers(&req, "application/pdf") {
        return Ok(vary_accept(json_with_etag(
            &req,
            &view,
            None,
            Caching::NoStore,
        )));
    }
    let document = pdf::Certificate {
        full_name: view.full_name.clone(),
        association_name: view.association_name.clone(),
        module_code: view.module.code.clone(),
        module_title: view.module.title.best().to_owned(),
        attended_days: view.attended_days,
        planned_days: view.planned_days,
        first_day_on: view.first_day_on,
        completed_on: view.completed_on,
        verification_code: view.verification_code.clone(),
        verify_url: view.verify_url.clone(),
    };
    // Laying out and compressing a page takes milliseconds of CPU: off the request threads.
    let bytes = web::block(move || pdf::render_pdf(&document))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::ETAG, content_etag(&bytes)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"certificate-{}.pdf\"",
                view.verification_code
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"))
        .body(bytes))
}

/// What a verification code confirms.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "verification_code": "7K3Q-9XWD-2M4P", "initials": "A. N. F. D.", "module_code": "M3",
    "module_title": {"en": "Women and peace building, community cohesion"}, "completed_on": "2027-03-05"
}))]
pub struct VerificationView {
    /// The code checked.
    pub verification_code: String,
    /// The participant's initials: nothing else personal.
    pub initials: String,
    /// The module's code.
    pub module_code: String,
    /// The module's title by language.
    pub module_title: LocalizedText,
    /// The day that completed the module.
    pub completed_on: NaiveDate,
}

impl VerificationView {
    fn of(code: &str, v: Verification) -> Self {
        Self {
            verification_code: code.to_owned(),
            initials: v.initials,
            module_code: v.module.row.code,
            module_title: v.module.title,
            completed_on: v.completed_on,
        }
    }
}

/// Check a certificate's verification code.
///
/// Public, no login: confirms that a certificate with this code was issued, with the
/// participant's initials, the module and the completion date, nothing else personal. An
/// unknown code, or one whose enrolment is no longer completed, is 404.
#[utoipa::path(
    tag = "training",
    operation_id = "verify_certificate",
    params(("code" = String, Path, description = "The verification code, such as `7K3Q-9XWD-2M4P`", max_length = 14)),
    responses(
        (status = 200, description = "A valid certificate", body = VerificationView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No certificate has this code"),
    )
)]
#[get("/public/certificates/{code}")]
pub async fn verify_certificate(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let verified = certificates::verify(&state.db, &code).await?;
    Ok(json_with_etag(
        &req,
        &VerificationView::of(&code, verified),
        None,
        // Initials come from a name; the answer changes if attendance is corrected.
        Caching::NoStore,
    ))
}
