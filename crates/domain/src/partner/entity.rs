//! The `partners` table: stakeholder organisations.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;

use crate::changes::ResourceType;
use crate::policy::Owner;
use crate::stored_enum;

stored_enum!(
    /// What kind of organisation a partner is.
    PartnerKind {
        /// An experienced diaspora association.
        DiasporaAssociation,
        /// A non-governmental organisation.
        Ngo,
        /// A Belgian or other public body.
        PublicBody,
        /// An organisation working on peacebuilding.
        PeacebuildingOrg,
        /// A university or research centre.
        Academic,
        /// A funder.
        Donor,
        /// Anything else.
        Other,
    }
);

/// A row of `partners`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organisation's name.
    pub name: String,
    /// The name folded (case, accents, width), so look-alike names are one name.
    pub name_key: String,
    /// What kind of organisation.
    pub kind: PartnerKind,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// Its website.
    pub website: Option<String>,
    /// A contact address (may name a person: shown only to who may see personal data).
    pub contact_email: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// When the programme first met it.
    pub first_contact_on: Option<NaiveDate>,
    /// +1 on each change.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::synced_table!(ResourceType::Partner, |_m| Owner::Programme);
