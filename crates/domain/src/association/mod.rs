//! The association registry: validation, storage, selection (status transitions with their
//! history), eligibility, and publication consent with its history.

pub mod entity;
pub mod rules;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;
use validator::ValidateEmail;

use self::entity::{association, consent_change, country_link, sdg_link, transition};
use self::rules::{EnterpriseNumber, Region, Status};
use crate::audit::{self, AuditContext};
use crate::changes::{self, Change, Op};
use crate::paging::{Cursor, KeyValue, Page, PageRequest};
use crate::reference::country;
use crate::{DomainError, FieldError};

/// Legal forms.
pub const LEGAL_FORMS: [&str; 4] = ["asbl", "vzw", "de_facto", "other"];

/// Fields that publication consent may cover.
pub const PUBLISHABLE_FIELDS: [&str; 14] = [
    "name",
    "acronym",
    "legal_form",
    "founded_year",
    "city",
    "region",
    "countries_of_origin",
    "sdgs",
    "thematic_areas",
    "intervention_regions",
    "member_count",
    "website",
    "email",
    "phone",
];

/// The resource type in the change feed and the audit log.
pub const RESOURCE: &str = "association";

/// An address as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    /// Street and number.
    pub street: Option<String>,
    /// Belgian postal code (1000-9999).
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// Contact details as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Website (http or https).
    pub website: Option<String>,
}

/// Publication consent as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentInput {
    /// Consent given.
    pub granted: bool,
    /// Fields that may be published.
    pub fields: Vec<String>,
}

/// An association's writable fields, as a client sends them (create, replace, merged patch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssociationInput {
    /// Name, 2-200 characters, unique ignoring case and accents.
    pub name: String,
    /// Acronym, at most 20 characters.
    pub acronym: Option<String>,
    /// One of [`LEGAL_FORMS`].
    pub legal_form: String,
    /// Required unless the legal form is `de_facto`.
    pub enterprise_number: Option<String>,
    /// 1900 to this year.
    pub founded_year: Option<i32>,
    /// At least 0.
    pub member_count: Option<i64>,
    /// Belgian address.
    pub address: Option<AddressInput>,
    /// 1 to 20 ISO codes.
    pub countries_of_origin: Vec<String>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// Up to 20 short strings.
    pub thematic_areas: Vec<String>,
    /// Free text.
    pub intervention_regions: Option<String>,
    /// Led by African diaspora women.
    pub woman_led: bool,
    /// Contact details.
    pub contact: Option<ContactInput>,
    /// Publication consent.
    pub publication_consent: Option<ConsentInput>,
}

/// An input that passed every field rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    name: String,
    acronym: Option<String>,
    legal_form: String,
    enterprise_number: Option<String>,
    founded_year: Option<i32>,
    member_count: Option<i32>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    region: Option<Region>,
    countries: Vec<String>,
    sdgs: Vec<i32>,
    thematic_areas: Vec<String>,
    intervention_regions: Option<String>,
    woman_led: bool,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    consent_granted: bool,
    consent_fields: Vec<String>,
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn bounded(
    errors: &mut Vec<FieldError>,
    value: &Option<String>,
    pointer: &str,
    max: usize,
) -> Option<String> {
    let value = text(value);
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
    }
    value
}

/// A phone number: 6-30 characters, at least 6 digits, and only digits, spaces and `+ ( ) - . /`.
pub(crate) fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (6..=30).contains(&phone.len())
        && digits >= 6
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-./".contains(c))
}

fn valid_website(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        host.contains('.') && !r.chars().any(char::is_whitespace) && url.len() <= 300
    })
}

