//! The association registry: profiles, selection (transitions, eligibility), publication consent.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use empower_domain::association::rules::{self, Region, Status};
use empower_domain::association::{self as registry, Association, Visibility};
use empower_domain::db;
use empower_domain::identity::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Caller, Principal};
use crate::extract::{
    ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, Patch, apply_merge_patch,
    version_etag,
};
use crate::http::{Caching, ListBody, json_with_etag, page_response, written};
use crate::problem::{ApiError, ProblemItem, parameter_error};
use crate::state::AppState;

/// Registers the association operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_associations)
        .service(create_association)
        .service(get_association)
        .service(put_association)
        .service(update_association)
        .service(delete_association)
        .service(list_association_transitions)
        .service(create_association_transition)
        .service(get_association_eligibility)
        .service(list_publication_consent_changes);
}

/// Which associations a caller may see: an association user or a bound API client only its own.
pub fn visibility(caller: &Caller) -> Visibility {
    match &caller.principal {
        Principal::User(user) if user.role == Role::Association => {
            Visibility::Own(user.association_id.unwrap_or_default())
        }
        Principal::Client { client, .. } => client
            .association_id
            .map_or(Visibility::All, Visibility::Own),
        Principal::User(_) => Visibility::All,
    }
}

/// Legal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// Association sans but lucratif.
    Asbl,
    /// Vereniging zonder winstoogmerk.
    Vzw,
    /// De facto association, without legal personality.
    DeFacto,
    /// Anything else.
    Other,
}

impl LegalForm {
    fn as_str(self) -> &'static str {
        match self {
            Self::Asbl => "asbl",
            Self::Vzw => "vzw",
            Self::DeFacto => "de_facto",
            Self::Other => "other",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "asbl" => Self::Asbl,
            "vzw" => Self::Vzw,
            "de_facto" => Self::DeFacto,
            _ => Self::Other,
        }
    }
}

/// Selection status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssociationStatus {
    /// Applied.
    Applicant,
    /// On the shortlist.
    Shortlisted,
    /// Selected as a beneficiary.
    Selected,
    /// Taking part.
    Active,
    /// Done.
    Completed,
    /// Not selected.
    Rejected,
    /// Left.
    Withdrawn,
}

impl From<Status> for AssociationStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Applicant => Self::Applicant,
            Status::Shortlisted => Self::Shortlisted,
            Status::Selected => Self::Selected,
            Status::Active => Self::Active,
            Status::Completed => Self::Completed,
            Status::Rejected => Self::Rejected,
            Status::Withdrawn => Self::Withdrawn,
        }
    }
}

impl From<AssociationStatus> for Status {
    fn from(s: AssociationStatus) -> Self {
        match s {
            AssociationStatus::Applicant => Self::Applicant,
            AssociationStatus::Shortlisted => Self::Shortlisted,
            AssociationStatus::Selected => Self::Selected,
            AssociationStatus::Active => Self::Active,
            AssociationStatus::Completed => Self::Completed,
            AssociationStatus::Rejected => Self::Rejected,
            AssociationStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

/// Belgian region, derived from the postal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionName {
    /// Brussels-Capital (1000-1299).
    Brussels,
    /// Wallonia (1300-1499, 4000-7999).
    Wallonia,
    /// Flanders (1500-3999, 8000-9999).
    Flanders,
}

impl From<RegionName> for Region {
    fn from(r: RegionName) -> Self {
        match r {
            RegionName::Brussels => Self::Brussels,
            RegionName::Wallonia => Self::Wallonia,
            RegionName::Flanders => Self::Flanders,
        }
    }
}

/// A Belgian address.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    #[schema(max_length = 200, example = "Rue de la Victoire 12")]
    pub street: Option<String>,
    /// Postal code, 1000-9999.
    #[schema(pattern = "^[1-9][0-9]{3}$", example = "1060")]
    pub postal_code: Option<String>,
    /// City.
    #[schema(max_length = 100, example = "Saint-Gilles")]
    pub city: Option<String>,
}

/// A Belgian address as read, with its region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressView {
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Derived from the postal code.
    #[schema(inline)]
    pub region: Option<RegionName>,
}

