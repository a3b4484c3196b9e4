//! People of an association, and their consents. Email and phone are personal data: `viewer`s
//! and API clients never see them, responses that carry them are `no-store`, and every read of
//! them is audited.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use empower_domain::db;
use empower_domain::identity::Role;
use empower_domain::person::{self, Person};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::associations::visibility;
use crate::auth::{Caller, Principal};
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoParams, NoQuery, PageParams, Patch,
    apply_merge_patch, version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::{ApiError, ProblemItem};
use crate::state::AppState;

/// Registers the people operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_association_people)
        .service(create_association_person)
        .service(get_person)
        .service(put_person)
        .service(update_person)
        .service(delete_person)
        .service(list_person_consents)
        .service(create_person_consent);
}

/// Whether the caller may see people's email and phone.
fn sees_contact(caller: &Caller) -> bool {
    matches!(&caller.principal, Principal::User(u) if u.role != Role::Viewer)
}

/// Gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other.
    Other,
    /// Not said.
    Undisclosed,
}

impl Gender {
    fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
            Self::Undisclosed => "undisclosed",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "female" => Self::Female,
            "male" => Self::Male,
            "other" => Self::Other,
            _ => Self::Undisclosed,
        }
    }
}

/// Why a consent was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Taking part in the programme.
    ProgrammeParticipation,
    /// Being named or pictured in a published deliverable.
    Publication,
    /// Contact details shared with partners.
    ContactSharing,
}

impl ConsentPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::ProgrammeParticipation => "programme_participation",
            Self::Publication => "publication",
            Self::ContactSharing => "contact_sharing",
        }
    }
}

/// A person's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_name": "Awa", "last_name": "Diallo (demo)", "gender": "female",
    "email": "awa@demo.example", "phone": "+32 470 12 34 56", "role_in_association": "president",
    "is_representative": true, "languages": ["fr", "wo"]
}))]
pub struct PersonBody {
    /// With `PUT`: the association, required when the person is created, unchangeable after.
    /// With `POST` under an association: absent, or that association.
    pub association_id: Option<Uuid>,
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
    /// Email (personal data).
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Phone (personal data).
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    /// President, secretary, member...
    #[schema(max_length = 60)]
    pub role_in_association: Option<String>,
    /// Represents the association in the programme.
    #[serde(default)]
    pub is_representative: bool,
    /// Language codes such as `fr`, `nl`, `en`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub languages: Vec<String>,
}

impl PersonBody {
    fn input(&self) -> person::PersonInput {
        person::PersonInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            gender: self.gender.as_str().into(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            role_in_association: self.role_in_association.clone(),
            is_representative: self.is_representative,
            languages: self.languages.clone(),
        }
    }

    fn from_person(p: &Person) -> Self {
        let input = p.to_input();
        Self {
            association_id: None,
            first_name: input.first_name,
            last_name: input.last_name,
            gender: Gender::parse(&input.gender),
            email: input.email,
            phone: input.phone,
            role_in_association: input.role_in_association,
            is_representative: input.is_representative,
            languages: input.languages,
        }
    }
}

/// A person's current consent for one purpose (the latest record wins).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentState {
    /// Given or withdrawn.
    pub granted: bool,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The consent text's version.
    pub text_version: String,
}

/// Current consent per purpose; a purpose never asked is absent.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ConsentStates {
    /// Taking part in the programme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme_participation: Option<ConsentState>,
    /// Being named or pictured in a published deliverable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<ConsentState>,
    /// Contact details shared with partners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_sharing: Option<ConsentState>,
}