/// Checks every field rule at once; `this_year` bounds `founded_year`.
pub fn validate(input: &AssociationInput, this_year: i32) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if !(2..=200).contains(&name.chars().count()) {
        errors.push(FieldError::new("/name", "must be 2 to 200 characters"));
    }
    let acronym = bounded(&mut errors, &input.acronym, "/acronym", 20);
    let legal_form = input.legal_form.trim().to_owned();
    if !LEGAL_FORMS.contains(&legal_form.as_str()) {
        errors.push(FieldError::new(
            "/legal_form",
            format!("must be one of {}", LEGAL_FORMS.join(", ")),
        ));
    }
    let enterprise_number = match text(&input.enterprise_number) {
        Some(raw) => match EnterpriseNumber::parse(&raw) {
            Ok(number) => Some(number.as_str().to_owned()),
            Err(e) => {
                errors.push(FieldError::new("/enterprise_number", e.to_string()));
                None
            }
        },
        None if legal_form != "de_facto" && LEGAL_FORMS.contains(&legal_form.as_str()) => {
            errors.push(FieldError::new(
                "/enterprise_number",
                "is required unless the legal form is de_facto",
            ));
            None
        }
        None => None,
    };
    if let Some(year) = input.founded_year
        && !(1900..=this_year).contains(&year)
    {
        errors.push(FieldError::new(
            "/founded_year",
            format!("must be between 1900 and {this_year}"),
        ));
    }
    let member_count = match input.member_count {
        Some(n) if n < 0 => {
            errors.push(FieldError::new("/member_count", "must be 0 or more"));
            None
        }
        Some(n) => match i32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new("/member_count", "is too large"));
                None
            }
        },
        None => None,
    };
    let address = input.address.clone().unwrap_or_default();
    let street = bounded(&mut errors, &address.street, "/address/street", 200);
    let city = bounded(&mut errors, &address.city, "/address/city", 100);
    let postal_code = text(&address.postal_code);
    let region = match &postal_code {
        Some(code) => {
            let region = code
                .parse::<u16>()
                .ok()
                .filter(|_| code.len() == 4)
                .and_then(rules::region_of);
            if region.is_none() {
                errors.push(FieldError::new(
                    "/address/postal_code",
                    "must be a Belgian postal code, 1000 to 9999",
                ));
            }
            region
        }
        None => None,
    };
    let mut countries: Vec<String> = Vec::new();
    for (i, code) in input.countries_of_origin.iter().enumerate() {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.push(FieldError::new(
                format!("/countries_of_origin/{i}"),
                "must be an ISO 3166-1 alpha-2 code",
            ));
        } else if !countries.contains(&code) {
            countries.push(code);
        }
    }
    if input.countries_of_origin.is_empty() || input.countries_of_origin.len() > 20 {
        errors.push(FieldError::new(
            "/countries_of_origin",
            "must list 1 to 20 countries",
        ));
    }
    let mut sdgs: Vec<i32> = Vec::new();
    for (i, sdg) in input.sdgs.iter().enumerate() {
        if !(1..=17).contains(sdg) {
            errors.push(FieldError::new(
                format!("/sdgs/{i}"),
                "must be an SDG number, 1 to 17",
            ));
        } else if !sdgs.contains(sdg) {
            sdgs.push(*sdg);
        }
    }
    sdgs.sort_unstable();
    countries.sort();
    let mut thematic_areas = Vec::new();
    if input.thematic_areas.len() > 20 {
        errors.push(FieldError::new(
            "/thematic_areas",
            "must list at most 20 areas",
        ));
    }
    for (i, area) in input.thematic_areas.iter().enumerate() {
        let area = area.trim();
        if area.is_empty() || area.chars().count() > 60 {
            errors.push(FieldError::new(
                format!("/thematic_areas/{i}"),
                "must be 1 to 60 characters",
            ));
        } else {
            thematic_areas.push(area.to_owned());
        }
    }
    let intervention_regions = bounded(
        &mut errors,
        &input.intervention_regions,
        "/intervention_regions",
        1000,
    );
    let contact = input.contact.clone().unwrap_or_default();
    let email = text(&contact.email).map(|e| e.to_lowercase());
    if email
        .as_ref()
        .is_some_and(|e| !e.validate_email() || e.len() > 254)
    {
        errors.push(FieldError::new(
            "/contact/email",
            "must be a valid email address",
        ));
    }
    let phone = text(&contact.phone);
    if phone.as_ref().is_some_and(|p| !valid_phone(p)) {
        errors.push(FieldError::new(
            "/contact/phone",
            "must be a phone number: digits, spaces and + ( ) - . /",
        ));
    }
    let website = text(&contact.website);
    if website.as_ref().is_some_and(|w| !valid_website(w)) {
        errors.push(FieldError::new(
            "/contact/website",
            "must be an http or https address",
        ));
    }
    let consent = input.publication_consent.clone().unwrap_or_default();
    let mut consent_fields: Vec<String> = Vec::new();
    for (i, field) in consent.fields.iter().enumerate() {
        if !PUBLISHABLE_FIELDS.contains(&field.as_str()) {
            errors.push(FieldError::new(
                format!("/publication_consent/fields/{i}"),
                format!("must be one of {}", PUBLISHABLE_FIELDS.join(", ")),
            ));
        } else if !consent_fields.contains(field) {
            consent_fields.push(field.clone());
        }
    }
    if !consent.granted && !consent.fields.is_empty() {
        errors.push(FieldError::new(
            "/publication_consent/fields",
            "must be empty when consent is not granted",
        ));
    }
    if consent.granted && !consent_fields.iter().any(|f| f == "name") {
        consent_fields.insert(0, "name".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Valid {
        name,
        acronym,
        legal_form,
        enterprise_number,
        founded_year: input.founded_year,
        member_count,
        street,
        postal_code,
        city,
        region,
        countries,
        sdgs,
        thematic_areas,
        intervention_regions,
        woman_led: input.woman_led,
        email,
        phone,
        website,
        consent_granted: consent.granted,
        consent_fields,
    })
}

/// An association with its countries of origin and SDGs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// The stored row.
    pub row: association::Model,
    /// ISO codes, sorted.
    pub countries_of_origin: Vec<String>,
    /// SDG numbers, sorted.
    pub sdgs: Vec<i32>,
}

impl Association {
    /// The thematic areas.
    pub fn thematic_areas(&self) -> Vec<String> {
        serde_json::from_str(&self.row.thematic_areas).unwrap_or_default()
    }

    /// The publishable fields.
    pub fn consent_fields(&self) -> Vec<String> {
        serde_json::from_str(&self.row.consent_fields).unwrap_or_default()
    }

    /// The selection status.
    pub fn status(&self) -> Status {
        Status::parse(&self.row.status).unwrap_or(Status::Applicant)
    }

