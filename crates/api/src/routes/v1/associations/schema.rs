//! The association's shapes on the wire: the body clients write, the patch, and the view they
//! read (with contact details only for who may see them).

use chrono::{DateTime, Utc};
use empower_domain::association::{
    self as registry, Association, LegalForm, PUBLISHABLE_FIELDS, Region, Status,
};
use empower_domain::policy::CallerScope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};
use crate::schema::{CountryCode, SdgNumber};

/// A Belgian address. In a patch, each field present replaces the stored one and `null`
/// clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"street": "Rue de la Victoire 12", "postal_code": "1060", "city": "Saint-Gilles"}))]
pub struct Address {
    /// Street and number.
    #[schema(max_length = 200, example = "Rue de la Victoire 12")]
    pub street: Option<String>,
    /// Postal code, 1000-9999.
    #[schema(pattern = "^(\\s*|[1-9][0-9]{3})$", example = "1060")]
    pub postal_code: Option<String>,
    /// City.
    #[schema(max_length = 100, example = "Saint-Gilles")]
    pub city: Option<String>,
}

/// A Belgian address as read, with its region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressView {
    /// Street and number.
    #[schema(required = true)]
    pub street: Option<String>,
    /// Postal code.
    #[schema(required = true)]
    pub postal_code: Option<String>,
    /// City.
    #[schema(required = true)]
    pub city: Option<String>,
    /// Derived from the postal code.
    #[schema(required = true)]
    pub region: Option<Region>,
}

/// How to reach the association. In a patch, each field present replaces the stored one and
/// `null` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "contact@femmes-solidaires.example", "phone": "+32 2 123 45 67"}))]
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

/// How to reach the association, as read. Email and phone may be a person's: they are `null`
/// for viewers and API clients unless the association agreed to publish them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    /// Email.
    #[schema(required = true)]
    pub email: Option<String>,
    /// Phone.
    #[schema(required = true)]
    pub phone: Option<String>,
    /// Website.
    #[schema(required = true)]
    pub website: Option<String>,
}

/// What the association agreed may appear in the public repertoire.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"granted": true, "fields": ["name", "city", "countries_of_origin"]}))]
pub struct PublicationConsent {
    /// Consent given.
    pub granted: bool,
    /// Publishable fields (`name` is implied when granted): `name`, `acronym`, `legal_form`,
    /// `founded_year`, `city`, `region`, `countries_of_origin`, `sdgs`, `thematic_areas`,
    /// `intervention_regions`, `member_count`, `website`, `email`, `phone`.
    #[serde(default)]
    #[schema(max_items = 14)]
    pub fields: Vec<PublishableField>,
}

/// A field publication consent may cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublishableField {
    /// The name (implied when consent is granted).
    Name,
    /// The acronym.
    Acronym,
    /// The legal form.
    LegalForm,
    /// The year founded.
    FoundedYear,
    /// The city.
    City,
    /// The region.
    Region,
    /// The countries of origin.
    CountriesOfOrigin,
    /// The SDGs.
    Sdgs,
    /// The thematic areas.
    ThematicAreas,
    /// Where the association works.
    InterventionRegions,
    /// The number of members.
    MemberCount,
    /// The website.
    Website,
    /// The contact email.
    Email,
    /// The contact phone.
    Phone,
}

