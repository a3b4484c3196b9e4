//! The association registry: the profile and its rules ([`input`]), storage ([`store`]),
//! selection with its transitions and eligibility ([`selection`]), publication consent with its
//! history ([`consent`]), the filtered list ([`query`]) and spreadsheet imports ([`import`]).

pub mod consent;
pub mod entity;
pub mod import;
pub mod input;
pub mod query;
pub mod rules;
pub mod selection;
pub mod store;

use uuid::Uuid;

use self::entity::association;
pub use self::entity::association::Entity;
pub use self::import::{RowOutcome, import};
pub use self::input::{
    AddressInput, AssociationInput, ConsentInput, ContactInput, PUBLISHABLE_FIELDS, Valid, check,
};
pub use self::query::{AssociationFilter, SortField, check_filter, list, list_in};
pub use self::rules::{LegalForm, Region, Status};
pub use self::selection::{
    TransitionRequest, eligibility, transition, transition_record, transitions,
};
pub use self::store::{check_parent, create, get, live_ids, upkeep, upsert};
use crate::DomainError;
use crate::policy::CallerScope;
use crate::resource::json_list;

/// An association with what is stored beside its row: countries of origin and SDGs, and its
/// JSON lists read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// The stored row.
    pub row: association::Model,
    /// ISO codes, sorted.
    pub countries_of_origin: Vec<String>,
    /// SDG numbers, sorted.
    pub sdgs: Vec<i32>,
    /// Thematic areas.
    pub thematic_areas: Vec<String>,
    /// The fields publication consent covers.
    pub consent_fields: Vec<String>,
}

impl Association {
    fn new(
        row: association::Model,
        countries_of_origin: Vec<String>,
        sdgs: Vec<i32>,
    ) -> Result<Self, DomainError> {
        let thematic_areas = json_list(
            &row.thematic_areas,
            "associations",
            "thematic_areas",
            row.id,
        )?;
        let consent_fields = json_list(
            &row.consent_fields,
            "associations",
            "consent_fields",
            row.id,
        )?;
        Ok(Self {
            row,
            countries_of_origin,
            sdgs,
            thematic_areas,
            consent_fields,
        })
    }

    /// Its id.
    pub fn id(&self) -> Uuid {
        self.row.id
    }

    /// The writable fields as they stand, for merging a patch.
    pub fn to_input(&self) -> AssociationInput {
        let r = &self.row;
        AssociationInput {
            name: r.name.clone(),
            acronym: r.acronym.clone(),
            legal_form: r.legal_form,
            enterprise_number: r.enterprise_number.clone(),
            founded_year: r.founded_year,
            member_count: r.member_count.map(i64::from),
            address: AddressInput {
                street: r.street.clone(),
                postal_code: r.postal_code.clone(),
                city: r.city.clone(),
            },
            countries_of_origin: self.countries_of_origin.clone(),
            sdgs: self.sdgs.clone(),
            thematic_areas: self.thematic_areas.clone(),
            intervention_regions: r.intervention_regions.clone(),
            woman_led: r.woman_led,
            contact: ContactInput {
                email: r.contact_email.clone(),
                phone: r.contact_phone.clone(),
                website: r.website.clone(),
            },
            publication_consent: ConsentInput {
                granted: r.consent_granted,
                fields: self.consent_fields.clone(),
            },
        }
    }

    /// Whether the association agreed to publish this field.
    pub fn publishes(&self, field: &str) -> bool {
        self.row.consent_granted && self.consent_fields.iter().any(|f| f == field)
    }

    /// The contact details this caller may see: email and phone may be a person's, so callers
    /// without rights to personal data see them only when the association agreed to publish
    /// them. The website is public.
    pub fn contact_for(&self, scope: &CallerScope) -> ContactInput {
        let shown = |field: &str, value: &Option<String>| {
            value
                .clone()
                .filter(|_| scope.personal_data || self.publishes(field))
        };
        ContactInput {
            email: shown("email", &self.row.contact_email),
            phone: shown("phone", &self.row.contact_phone),
            website: self.row.website.clone(),
        }
    }
}