/// A person as read. `email` and `phone` are absent for viewers and API clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    /// Id.
    pub id: Uuid,
    /// The association.
    pub association_id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
    /// Email (personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role in the association.
    pub role_in_association: Option<String>,
    /// Represents the association.
    pub is_representative: bool,
    /// Language codes.
    pub languages: Vec<String>,
    /// Current consent per purpose.
    pub consents: ConsentStates,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn view(p: Person, contact: bool) -> PersonView {
    let mut consents = ConsentStates::default();
    for record in &p.consents {
        let state = Some(ConsentState {
            granted: record.granted,
            recorded_at: record.recorded_at,
            text_version: record.text_version.clone(),
        });
        match record.purpose.as_str() {
            "programme_participation" => consents.programme_participation = state,
            "publication" => consents.publication = state,
            _ => consents.contact_sharing = state,
        }
    }
    let languages = p.languages();
    let r = p.row;
    PersonView {
        id: r.id,
        association_id: r.association_id,
        first_name: r.first_name,
        last_name: r.last_name,
        gender: Gender::parse(&r.gender),
        email: r.email.filter(|_| contact),
        phone: r.phone.filter(|_| contact),
        role_in_association: r.role_in_association,
        is_representative: r.is_representative,
        languages,
        consents,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Audits the contact read and picks the caching policy.
async fn disclose(
    state: &AppState,
    caller: &Caller,
    people: &[Person],
) -> Result<(bool, Caching), ApiError> {
    let contact = sees_contact(caller);
    if contact {
        person::audit_contact_read(&state.db, &caller.audit, people).await?;
        Ok((true, Caching::NoStore))
    } else {
        Ok((false, Caching::Allowed))
    }
}

/// List an association's people.
///
/// Oldest first, paginated. Email and phone only for admin, staff and the association's own
/// users (each read is audited).
#[utoipa::path(
    tag = "people",
    operation_id = "list_association_people",
    params(("id" = Uuid, Path, description = "The association's id"), PageParams),
    responses(
        (status = 200, description = "A page of people", body = ListBody<PersonView>),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/people")]
pub async fn list_association_people(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let page = person::list(&state.db, *id, &query.page, visibility(&caller)).await?;
    let (contact, caching) = disclose(&state, &caller, &page.items).await?;
    Ok(page_response(&req, page.map(|p| view(p, contact)), caching))
}

/// Add a person to an association.
///
/// An association user may add people to her own association.
#[utoipa::path(
    tag = "people",
    operation_id = "create_association_person",
    params(("id" = Uuid, Path, description = "The association's id")),
    request_body = PersonBody,
    responses(
        (status = 201, description = "Created", body = PersonView,
         headers(("Location" = String, description = "The person's URL"))),
        (status = 404, description = "No such association (or not yours)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/associations/{id}/people")]
pub async fn create_association_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<PersonBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    if body.association_id.is_some_and(|a| a != *id) {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            "/association_id",
            "must be the association of the path, or absent",
        )]));
    }
    let tx = db::begin_write(&state.db).await?;
    let created = person::create(
        &tx,
        &caller.audit,
        *id,
        None,
        &body.input(),
        visibility(&caller),
    )
    .await?;
    tx.commit().await?;
    let location = format!("/api/v1/people/{}", created.row.id);
    let etag = version_etag(created.row.version);
    let contact = sees_contact(&caller);
    Ok(written(
        Some(location),
        etag,
        &view(created, contact),
        Caching::NoStore,
    ))
}

/// Read a person.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = PersonView,
         headers(("ETag" = String, description = "The version"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such person (or not yours)"),
    )
)]
#[get("/people/{id}")]
pub async fn get_person(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = person::get(&state.db, *id, visibility(&caller)).await?;
    let (contact, caching) = disclose(&state, &caller, std::slice::from_ref(&found)).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &view(found, contact),
        Some(etag),
        caching,
    ))
}

/// Create or replace a person (upsert).
///
/// With a client-chosen UUID: creates the person in `association_id` when absent (201),
/// replaces the writable fields otherwise (200). A person never moves to another association.
#[utoipa::path(
    tag = "people",
    operation_id = "put_person",
    params(
        ("id" = Uuid, Path, description = "The person's id, chosen by the client"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body = PersonBody,
    responses(
        (status = 200, description = "Replaced", body = PersonView),
        (status = 201, description = "Created", body = PersonView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 409, description = "The id belonged to a deleted person"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule, or `association_id` is missing or different"),
    )
)]
#[put("/people/{id}")]
pub async fn put_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PersonBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let Some(association_id) = body.association_id else {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            "/association_id",
            "is required with PUT",
        )]));
    };
    let tx = db::begin_write(&state.db).await?;
    let (person, created) = person::upsert(
        &tx,
        &caller.audit,
        *id,
        association_id,
        &body.input(),
        if_match.0,
        visibility(&caller),
    )
    .await?;
    tx.commit().await?;
    let location = created.then(|| format!("/api/v1/people/{}", person.row.id));
    let etag = version_etag(person.row.version);
    Ok(written(
        location,
        etag,
        &view(person, sees_contact(&caller)),
        Caching::NoStore,
    ))
}