/// How to reach the association.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Email.
    #[schema(max_length = 254, example = "contact@femmes-solidaires.example")]
    pub email: Option<String>,
    /// Phone.
    #[schema(max_length = 30, example = "+32 2 123 45 67")]
    pub phone: Option<String>,
    /// Website (http or https).
    #[schema(max_length = 300, example = "https://femmes-solidaires.example")]
    pub website: Option<String>,
}

/// What the association agreed may appear in the public repertoire.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationConsent {
    /// Consent given.
    pub granted: bool,
    /// Publishable fields (`name` is implied when granted): `name`, `acronym`, `legal_form`,
    /// `founded_year`, `city`, `region`, `countries_of_origin`, `sdgs`, `thematic_areas`,
    /// `intervention_regions`, `member_count`, `website`, `email`, `phone`.
    #[serde(default)]
    #[schema(max_items = 14)]
    pub fields: Vec<String>,
}

/// Publication consent as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentView {
    /// Consent given.
    pub granted: bool,
    /// Publishable fields (`name` included when granted).
    pub fields: Vec<String>,
    /// When the consent was last recorded (every change is kept).
    pub recorded_at: Option<DateTime<Utc>>,
}

/// An association's writable fields (create, and PUT to create or replace).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Femmes Solidaires du Sahel (fictional)", "acronym": "FSS", "legal_form": "asbl",
    "enterprise_number": "0123.456.749", "founded_year": 2012, "member_count": 45,
    "address": {"street": "Rue de la Victoire 12", "postal_code": "1060", "city": "Saint-Gilles"},
    "countries_of_origin": ["SN", "ML"], "sdgs": [4, 5], "thematic_areas": ["education", "entrepreneurship"],
    "woman_led": true, "contact": {"email": "contact@femmes-solidaires.example"},
    "publication_consent": {"granted": true, "fields": ["name", "city", "countries_of_origin"]}
}))]
pub struct AssociationBody {
    /// 2-200 characters, unique ignoring case and accents.
    #[schema(min_length = 2, max_length = 200)]
    pub name: String,
    /// At most 20 characters.
    #[schema(max_length = 20)]
    pub acronym: Option<String>,
    /// Legal form.
    pub legal_form: LegalForm,
    /// BCE/KBO number, with or without dots, spaces or `BE`; returned as `0123.456.749`.
    /// Required unless the legal form is `de_facto`.
    #[schema(max_length = 20, example = "0123.456.749")]
    pub enterprise_number: Option<String>,
    /// 1900 to this year.
    #[schema(minimum = 1900, maximum = 2100)]
    pub founded_year: Option<i32>,
    /// 0 or more.
    #[schema(minimum = 0)]
    pub member_count: Option<i64>,
    /// Belgian address.
    #[serde(default)]
    pub address: Option<Address>,
    /// 1 to 20 ISO 3166-1 alpha-2 codes from `/api/v1/countries`.
    #[schema(min_items = 1, max_items = 20)]
    pub countries_of_origin: Vec<String>,
    /// SDG numbers, 1-17.
    #[serde(default)]
    #[schema(max_items = 17)]
    pub sdgs: Vec<i32>,
    /// Up to 20 short strings (1-60 characters).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub thematic_areas: Vec<String>,
    /// Where the association works, in its own words.
    #[schema(max_length = 1000)]
    pub intervention_regions: Option<String>,
    /// Led by African diaspora women.
    #[serde(default)]
    pub woman_led: bool,
    /// How to reach the association.
    #[serde(default)]
    pub contact: Option<Contact>,
    /// What may be published.
    #[serde(default)]
    pub publication_consent: Option<PublicationConsent>,
}

impl AssociationBody {
    /// The domain input.
    pub fn into_input(self) -> registry::AssociationInput {
        let address = self.address.unwrap_or_default();
        let contact = self.contact.unwrap_or_default();
        registry::AssociationInput {
            name: self.name,
            acronym: self.acronym,
            legal_form: self.legal_form.as_str().to_owned(),
            enterprise_number: self.enterprise_number,
            founded_year: self.founded_year,
            member_count: self.member_count,
            address: Some(registry::AddressInput {
                street: address.street,
                postal_code: address.postal_code,
                city: address.city,
            }),
            countries_of_origin: self.countries_of_origin,
            sdgs: self.sdgs,
            thematic_areas: self.thematic_areas,
            intervention_regions: self.intervention_regions,
            woman_led: self.woman_led,
            contact: Some(registry::ContactInput {
                email: contact.email,
                phone: contact.phone,
                website: contact.website,
            }),
            publication_consent: self.publication_consent.map(|c| registry::ConsentInput {
                granted: c.granted,
                fields: c.fields,
            }),
        }
    }