impl PublishableField {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Acronym => "acronym",
            Self::LegalForm => "legal_form",
            Self::FoundedYear => "founded_year",
            Self::City => "city",
            Self::Region => "region",
            Self::CountriesOfOrigin => "countries_of_origin",
            Self::Sdgs => "sdgs",
            Self::ThematicAreas => "thematic_areas",
            Self::InterventionRegions => "intervention_regions",
            Self::MemberCount => "member_count",
            Self::Website => "website",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        const ALL: [PublishableField; 14] = [
            PublishableField::Name,
            PublishableField::Acronym,
            PublishableField::LegalForm,
            PublishableField::FoundedYear,
            PublishableField::City,
            PublishableField::Region,
            PublishableField::CountriesOfOrigin,
            PublishableField::Sdgs,
            PublishableField::ThematicAreas,
            PublishableField::InterventionRegions,
            PublishableField::MemberCount,
            PublishableField::Website,
            PublishableField::Email,
            PublishableField::Phone,
        ];
        debug_assert_eq!(ALL.len(), PUBLISHABLE_FIELDS.len());
        ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Publication consent as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentView {
    /// Consent given.
    pub granted: bool,
    /// Publishable fields (`name` included when granted).
    pub fields: Vec<PublishableField>,
    /// When the consent was last recorded (every change is kept).
    #[schema(required = true)]
    pub recorded_at: Option<DateTime<Utc>>,
}

fn fields_of(names: &[String]) -> Vec<PublishableField> {
    names
        .iter()
        .filter_map(|n| PublishableField::parse(n))
        .collect()
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
    /// 2-200 characters, unique ignoring case and accents, and not confusable with the name
    /// of another live association.
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
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    pub member_count: Option<i64>,
    /// Belgian address.
    #[serde(default)]
    pub address: Option<Address>,
    /// 1 to 20 ISO 3166-1 alpha-2 codes from `/api/v1/countries`.
    #[schema(value_type = Vec<CountryCode>, min_items = 1, max_items = 20)]
    pub countries_of_origin: Vec<String>,
    /// SDG numbers, 1-17.
    #[serde(default)]
    #[schema(value_type = Vec<SdgNumber>, max_items = 17)]
    pub sdgs: Vec<i32>,
    /// Up to 20 short strings (1-60 characters).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub thematic_areas: Vec<String>,
    /// Where the association works, in its own words (line breaks allowed).
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

impl crate::routes::v1::edit::Fields<registry::AssociationInput> for AssociationBody {
    fn from_input(input: registry::AssociationInput) -> Self {
        Self::from_input(input)
    }

    fn into_input(self) -> registry::AssociationInput {
        Self::into_input(self)
    }
}

impl AssociationBody {
    /// The domain input.
    pub fn into_input(self) -> registry::AssociationInput {
        let address = self.address.unwrap_or_default();
        let contact = self.contact.unwrap_or_default();
        let consent = self.publication_consent.unwrap_or_default();
        registry::AssociationInput {
            name: self.name,
            acronym: self.acronym,
            legal_form: self.legal_form,
            enterprise_number: self.enterprise_number,
            founded_year: self.founded_year,
            member_count: self.member_count,
            address: registry::AddressInput {
                street: address.street,
                postal_code: address.postal_code,
                city: address.city,
            },
            countries_of_origin: self.countries_of_origin,
            sdgs: self.sdgs,
            thematic_areas: self.thematic_areas,
            intervention_regions: self.intervention_regions,
            woman_led: self.woman_led,
            contact: registry::ContactInput {
                email: contact.email,
                phone: contact.phone,
                website: contact.website,
            },
            publication_consent: registry::ConsentInput {
                granted: consent.granted,
                fields: consent
                    .fields
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .collect(),
            },
        }
    }

    /// The body that would write `input` (for merging a patch, and the spreadsheet files).
    pub fn from_input(input: registry::AssociationInput) -> Self {
        let consent = input.publication_consent;
        Self {
            name: input.name,
            acronym: input.acronym,
            legal_form: input.legal_form,
            enterprise_number: input.enterprise_number,
            founded_year: input.founded_year,
            member_count: input.member_count,
            address: Some(Address {
                street: input.address.street,
                postal_code: input.address.postal_code,
                city: input.address.city,
            }),
            countries_of_origin: input.countries_of_origin,
            sdgs: input.sdgs,
            thematic_areas: input.thematic_areas,
            intervention_regions: input.intervention_regions,
            woman_led: input.woman_led,
            contact: Some(Contact {
                email: input.contact.email,
                phone: input.contact.phone,
                website: input.contact.website,
            }),
            publication_consent: Some(PublicationConsent {
                granted: consent.granted,
                fields: fields_of(&consent.fields),
            }),
        }
    }
}

/// A change of publication consent in a merge patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationConsentPatch {
    /// Consent given.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub granted: Option<bool>,
    /// Publishable fields; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<PublishableField>>, max_items = 14)]
    pub fields: Option<Option<Vec<PublishableField>>>,
}

/// A merge patch of an association (`application/merge-patch+json`, RFC 7396): every field is
/// optional; absent fields stay as they are, `null` clears a field that can be empty. The
/// result must keep every rule of a full write.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_count": 52, "acronym": null, "contact": {"phone": "+32 2 123 45 67"}}))]
pub struct AssociationPatch {
    /// 2-200 characters, unique ignoring case and accents; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 2, max_length = 200)]
    pub name: Option<String>,
    /// At most 20 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub acronym: Option<Option<String>>,
    /// Legal form; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LegalForm)]
    pub legal_form: Option<LegalForm>,
    /// BCE/KBO number (required unless the legal form is `de_facto`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub enterprise_number: Option<Option<String>>,
    /// 1900 to this year.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 1900, maximum = 2100)]
    pub founded_year: Option<Option<i32>>,
    /// 0 or more.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 2_147_483_647)]
    pub member_count: Option<Option<i64>>,
    /// The fields of the address to change; `null` clears the whole address.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Address>)]
    pub address: Option<Option<Address>>,
    /// 1 to 20 ISO codes; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<CountryCode>, min_items = 1, max_items = 20)]
    pub countries_of_origin: Option<Vec<String>>,
    /// SDG numbers; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<SdgNumber>>, max_items = 17)]
    pub sdgs: Option<Option<Vec<i32>>>,
    /// Thematic areas; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<String>>, max_items = 20)]
    pub thematic_areas: Option<Option<Vec<String>>>,
    /// Where the association works.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub intervention_regions: Option<Option<String>>,
    /// Led by African diaspora women; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub woman_led: Option<bool>,
    /// The contact fields to change; `null` clears them all.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Contact>)]
    pub contact: Option<Option<Contact>>,
    /// The consent to change; `null` withdraws it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<PublicationConsentPatch>)]
    pub publication_consent: Option<Option<PublicationConsentPatch>>,
}

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
    #[schema(required = true)]
    pub acronym: Option<String>,
    /// Legal form.
    pub legal_form: LegalForm,
    /// `0123.456.749`.
    #[schema(required = true)]
    pub enterprise_number: Option<String>,
    /// Year founded.
    #[schema(required = true)]
    pub founded_year: Option<i32>,
    /// Members.
    #[schema(required = true)]
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
    #[schema(required = true)]
    pub intervention_regions: Option<String>,
    /// Led by African diaspora women.
    pub woman_led: bool,
    /// How to reach the association (email and phone only for who may see them).
    pub contact: ContactView,
    /// What may be published.
    pub publication_consent: ConsentView,
    /// Selection status; changed only through transitions.
    pub status: Status,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl AssociationView {
    /// The view of `a` for a caller with `scope`.
    pub fn of(a: Association, scope: &CallerScope) -> Self {
        let contact = a.contact_for(scope);
        let row = a.row;
        Self {
            id: row.id,
            name: row.name,
            acronym: row.acronym,
            legal_form: row.legal_form,
            enterprise_number: row.enterprise_number,
            founded_year: row.founded_year,
            member_count: row.member_count.map(i64::from),
            address: AddressView {
                street: row.street,
                postal_code: row.postal_code,
                city: row.city,
                region: row.region,
            },
            countries_of_origin: a.countries_of_origin,
            sdgs: a.sdgs,
            thematic_areas: a.thematic_areas,
            intervention_regions: row.intervention_regions,
            woman_led: row.woman_led,
            contact: ContactView {
                email: contact.email,
                phone: contact.phone,
                website: contact.website,
            },
            publication_consent: ConsentView {
                granted: row.consent_granted,
                fields: fields_of(&a.consent_fields),
                recorded_at: row.consent_recorded_at,
            },
            status: row.status,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    /// Whether the view carries contact data that may be a person's.
    pub fn carries_personal_data(&self) -> bool {
        self.contact.email.is_some() || self.contact.phone.is_some()
    }
}