/// A merge patch of a person's writable fields.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(value_type = Object, example = json!({"phone": null, "is_representative": true}))]
pub struct PersonPatch(serde_json::Map<String, serde_json::Value>);

impl Patch for PersonPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/association_id",
        "/consents",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// Update a person.
///
/// A JSON merge patch (`application/merge-patch+json`); `null` clears an optional field. With
/// `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "people",
    operation_id = "update_person",
    params(
        ("id" = Uuid, Path, description = "The person's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body(content = PersonPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = PersonView),
        (status = 404, description = "No such person (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/people/{id}")]
pub async fn update_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<PersonPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = serde_json::Value::Object(body.into_inner()?.0);
    let tx = db::begin_write(&state.db).await?;
    let current = person::get(&tx, *id, visibility(&caller)).await?;
    let input = apply_merge_patch(&PersonBody::from_person(&current), &patch)?.input();
    let updated = person::replace(
        &tx,
        &caller.audit,
        *id,
        &input,
        if_match.0,
        visibility(&caller),
    )
    .await?;
    tx.commit().await?;
    let etag = version_etag(updated.row.version);
    Ok(written(
        None,
        etag,
        &view(updated, sees_contact(&caller)),
        Caching::NoStore,
    ))
}

/// Delete a person.
///
/// A soft delete: afterwards reads are 404 and the change feed carries a `delete`.
#[utoipa::path(
    tag = "people",
    operation_id = "delete_person",
    params(
        ("id" = Uuid, Path, description = "The person's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such person (or not yours)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/people/{id}")]
pub async fn delete_person(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    person::delete(&tx, &caller.audit, *id, if_match.0, visibility(&caller)).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A consent record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentRecord {
    /// Id.
    pub id: Uuid,
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub granted: bool,
    /// The consent text's version.
    pub text_version: String,
    /// Recorded by (`user` or `client`).
    pub recorded_by_type: String,
    /// Who recorded it.
    pub recorded_by: Option<Uuid>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

fn record_view(c: person::consent::Model) -> ConsentRecord {
    ConsentRecord {
        id: c.id,
        purpose: match c.purpose.as_str() {
            "programme_participation" => ConsentPurpose::ProgrammeParticipation,
            "publication" => ConsentPurpose::Publication,
            _ => ConsentPurpose::ContactSharing,
        },
        granted: c.granted,
        text_version: c.text_version,
        recorded_by_type: c.recorded_by_type,
        recorded_by: c.recorded_by_id,
        recorded_at: c.recorded_at,
    }
}

/// List a person's consent records.
///
/// Every record, oldest first: consents are append-only.
#[utoipa::path(
    tag = "people",
    operation_id = "list_person_consents",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The records", body = [ConsentRecord]),
        (status = 404, description = "No such person (or not yours)"),
    )
)]
#[get("/people/{id}/consents")]
pub async fn list_person_consents(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let records = person::consents(&state.db, *id, visibility(&caller)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(records.into_iter().map(record_view).collect::<Vec<_>>()))
}

/// A consent to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}))]
pub struct ConsentBody {
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// Given (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// The version of the consent text the person saw.
    #[schema(min_length = 1, max_length = 40)]
    pub text_version: String,
}

/// Record a consent.
///
/// Appends a record; the latest per purpose is the person's current state.
#[utoipa::path(
    tag = "people",
    operation_id = "create_person_consent",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = ConsentBody,
    responses(
        (status = 201, description = "Recorded", body = ConsentRecord),
        (status = 404, description = "No such person (or not yours)"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/people/{id}/consents")]
pub async fn create_person_consent(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<ConsentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let input = person::ConsentInput {
        purpose: body.purpose.as_str().into(),
        granted: body.granted,
        text_version: body.text_version,
    };
    let tx = db::begin_write(&state.db).await?;
    let record =
        person::record_consent(&tx, &caller.audit, *id, &input, visibility(&caller)).await?;
    tx.commit().await?;
    let etag = format!("\"{}\"", record.id);
    Ok(written(
        Some(format!("/api/v1/people/{id}/consents")),
        etag,
        &record_view(record),
        Caching::NoStore,
    ))
}