    /// The writable fields as they stand, for merging a patch.
    pub fn to_input(&self) -> AssociationInput {
        let r = &self.row;
        AssociationInput {
            name: r.name.clone(),
            acronym: r.acronym.clone(),
            legal_form: r.legal_form.clone(),
            enterprise_number: r.enterprise_number.clone(),
            founded_year: r.founded_year,
            member_count: r.member_count.map(i64::from),
            address: Some(AddressInput {
                street: r.street.clone(),
                postal_code: r.postal_code.clone(),
                city: r.city.clone(),
            }),
            countries_of_origin: self.countries_of_origin.clone(),
            sdgs: self.sdgs.clone(),
            thematic_areas: self.thematic_areas(),
            intervention_regions: r.intervention_regions.clone(),
            woman_led: r.woman_led,
            contact: Some(ContactInput {
                email: r.contact_email.clone(),
                phone: r.contact_phone.clone(),
                website: r.website.clone(),
            }),
            publication_consent: Some(ConsentInput {
                granted: r.consent_granted,
                fields: self.consent_fields(),
            }),
        }
    }
}

/// Which associations a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Every association.
    All,
    /// Only this one (an association user's own).
    Own(Uuid),
}

impl Visibility {
    fn allows(self, id: Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Own(own) => own == id,
        }
    }
}

/// Loads countries and SDGs for many associations in two queries.
async fn with_links(
    db: &impl ConnectionTrait,
    rows: Vec<association::Model>,
) -> Result<Vec<Association>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let countries = country_link::Entity::find()
        .filter(country_link::Column::AssociationId.is_in(ids.clone()))
        .order_by_asc(country_link::Column::CountryCode)
        .all(db)
        .await?;
    let sdgs = sdg_link::Entity::find()
        .filter(sdg_link::Column::AssociationId.is_in(ids))
        .order_by_asc(sdg_link::Column::Sdg)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Association {
            countries_of_origin: countries
                .iter()
                .filter(|c| c.association_id == row.id)
                .map(|c| c.country_code.clone())
                .collect(),
            sdgs: sdgs
                .iter()
                .filter(|s| s.association_id == row.id)
                .map(|s| s.sdg)
                .collect(),
            row,
        })
        .collect())
}