    fn from_input(input: registry::AssociationInput) -> Self {
        let address = input.address.unwrap_or_default();
        let contact = input.contact.unwrap_or_default();
        let consent = input.publication_consent.unwrap_or_default();
        Self {
            name: input.name,
            acronym: input.acronym,
            legal_form: LegalForm::parse(&input.legal_form),
            enterprise_number: input.enterprise_number,
            founded_year: input.founded_year,
            member_count: input.member_count,
            address: Some(Address {
                street: address.street,
                postal_code: address.postal_code,
                city: address.city,
            }),
            countries_of_origin: input.countries_of_origin,
            sdgs: input.sdgs,
            thematic_areas: input.thematic_areas,
            intervention_regions: input.intervention_regions,
            woman_led: input.woman_led,
            contact: Some(Contact {
                email: contact.email,
                phone: contact.phone,
                website: contact.website,
            }),
            publication_consent: Some(PublicationConsent {
                granted: consent.granted,
                fields: consent.fields,
            }),
        }
    }
}

/// An association as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "name": "Femmes Solidaires du Sahel (fictional)",
    "acronym": "FSS", "legal_form": "asbl", "enterprise_number": "0123.456.749",
    "founded_year": 2012, "member_count": 45,
    "address": {"street": "Rue de la Victoire 12", "postal_code": "1060", "city": "Saint-Gilles", "region": "brussels"},
    "countries_of_origin": ["ML", "SN"], "sdgs": [4, 5], "thematic_areas": ["education"],
    "intervention_regions": null, "woman_led": true,
    "contact": {"email": "contact@femmes-solidaires.example", "phone": null, "website": null},
    "publication_consent": {"granted": true, "fields": ["name", "city"], "recorded_at": "2026-11-27T10:00:00Z"},
    "status": "applicant", "version": 1,
    "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct AssociationView {
    /// Id (UUID v7, or chosen by the client with PUT).
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Acronym.
    pub acronym: Option<String>,
    /// Legal form.
    pub legal_form: LegalForm,
    /// `0123.456.749`.
    pub enterprise_number: Option<String>,
    /// Year founded.
    pub founded_year: Option<i32>,
    /// Members.
    pub member_count: Option<i64>,
    /// Address, with the region derived from the postal code.
    pub address: AddressView,
    /// ISO codes, sorted.
    pub countries_of_origin: Vec<String>,
    /// SDG numbers, sorted.
    pub sdgs: Vec<i32>,
    /// Thematic areas.
    pub thematic_areas: Vec<String>,
    /// Where the association works.
    pub intervention_regions: Option<String>,
    /// Led by African diaspora women.
    pub woman_led: bool,
    /// How to reach the association.
    pub contact: Contact,
    /// What may be published.
    pub publication_consent: ConsentView,
    /// Selection status; changed only through transitions.
    pub status: AssociationStatus,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Association> for AssociationView {
    fn from(a: Association) -> Self {
        let input = a.to_input();
        let address = input.address.unwrap_or_default();
        let contact = input.contact.unwrap_or_default();
        let consent = input.publication_consent.unwrap_or_default();
        Self {
            id: a.row.id,
            name: input.name,
            acronym: input.acronym,
            legal_form: LegalForm::parse(&input.legal_form),
            enterprise_number: input.enterprise_number,
            founded_year: input.founded_year,
            member_count: input.member_count,
            address: AddressView {
                street: address.street,
                postal_code: address.postal_code,
                city: address.city,
                region: a
                    .row
                    .region
                    .as_deref()
                    .and_then(Region::parse)
                    .map(|r| match r {
                        Region::Brussels => RegionName::Brussels,
                        Region::Wallonia => RegionName::Wallonia,
                        Region::Flanders => RegionName::Flanders,
                    }),
            },
            countries_of_origin: input.countries_of_origin,
            sdgs: input.sdgs,
            thematic_areas: input.thematic_areas,
            intervention_regions: input.intervention_regions,
            woman_led: input.woman_led,
            contact: Contact {
                email: contact.email,
                phone: contact.phone,
                website: contact.website,
            },
            publication_consent: ConsentView {
                granted: consent.granted,
                fields: consent.fields,
                recorded_at: a.row.consent_recorded_at,
            },
            status: a.status().into(),
            version: a.row.version,
            created_at: a.row.created_at,
            updated_at: a.row.updated_at,
        }
    }
}

fn respond(req: &HttpRequest, association: Association) -> HttpResponse {
    let etag = version_etag(association.row.version);
    json_with_etag(
        req,
        &AssociationView::from(association),
        Some(etag),
        Caching::Allowed,
    )
}

/// Filters and sort of the association list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssociationQuery {
    /// Only this status.
    #[param(inline)]
    pub status: Option<AssociationStatus>,
    /// Only with this country of origin (ISO 3166-1 alpha-2).
    #[param(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
    /// Only in this region.
    #[param(inline)]
    pub region: Option<RegionName>,
    /// `true`: only with a priority country of origin; `false`: only without.
    pub priority_country: Option<bool>,
    /// Only tagged with this SDG.
    #[param(minimum = 1, maximum = 17)]
    pub sdg: Option<i32>,
    /// Search in name and acronym, ignoring case and accents.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only changed after this time (RFC 3339).
    pub updated_after: Option<DateTime<Utc>>,
    /// Comma-separated sort keys among `name`, `created_at`, `updated_at`, each optionally
    /// prefixed with `-` for descending (default `name`); ties are broken by id.
    #[param(example = "-created_at,name", max_length = 100)]
    pub sort: Option<String>,
}

fn parse_sort(sort: Option<&str>) -> Result<Vec<(registry::SortField, bool)>, ApiError> {
    let Some(sort) = sort else { return Ok(vec![]) };
    let mut keys = Vec::new();
    for part in sort.split(',').map(str::trim) {
        let (name, desc) = match part.strip_prefix('-') {
            Some(name) => (name, true),
            None => (part, false),
        };
        let field = match name {
            "name" => registry::SortField::Name,
            "created_at" => registry::SortField::CreatedAt,
            "updated_at" => registry::SortField::UpdatedAt,
            _ => {
                return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                    "sort",
                    format!(
                        "`{part}` is not a sort key: use name, created_at or updated_at, with - for descending"
                    ),
                )]));
            }
        };
        if keys.iter().any(|(f, _)| *f == field) {
            return Err(ApiError::InvalidParameter(vec![ProblemItem::parameter(
                "sort",
                format!("`{name}` is given twice"),
            )]));
        }
        keys.push((field, desc));
    }
    Ok(keys)
}

/// List associations.
///
/// Live associations, filtered, sorted and paginated. An association user sees only her own.
#[utoipa::path(
    tag = "associations",
    operation_id = "list_associations",
    params(PageParams, AssociationQuery),
    responses((status = 200, description = "A page of associations; with `Accept: text/csv`, every matching association as CSV (the import's columns), streamed",
        content(
            (ListBody<AssociationView> = "application/json"),
            (String = "text/csv", example = "name,acronym,legal_form,enterprise_number,founded_year,member_count,street,postal_code,city,countries_of_origin,sdgs,thematic_areas,intervention_regions,woman_led,email,phone,website,publication_consent_granted,publication_consent_fields\nFemmes du Baobab (demo),FBD,de_facto,,2005,20,,1060,Demo,SN,4|5,demo,,true,,,,true,name|city\n"),
        ),
        headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page (JSON)"))))
)]
#[get("/associations")]
pub async fn list_associations(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<AssociationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.filter;
    let sort = parse_sort(q.sort.as_deref())?;
    let filter = registry::AssociationFilter {
        status: q.status.map(Status::from),
        country: q.country,
        region: q.region.map(Region::from),
        priority_country: q.priority_country,
        sdg: q.sdg,
        q: q.q,
        updated_after: q.updated_after,
    };
    let wants_csv = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    if wants_csv {
        return Ok(export_csv(state, filter, sort, visibility(&caller)));
    }
    let page = registry::list(&state.db, &filter, &sort, &query.page, visibility(&caller))
        .await
        .map_err(parameter_error)?;
    Ok(page_response(
        &req,
        page.map(AssociationView::from),
        Caching::Allowed,
    ))
}