async fn find_live(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Association, DomainError> {
    let row = association::Entity::find_by_id(id)
        .filter(association::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .filter(|r| visibility.allows(r.id))
        .ok_or(DomainError::NotFound("association"))?;
    Ok(with_links(db, vec![row]).await?.remove(0))
}

/// Checks that a record belonging to `association_id` is the caller's to see: the association
/// is live and visible to them. Otherwise the record is `what`, not found. One query.
pub async fn check_parent(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    visibility: Visibility,
    what: &'static str,
) -> Result<(), DomainError> {
    let live = visibility.allows(association_id)
        && association::Entity::find_by_id(association_id)
            .filter(association::Column::DeletedAt.is_null())
            .count(db)
            .await?
            > 0;
    if live {
        Ok(())
    } else {
        Err(DomainError::NotFound(what))
    }
}

/// Reads one live association the caller may see (others are "not found").
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Association, DomainError> {
    find_live(db, id, visibility).await
}

/// Checks what only the database knows: countries exist, name and number are free.
async fn check_against_db(
    db: &impl ConnectionTrait,
    valid: &Valid,
    name_key: &str,
    except: Option<Uuid>,
) -> Result<(), DomainError> {
    let known: Vec<String> = country::Entity::find()
        .filter(country::Column::Code.is_in(valid.countries.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.code)
        .collect();
    let unknown: Vec<FieldError> = valid
        .countries
        .iter()
        .enumerate()
        .filter(|(_, code)| !known.contains(code))
        .map(|(i, _)| {
            FieldError::new(
                format!("/countries_of_origin/{i}"),
                "is not a country in /api/v1/countries",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(DomainError::Invalid(unknown));
    }
    let live = || {
        let mut q = association::Entity::find().filter(association::Column::DeletedAt.is_null());
        if let Some(id) = except {
            q = q.filter(association::Column::Id.ne(id));
        }
        q
    };
    if live()
        .filter(association::Column::NameKey.eq(name_key))
        .count(db)
        .await?
        > 0
    {
        return Err(DomainError::Conflict(format!(
            "an association named \"{}\" already exists",
            valid.name
        )));
    }
    if let Some(number) = &valid.enterprise_number
        && live()
            .filter(association::Column::EnterpriseNumber.eq(number.as_str()))
            .count(db)
            .await?
            > 0
    {
        return Err(DomainError::Conflict(format!(
            "an association with enterprise number {number} already exists"
        )));
    }
    Ok(())
}

fn apply(row: &mut association::ActiveModel, valid: &Valid) {
    let name_key = rules::fold(&valid.name);
    let search = match &valid.acronym {
        Some(acronym) => format!("{name_key} {}", rules::fold(acronym)),
        None => name_key.clone(),
    };
    row.name = Set(valid.name.clone());
    row.name_key = Set(name_key);
    row.search_text = Set(search);
    row.acronym = Set(valid.acronym.clone());
    row.legal_form = Set(valid.legal_form.clone());
    row.enterprise_number = Set(valid.enterprise_number.clone());
    row.founded_year = Set(valid.founded_year);
    row.member_count = Set(valid.member_count);
    row.street = Set(valid.street.clone());
    row.postal_code = Set(valid.postal_code.clone());
    row.city = Set(valid.city.clone());
    row.region = Set(valid.region.map(|r| r.as_str().to_owned()));
    row.thematic_areas =
        Set(serde_json::to_string(&valid.thematic_areas).unwrap_or_else(|_| "[]".into()));
    row.intervention_regions = Set(valid.intervention_regions.clone());
    row.woman_led = Set(valid.woman_led);
    row.contact_email = Set(valid.email.clone());
    row.contact_phone = Set(valid.phone.clone());
    row.website = Set(valid.website.clone());
    row.consent_granted = Set(valid.consent_granted);
    row.consent_fields =
        Set(serde_json::to_string(&valid.consent_fields).unwrap_or_else(|_| "[]".into()));
}

async fn replace_links(
    db: &impl ConnectionTrait,
    id: Uuid,
    valid: &Valid,
) -> Result<(), DomainError> {
    country_link::Entity::delete_many()
        .filter(country_link::Column::AssociationId.eq(id))
        .exec(db)
        .await?;
    sdg_link::Entity::delete_many()
        .filter(sdg_link::Column::AssociationId.eq(id))
        .exec(db)
        .await?;
    if !valid.countries.is_empty() {
        country_link::Entity::insert_many(valid.countries.iter().map(|code| {
            country_link::ActiveModel {
                association_id: Set(id),
                country_code: Set(code.clone()),
            }
        }))
        .exec(db)
        .await?;
    }
    if !valid.sdgs.is_empty() {
        sdg_link::Entity::insert_many(valid.sdgs.iter().map(|sdg| sdg_link::ActiveModel {
            association_id: Set(id),
            sdg: Set(*sdg),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

async fn record_consent(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    valid: &Valid,
) -> Result<(), DomainError> {
    let (actor_type, actor_id) = context.actor.parts();
    consent_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(id),
        granted: Set(valid.consent_granted),
        fields: Set(serde_json::to_string(&valid.consent_fields).unwrap_or_else(|_| "[]".into())),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        recorded_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        context,
        "association.consent_changed",
        Some((RESOURCE, id.to_string())),
    )
    .await
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The association after the write.
    pub association: Association,
    /// Whether it was created (rather than replaced).
    pub created: bool,
}

/// Creates an association with `id` (new UUID v7 when `None`). Run in a write transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Option<Uuid>,
    input: &AssociationInput,
) -> Result<Association, DomainError> {
    let valid = validate(input, Utc::now().year()).map_err(DomainError::Invalid)?;
    let name_key = rules::fold(&valid.name);
    check_against_db(db, &valid, &name_key, None).await?;
    let id = id.unwrap_or_else(Uuid::now_v7);
    if association::Entity::find_by_id(id).one(db).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "association {id} existed and was deleted; its id cannot be reused"
        )));
    }
    let now = Utc::now();
    let mut row = association::ActiveModel {
        id: Set(id),
        status: Set(Status::Applicant.as_str().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        consent_recorded_at: Set(Some(now)),
        ..Default::default()
    };
    apply(&mut row, &valid);
    row.insert(db).await?;
    replace_links(db, id, &valid).await?;
    record_consent(db, context, id, &valid).await?;
    changes::record_write(
        db,
        context,
        "association.created",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version: 1,
            association_id: Some(id),
        },
    )
    .await?;
    find_live(db, id, Visibility::All).await
}

/// Replaces an association's writable fields (PUT, and PATCH after merging), refusing a stale
/// `expected_version`. Run in a write transaction.
pub async fn replace(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    input: &AssociationInput,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<Association, DomainError> {
    let current = find_live(db, id, visibility).await?;
    crate::version::check(current.row.version, expected_version)?;
    let valid = validate(input, Utc::now().year()).map_err(DomainError::Invalid)?;
    let name_key = rules::fold(&valid.name);
    check_against_db(db, &valid, &name_key, Some(id)).await?;
    let consent_changed = current.row.consent_granted != valid.consent_granted
        || current.consent_fields() != valid.consent_fields;
    let version = current.row.version + 1;
    let mut row: association::ActiveModel = current.row.clone().into();
    apply(&mut row, &valid);
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    if consent_changed {
        row.consent_recorded_at = Set(Some(Utc::now()));
    }
    row.update(db).await?;
    replace_links(db, id, &valid).await?;
    if consent_changed {
        record_consent(db, context, id, &valid).await?;
    }
    changes::record_write(
        db,
        context,
        "association.updated",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version,
            association_id: Some(id),
        },
    )
    .await?;
    find_live(db, id, Visibility::All).await
}

/// PUT with a client-chosen id: creates when absent, replaces otherwise.
pub async fn upsert(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    input: &AssociationInput,
    expected_version: Option<i32>,
) -> Result<Written, DomainError> {
    let exists = association::Entity::find_by_id(id)
        .filter(association::Column::DeletedAt.is_null())
        .count(db)
        .await?
        > 0;
    if exists {
        let association =
            replace(db, context, id, input, expected_version, Visibility::All).await?;
        Ok(Written {
            association,
            created: false,
        })
    } else {
        let association = create(db, context, Some(id), input).await?;
        Ok(Written {
            association,
            created: true,
        })
    }
}

/// Soft-deletes an association; the change feed carries a tombstone.
pub async fn delete(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<(), DomainError> {
    let current = find_live(db, id, Visibility::All).await?;
    crate::version::check(current.row.version, expected_version)?;
    let version = current.row.version + 1;
    let mut row: association::ActiveModel = current.row.into();
    row.deleted_at = Set(Some(Utc::now()));
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "association.deleted",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Delete,
            version,
            association_id: Some(id),
        },
    )
    .await
}

/// The eligibility checks of an association.
pub async fn eligibility(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Vec<rules::Check>, DomainError> {
    let association = find_live(db, id, visibility).await?;
    eligibility_of(db, &association).await
}

async fn eligibility_of(
    db: &impl ConnectionTrait,
    association: &Association,
) -> Result<Vec<rules::Check>, DomainError> {
    let priority: Vec<String> = country::Entity::find()
        .filter(country::Column::Code.is_in(association.countries_of_origin.clone()))
        .filter(country::Column::Priority.eq(true))
        .order_by_asc(country::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.code)
        .collect();
    Ok(rules::eligibility(&rules::EligibilityFacts {
        postal_code: association
            .row
            .postal_code
            .as_deref()
            .and_then(|p| p.parse().ok()),
        woman_led: association.row.woman_led,
        priority_countries: priority,
    }))
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionRefusal {
    /// The move is not in the table: these are the allowed ones.
    Illegal {
        /// Current status.
        from: Status,
        /// Allowed targets.
        allowed: Vec<Status>,
    },
    /// Selection needs eligibility: these checks failed.
    NotEligible(Vec<rules::Check>),
}

/// A transition request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    /// Target status.
    pub to: Status,
    /// Why (required).
    pub reason: String,
    /// Select despite failed eligibility checks (admins only).
    pub override_eligibility: bool,
}

/// Moves an association to another status, recording the transition. Run in a write
/// transaction. `Ok(Err(..))` is a refusal the caller should report as a conflict.
pub async fn transition(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    request: &TransitionRequest,
    expected_version: Option<i32>,
) -> Result<Result<(Association, transition::Model), TransitionRefusal>, DomainError> {
    let current = find_live(db, id, Visibility::All).await?;
    crate::version::check(current.row.version, expected_version)?;
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(DomainError::invalid(
            "/reason",
            "must be 1 to 1000 characters",
        ));
    }
    let from = current.status();
    let allowed = from.allowed_next();
    if !allowed.contains(&request.to) {
        return Ok(Err(TransitionRefusal::Illegal { from, allowed }));
    }
    if request.to == Status::Selected && !request.override_eligibility {
        let checks = eligibility_of(db, &current).await?;
        if checks.iter().any(|c| !c.passed) {
            return Ok(Err(TransitionRefusal::NotEligible(checks)));
        }
    }
    let now = Utc::now();
    let (actor_type, actor_id) = context.actor.parts();
    let record = transition::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(id),
        from_status: Set(from.as_str().to_owned()),
        to_status: Set(request.to.as_str().to_owned()),
        reason: Set(reason.to_owned()),
        r#override: Set(request.override_eligibility && request.to == Status::Selected),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        occurred_at: Set(now),
    }
    .insert(db)
    .await?;
    let version = current.row.version + 1;
    let mut row: association::ActiveModel = current.row.into();
    row.status = Set(request.to.as_str().to_owned());
    row.version = Set(version);
    row.updated_at = Set(now);
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "association.transitioned",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version,
            association_id: Some(id),
        },
    )
    .await?;
    Ok(Ok((find_live(db, id, Visibility::All).await?, record)))
}