/// Every association matching `filter`, as CSV, fetched and sent 500 at a time.
fn export_csv(
    state: web::Data<AppState>,
    filter: registry::AssociationFilter,
    sort: Vec<(registry::SortField, bool)>,
    visibility: Visibility,
) -> HttpResponse {
    let pages = futures_util::stream::unfold(Some((None::<String>, true)), move |position| {
        let (state, filter, sort) = (state.clone(), filter.clone(), sort.clone());
        async move {
            let (cursor, first) = position?;
            let page =
                empower_domain::paging::PageRequest::new(Some(500), cursor.as_deref(), false)
                    .map_err(ApiError::from);
            let page = match page {
                Ok(page) => registry::list(&state.db, &filter, &sort, &page, visibility)
                    .await
                    .map_err(ApiError::from),
                Err(err) => Err(err),
            };
            match page {
                Ok(page) => {
                    let inputs: Vec<_> = page.items.iter().map(Association::to_input).collect();
                    let bytes = web::Bytes::from(super::association_files::to_csv(&inputs, first));
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
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"associations.csv\"",
        ))
        .streaming(pages)
}

/// Create an association.
///
/// A new applicant. The name (ignoring case and accents) and the enterprise number must be
/// free among live associations (409).
#[utoipa::path(
    tag = "associations",
    operation_id = "create_association",
    request_body = AssociationBody,
    responses(
        (status = 201, description = "Created", body = AssociationView,
         headers(("Location" = String, description = "Its URL"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The name or enterprise number is taken"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[post("/associations")]
pub async fn create_association(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<AssociationBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = registry::create(&tx, &caller.audit, None, &input).await?;
    tx.commit().await?;
    Ok(written(
        Some(format!("/api/v1/associations/{}", created.row.id)),
        version_etag(created.row.version),
        &AssociationView::from(created),
        Caching::Allowed,
    ))
}

/// Read an association.
///
/// Answers `304` to an `If-None-Match` naming the current version. Another association's is
/// 404 for an association user.
#[utoipa::path(
    tag = "associations",
    operation_id = "get_association",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The association", body = AssociationView,
         headers(("ETag" = String, description = "Its version"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}")]
pub async fn get_association(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = registry::get(&state.db, *id, visibility(&caller)).await?;
    Ok(respond(&req, found))
}

/// Create or replace an association (upsert).
///
/// With a client-chosen UUID: creates the association when it does not exist (201), replaces
/// its writable fields otherwise (200). With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "associations",
    operation_id = "put_association",
    params(
        ("id" = Uuid, Path, description = "The association's id, chosen by the client"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body = AssociationBody,
    responses(
        (status = 200, description = "Replaced", body = AssociationView),
        (status = 201, description = "Created", body = AssociationView),
        (status = 409, description = "The name or enterprise number is taken, or the id belonged to a deleted association"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[put("/associations/{id}")]
pub async fn put_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AssociationBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let outcome = registry::upsert(&tx, &caller.audit, *id, &input, if_match.0).await?;
    tx.commit().await?;
    let location = outcome
        .created
        .then(|| format!("/api/v1/associations/{}", outcome.association.row.id));
    Ok(written(
        location,
        version_etag(outcome.association.row.version),
        &AssociationView::from(outcome.association),
        Caching::Allowed,
    ))
}

/// A merge patch of an association's writable fields: any subset of the fields of
/// `AssociationBody`; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(value_type = Object, example = json!({"member_count": 52, "contact": {"phone": "+32 2 123 45 67"}}))]
pub struct AssociationPatch(serde_json::Map<String, serde_json::Value>);

impl Patch for AssociationPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/status",
        "/version",
        "/created_at",
        "/updated_at",
        "/address/region",
        "/publication_consent/recorded_at",
    ];
}

/// Update an association.
///
/// A JSON merge patch (`application/merge-patch+json`) of the writable fields; every rule of
/// a full write applies to the result. Status changes go through transitions. An association
/// user may edit her own association's profile. With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "associations",
    operation_id = "update_association",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body(content = AssociationPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = AssociationView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 409, description = "The name or enterprise number is taken"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule"),
    )
)]
#[patch("/associations/{id}")]
pub async fn update_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<AssociationPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = serde_json::Value::Object(body.into_inner()?.0);
    let tx = db::begin_write(&state.db).await?;
    let current = registry::get(&tx, *id, visibility(&caller)).await?;
    let input =
        apply_merge_patch(&AssociationBody::from_input(current.to_input()), &patch)?.into_input();
    let updated = registry::replace(
        &tx,
        &caller.audit,
        *id,
        &input,
        if_match.0,
        visibility(&caller),
    )
    .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.version),
        &AssociationView::from(updated),
        Caching::Allowed,
    ))
}

/// Delete an association.
///
/// A soft delete: afterwards reads are 404 and the change feed carries a `delete`. With
/// `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "associations",
    operation_id = "delete_association",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such association"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/associations/{id}")]
pub async fn delete_association(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    registry::delete(&tx, &caller.audit, *id, if_match.0).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A recorded status change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "from": "applicant", "to": "shortlisted",
    "reason": "Strong application", "override": false, "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "occurred_at": "2026-11-27T10:00:00Z"
}))]
pub struct TransitionView {
    /// Id.
    pub id: Uuid,
    /// Status before.
    pub from: AssociationStatus,
    /// Status after.
    pub to: AssociationStatus,
    /// Why.
    pub reason: String,
    /// An admin selected despite failed eligibility checks.
    pub r#override: bool,
    /// `user` or `client`.
    pub actor_type: String,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

impl From<registry::entity::transition::Model> for TransitionView {
    fn from(t: registry::entity::transition::Model) -> Self {
        let status = |s: &str| Status::parse(s).unwrap_or(Status::Applicant).into();
        Self {
            id: t.id,
            from: status(&t.from_status),
            to: status(&t.to_status),
            reason: t.reason,
            r#override: t.r#override,
            actor_type: t.actor_type,
            actor_id: t.actor_id,
            occurred_at: t.occurred_at,
        }
    }
}

/// List an association's transitions.
///
/// Every status change, oldest first.
#[utoipa::path(
    tag = "associations",
    operation_id = "list_association_transitions",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The transitions", body = [TransitionView]),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/transitions")]