/// The transitions of an association, oldest first.
pub async fn transitions(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Vec<transition::Model>, DomainError> {
    find_live(db, id, visibility).await?;
    Ok(transition::Entity::find()
        .filter(transition::Column::AssociationId.eq(id))
        .order_by_asc(transition::Column::Id)
        .all(db)
        .await?)
}

/// The publication-consent history of an association, oldest first.
pub async fn consent_history(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Vec<consent_change::Model>, DomainError> {
    find_live(db, id, visibility).await?;
    Ok(consent_change::Entity::find()
        .filter(consent_change::Column::AssociationId.eq(id))
        .order_by_asc(consent_change::Column::Id)
        .all(db)
        .await?)
}

/// A sort key of the association list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    /// By name (case- and accent-insensitive).
    Name,
    /// By creation.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

/// Filters of the association list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssociationFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only with this country of origin.
    pub country: Option<String>,
    /// Only in this region.
    pub region: Option<Region>,
    /// Only with (`true`) or without (`false`) a priority country of origin.
    pub priority_country: Option<bool>,
    /// Only tagged with this SDG.
    pub sdg: Option<i32>,
    /// Search in name and acronym, ignoring case and accents.
    pub q: Option<String>,
    /// Only changed after this time.
    pub updated_after: Option<DateTime<Utc>>,
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn sort_column(field: SortField) -> association::Column {
    match field {
        SortField::Name => association::Column::NameKey,
        SortField::CreatedAt => association::Column::CreatedAt,
        SortField::UpdatedAt => association::Column::UpdatedAt,
    }
}

fn sort_value(field: SortField, row: &association::Model) -> KeyValue {
    match field {
        SortField::Name => KeyValue::Text(row.name_key.clone()),
        SortField::CreatedAt => KeyValue::Text(row.created_at.to_rfc3339()),
        SortField::UpdatedAt => KeyValue::Text(row.updated_at.to_rfc3339()),
    }
}

fn cursor_value(field: SortField, value: &KeyValue) -> Option<sea_orm::Value> {
    let text = match value {
        KeyValue::Text(t) => t.clone(),
        KeyValue::Uuid(u) => u.to_string(),
        KeyValue::Int(i) => i.to_string(),
    };
    match field {
        SortField::Name => Some(text.into()),
        SortField::CreatedAt | SortField::UpdatedAt => DateTime::parse_from_rfc3339(&text)
            .ok()
            .map(|t| t.with_timezone(&Utc).into()),
    }
}

/// Lists live associations: filtered, sorted (`(field, descending)` pairs, then id), paginated
/// by keyset. Three queries: the page, its countries, its SDGs (plus a count when asked).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AssociationFilter,
    sort: &[(SortField, bool)],
    page: &PageRequest,
    visibility: Visibility,
) -> Result<Page<Association>, DomainError> {
    let mut select = association::Entity::find().filter(association::Column::DeletedAt.is_null());
    if let Visibility::Own(id) = visibility {
        select = select.filter(association::Column::Id.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(association::Column::Status.eq(status.as_str()));
    }
    if let Some(region) = filter.region {
        select = select.filter(association::Column::Region.eq(region.as_str()));
    }
    if let Some(code) = &filter.country {
        select = select.filter(
            association::Column::Id.in_subquery(
                Query::select()
                    .column(country_link::Column::AssociationId)
                    .from(country_link::Entity)
                    .and_where(country_link::Column::CountryCode.eq(code.to_ascii_uppercase()))
                    .to_owned(),
            ),
        );
    }
    if let Some(priority) = filter.priority_country {
        let sub = Query::select()
            .column((country_link::Entity, country_link::Column::AssociationId))
            .from(country_link::Entity)
            .inner_join(
                country::Entity,
                Expr::col((country::Entity, country::Column::Code))
                    .equals((country_link::Entity, country_link::Column::CountryCode)),
            )
            .and_where(Expr::col((country::Entity, country::Column::Priority)).eq(true))
            .to_owned();
        select = select.filter(if priority {
            association::Column::Id.in_subquery(sub)
        } else {
            association::Column::Id.not_in_subquery(sub)
        });
    }
    if let Some(sdg) = filter.sdg {
        select = select.filter(
            association::Column::Id.in_subquery(
                Query::select()
                    .column(sdg_link::Column::AssociationId)
                    .from(sdg_link::Entity)
                    .and_where(sdg_link::Column::Sdg.eq(sdg))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter
        .q
        .as_deref()
        .map(rules::fold)
        .filter(|q| !q.is_empty())
    {
        select = select.filter(Expr::col(association::Column::SearchText).like(
            sea_orm::sea_query::LikeExpr::new(format!("%{}%", escape_like(&q))).escape('\\'),
        ));
    }
    if let Some(after) = filter.updated_after {
        select = select.filter(association::Column::UpdatedAt.gt(after));
    }
    let total = if page.include_total {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let sort: Vec<(SortField, bool)> = if sort.is_empty() {
        vec![(SortField::Name, false)]
    } else {
        sort.to_vec()
    };
    let id_desc = sort.last().is_some_and(|(_, desc)| *desc);
    if let Some(Cursor(values)) = &page.cursor {
        let bad = || DomainError::invalid("cursor", "does not belong to this sort order");
        if values.len() != sort.len() + 1 {
            return Err(bad());
        }
        let id = match &values[sort.len()] {
            KeyValue::Uuid(u) => *u,
            _ => return Err(bad()),
        };
        let mut keys: Vec<(association::Column, bool, sea_orm::Value)> = Vec::new();
        for ((field, desc), value) in sort.iter().zip(values) {
            keys.push((
                sort_column(*field),
                *desc,
                cursor_value(*field, value).ok_or_else(bad)?,
            ));
        }
        keys.push((association::Column::Id, id_desc, id.into()));
        // (k1, k2, ..., id) strictly after the cursor, in lexicographic order.
        let mut after = Condition::any();
        for i in 0..keys.len() {
            let mut branch = Condition::all();
            for (column, _, value) in &keys[..i] {
                branch = branch.add(column.eq(value.clone()));
            }
            let (column, desc, value) = &keys[i];
            branch = branch.add(if *desc {
                column.lt(value.clone())
            } else {
                column.gt(value.clone())
            });
            after = after.add(branch);
        }
        select = select.filter(after);
    }
    for (field, desc) in &sort {
        select = if *desc {
            select.order_by_desc(sort_column(*field))
        } else {
            select.order_by_asc(sort_column(*field))
        };
    }
    select = if id_desc {
        select.order_by_desc(association::Column::Id)
    } else {
        select.order_by_asc(association::Column::Id)
    };
    let mut rows = select.limit(page.limit + 1).all(db).await?;
    let next_cursor = if rows.len() as u64 > page.limit {
        rows.truncate(page.limit as usize);
        rows.last().map(|last| {
            let mut values: Vec<KeyValue> =
                sort.iter().map(|(f, _)| sort_value(*f, last)).collect();
            values.push(KeyValue::Uuid(last.id));
            Cursor(values).encode()
        })
    } else {
        None
    };
    Ok(Page {
        items: with_links(db, rows).await?,
        next_cursor,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AssociationInput {
        AssociationInput {
            name: "Réseau des Femmes Sénégalaises".into(),
            legal_form: "asbl".into(),
            enterprise_number: Some("BE 0123 456 749".into()),
            countries_of_origin: vec!["sn".into()],
            address: Some(AddressInput {
                postal_code: Some("1060".into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_input_is_normalised() {
        let valid = validate(&input(), 2026).expect("valid");
        assert_eq!(valid.enterprise_number.as_deref(), Some("0123.456.749"));
        assert_eq!(valid.countries, ["SN"]);
        assert_eq!(valid.region, Some(Region::Brussels));
    }

    #[test]
    fn every_broken_rule_has_a_pointer() {
        let bad = AssociationInput {
            name: "X".into(),
            legal_form: "club".into(),
            founded_year: Some(1850),
            member_count: Some(-1),
            address: Some(AddressInput {
                postal_code: Some("999".into()),
                ..Default::default()
            }),
            countries_of_origin: vec!["SEN".into()],
            sdgs: vec![18],
            contact: Some(ContactInput {
                email: Some("nope".into()),
                phone: Some("call me".into()),
                website: Some("ftp://x".into()),
            }),
            publication_consent: Some(ConsentInput {
                granted: true,
                fields: vec!["passport".into()],
            }),
            ..Default::default()
        };
        let errors = validate(&bad, 2026).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        for pointer in [
            "/name",
            "/legal_form",
            "/founded_year",
            "/member_count",
            "/address/postal_code",
            "/countries_of_origin/0",
            "/sdgs/0",
            "/contact/email",
            "/contact/phone",
            "/contact/website",
            "/publication_consent/fields/0",
        ] {
            assert!(pointers.contains(&pointer), "{pointer} in {pointers:?}");
        }
    }

    #[test]
    fn the_enterprise_number_is_required_unless_de_facto() {
        let mut i = input();
        i.enterprise_number = None;
        let errors = validate(&i, 2026).expect_err("required");
        assert_eq!(errors[0].pointer, "/enterprise_number");
        i.legal_form = "de_facto".into();
        assert!(validate(&i, 2026).is_ok());
        i.enterprise_number = Some("0123.456.748".into());
        assert_eq!(
            validate(&i, 2026).expect_err("digits")[0].detail,
            "check digits do not match"
        );
    }

    #[test]
    fn granted_consent_implies_the_name() {
        let mut i = input();
        i.publication_consent = Some(ConsentInput {
            granted: true,
            fields: vec!["city".into()],
        });
        assert_eq!(
            validate(&i, 2026).expect("valid").consent_fields,
            ["name", "city"]
        );
        i.publication_consent = Some(ConsentInput {
            granted: false,
            fields: vec!["city".into()],
        });
        assert!(validate(&i, 2026).is_err());
    }
}

/// What importing one row did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// A new association.
    Created(Uuid),
    /// An existing one, changed.
    Updated(Uuid),
    /// An existing one, already like this.
    Unchanged(Uuid),
    /// Refused, with one entry per problem (pointers as in the API).
    Error(Vec<FieldError>),
}

/// Imports rows in order: each matches a live association by enterprise number, then by name
/// (ignoring case and accents); a match is replaced when it differs, anything else is created.
/// Rows that fail are reported, not written; the caller decides whether to commit the rest.
/// New associations are written in bulk (a few statements per 400 rows), so a spreadsheet of
/// ten thousand rows imports in seconds. Run in one write transaction.
pub async fn import(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    rows: Vec<Result<AssociationInput, Vec<FieldError>>>,
) -> Result<Vec<RowOutcome>, DomainError> {
    let this_year = Utc::now().year();
    let known_countries: std::collections::HashSet<String> = country::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.code)
        .collect();
    let live = association::Entity::find()
        .filter(association::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut by_number: std::collections::HashMap<String, Uuid> = live
        .iter()
        .filter_map(|a| a.enterprise_number.clone().map(|n| (n, a.id)))
        .collect();
    let mut by_name: std::collections::HashMap<String, Uuid> =
        live.iter().map(|a| (a.name_key.clone(), a.id)).collect();
    drop(live);
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut fresh: Vec<(Uuid, Valid)> = Vec::new();
    for row in rows {
        let valid = match row.map(|input| validate(&input, this_year).map(|v| (input, v))) {
            Ok(Ok(pair)) => pair,
            Ok(Err(errors)) | Err(errors) => {
                outcomes.push(RowOutcome::Error(errors));
                continue;
            }
        };
        let (input, valid) = valid;
        let name_key = rules::fold(&valid.name);
        let matched = valid
            .enterprise_number
            .as_ref()
            .and_then(|n| by_number.get(n))
            .or_else(|| by_name.get(&name_key))
            .copied();
        let unknown: Vec<FieldError> = valid
            .countries
            .iter()
            .enumerate()
            .filter(|(_, code)| !known_countries.contains(*code))
            .map(|(i, _)| {
                FieldError::new(
                    format!("/countries_of_origin/{i}"),
                    "is not a country in /api/v1/countries",
                )
            })
            .collect();
        if !unknown.is_empty() {
            outcomes.push(RowOutcome::Error(unknown));
            continue;
        }
        match matched {
            Some(id) if fresh.iter().any(|(f, _)| *f == id) => {
                // Matches a row created earlier in this file: the same association twice.
                outcomes.push(RowOutcome::Error(vec![FieldError::new(
                    "/name",
                    "repeats an association created earlier in this file",
                )]));
            }
            Some(id) => {
                let current = find_live(db, id, Visibility::All).await?;
                if validate(&current.to_input(), this_year).ok().as_ref() == Some(&valid) {
                    outcomes.push(RowOutcome::Unchanged(id));
                    continue;
                }
                outcomes.push(
                    match replace(db, context, id, &input, None, Visibility::All).await {
                        Ok(_) => {
                            by_name.insert(name_key, id);
                            if let Some(number) = &valid.enterprise_number {
                                by_number.insert(number.clone(), id);
                            }
                            RowOutcome::Updated(id)
                        }
                        Err(DomainError::Invalid(errors)) => RowOutcome::Error(errors),
                        Err(DomainError::Conflict(detail)) => {
                            let pointer = if detail.contains("enterprise number") {
                                "/enterprise_number"
                            } else {
                                "/name"
                            };
                            RowOutcome::Error(vec![FieldError::new(pointer, detail)])
                        }
                        Err(other) => return Err(other),
                    },
                );
            }
            None => {
                let id = Uuid::now_v7();
                by_name.insert(name_key, id);
                if let Some(number) = &valid.enterprise_number {
                    by_number.insert(number.clone(), id);
                }
                outcomes.push(RowOutcome::Created(id));
                fresh.push((id, valid));
            }
        }
    }
    create_many(db, context, &fresh).await?;
    Ok(outcomes)
}

/// Writes new associations in bulk, with their links, consent records, audit and change rows.
async fn create_many(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    fresh: &[(Uuid, Valid)],
) -> Result<(), DomainError> {
    let now = Utc::now();
    let (actor_type, actor_id) = context.actor.parts();
    for chunk in fresh.chunks(400) {
        association::Entity::insert_many(chunk.iter().map(|(id, valid)| {
            let mut row = association::ActiveModel {
                id: Set(*id),
                status: Set(Status::Applicant.as_str().to_owned()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                deleted_at: Set(None),
                consent_recorded_at: Set(Some(now)),
                ..Default::default()
            };
            apply(&mut row, valid);
            row
        }))
        .exec(db)
        .await?;
        let countries: Vec<country_link::ActiveModel> = chunk
            .iter()
            .flat_map(|(id, valid)| {
                valid
                    .countries
                    .iter()
                    .map(|code| country_link::ActiveModel {
                        association_id: Set(*id),
                        country_code: Set(code.clone()),
                    })
            })
            .collect();
        for part in countries.chunks(2000) {
            country_link::Entity::insert_many(part.to_vec())
                .exec(db)
                .await?;
        }
        let sdgs: Vec<sdg_link::ActiveModel> = chunk
            .iter()
            .flat_map(|(id, valid)| {
                valid.sdgs.iter().map(|sdg| sdg_link::ActiveModel {
                    association_id: Set(*id),
                    sdg: Set(*sdg),
                })
            })
            .collect();
        for part in sdgs.chunks(2000) {
            sdg_link::Entity::insert_many(part.to_vec())
                .exec(db)
                .await?;
        }
        consent_change::Entity::insert_many(chunk.iter().map(|(id, valid)| {
            consent_change::ActiveModel {
                id: Set(Uuid::now_v7()),
                association_id: Set(*id),
                granted: Set(valid.consent_granted),
                fields: Set(
                    serde_json::to_string(&valid.consent_fields).unwrap_or_else(|_| "[]".into())
                ),
                actor_type: Set(actor_type.to_owned()),
                actor_id: Set(actor_id),
                recorded_at: Set(now),
            }
        }))
        .exec(db)
        .await?;
    }
    let ids: Vec<String> = fresh.iter().map(|(id, _)| id.to_string()).collect();
    audit::record_many(db, context, "association.consent_changed", RESOURCE, &ids).await?;
    audit::record_many(db, context, "association.created", RESOURCE, &ids).await?;
    let changes: Vec<Change> = fresh
        .iter()
        .map(|(id, _)| Change {
            resource_type: RESOURCE,
            resource_id: *id,
            op: Op::Upsert,
            version: 1,
            association_id: Some(*id),
        })
        .collect();
    changes::record_many(db, &changes).await
}