pub async fn list_association_transitions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let list = registry::transitions(&state.db, *id, visibility(&caller)).await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(TransitionView::from)
            .collect::<Vec<_>>(),
    ))
}

/// A status change asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "shortlisted", "reason": "Strong application, clear link with Senegal"}))]
pub struct TransitionBody {
    /// Target status.
    pub to: AssociationStatus,
    /// Why (1-1000 characters).
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// Admins only: select even though eligibility checks fail.
    #[serde(default)]
    pub r#override: bool,
}

/// Change an association's status.
///
/// Moves along `applicant → shortlisted → selected → active → completed`; `rejected` and
/// `withdrawn` from any non-final status. An illegal move is 409 with the allowed ones in
/// `allowed`. Moving to `selected` requires eligibility (422 naming the failed checks) unless
/// an admin gives `override: true`. The change is recorded with its reason and actor.
#[utoipa::path(
    tag = "associations",
    operation_id = "create_association_transition",
    params(
        ("id" = Uuid, Path, description = "The association's id"),
        ("If-Match" = Option<String>, Header, description = "The version you read (its ETag)"),
    ),
    request_body = TransitionBody,
    responses(
        (status = 201, description = "Moved", body = TransitionView),
        (status = 404, description = "No such association"),
        (status = 409, description = "Not an allowed move from the current status"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "Missing reason, failed eligibility, or an override by a non-admin"),
    )
)]
#[post("/associations/{id}/transitions")]
pub async fn create_association_transition(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<TransitionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let is_admin = caller.user().is_some_and(|u| u.role == Role::Admin);
    if body.r#override && !is_admin {
        return Err(ApiError::Validation(vec![ProblemItem::pointer(
            "/override",
            "only an admin may override eligibility",
        )]));
    }
    let request = registry::TransitionRequest {
        to: body.to.into(),
        reason: body.reason,
        override_eligibility: body.r#override,
    };
    let tx = db::begin_write(&state.db).await?;
    let outcome = registry::transition(&tx, &caller.audit, *id, &request, if_match.0).await?;
    let (association, record) = match outcome {
        Ok(done) => done,
        Err(registry::TransitionRefusal::Illegal { from, allowed }) => {
            return Err(ApiError::IllegalTransition {
                from: from.as_str().into(),
                allowed: allowed.iter().map(|s| s.as_str().to_owned()).collect(),
            });
        }
        Err(registry::TransitionRefusal::NotEligible(checks)) => {
            return Err(ApiError::Validation(
                checks
                    .into_iter()
                    .filter(|c| !c.passed)
                    .map(|c| {
                        ProblemItem::pointer(
                            "/to",
                            format!("not eligible ({}): {}", c.code, c.detail),
                        )
                    })
                    .collect(),
            ));
        }
    };
    tx.commit().await?;
    Ok(written(
        Some(format!(
            "/api/v1/associations/{}/transitions",
            association.row.id
        )),
        version_etag(association.row.version),
        &TransitionView::from(record),
        Caching::Allowed,
    ))
}

/// One eligibility check.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityCheck {
    /// `based_in_belgium`, `woman_led` or `priority_country_of_origin`.
    pub code: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// Whether an association can be selected.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"eligible": false, "checks": [
    {"code": "based_in_belgium", "passed": true, "detail": "postal code 1060 is in brussels"},
    {"code": "woman_led", "passed": true, "detail": "led by women"},
    {"code": "priority_country_of_origin", "passed": false, "detail": "no country of origin is on the priority list"}
]}))]
pub struct Eligibility {
    /// Every check passed.
    pub eligible: bool,
    /// Each check.
    pub checks: Vec<EligibilityCheck>,
}

/// Check an association's eligibility.
///
/// The beneficiary criteria: based in Belgium (a valid postal code), led by women, at least one
/// priority country of origin.
#[utoipa::path(
    tag = "associations",
    operation_id = "get_association_eligibility",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The checks", body = Eligibility),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/eligibility")]
pub async fn get_association_eligibility(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let checks: Vec<rules::Check> =
        registry::eligibility(&state.db, *id, visibility(&caller)).await?;
    Ok(HttpResponse::Ok().json(Eligibility {
        eligible: checks.iter().all(|c| c.passed),
        checks: checks
            .into_iter()
            .map(|c| EligibilityCheck {
                code: c.code.into(),
                passed: c.passed,
                detail: c.detail,
            })
            .collect(),
    }))
}

/// One recorded change of an association's publication consent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "granted": true,
    "fields": ["name", "city"], "actor_type": "user",
    "actor_id": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "recorded_at": "2026-11-27T10:00:00Z"}))]
pub struct ConsentChange {
    /// Id.
    pub id: Uuid,
    /// Consent given.
    pub granted: bool,
    /// Publishable fields from then on.
    pub fields: Vec<String>,
    /// `user`, `client` or `system`.
    pub actor_type: String,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// List an association's publication-consent changes.
///
/// Every recorded consent, oldest first (the first is the consent given at creation).
#[utoipa::path(
    tag = "associations",
    operation_id = "list_publication_consent_changes",
    params(("id" = Uuid, Path, description = "The association's id")),
    responses(
        (status = 200, description = "The changes", body = [ConsentChange]),
        (status = 404, description = "No such association (or not yours)"),
    )
)]
#[get("/associations/{id}/publication-consents")]
pub async fn list_publication_consent_changes(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let changes = registry::consent_history(&state.db, *id, visibility(&caller)).await?;
    Ok(HttpResponse::Ok().json(
        changes
            .into_iter()
            .map(|c| ConsentChange {
                id: c.id,
                granted: c.granted,
                fields: serde_json::from_str(&c.fields).unwrap_or_default(),
                actor_type: c.actor_type,
                actor_id: c.actor_id,
                recorded_at: c.recorded_at,
            })
            .collect::<Vec<_>>(),
    ))
}
