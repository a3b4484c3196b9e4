//! The association tables.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

use super::rules::{LegalForm, Region, Status};
use crate::audit::ActorType;

/// An association as stored.
pub mod association {
    use super::*;

    /// A row of `associations`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "associations")]
    pub struct Model {
        /// UUID v7 (or chosen by the client on PUT).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Name as given.
        pub name: String,
        /// Folded name: unique among live associations.
        pub name_key: String,
        /// UTS #39 skeleton of the folded name: no two live associations look alike.
        pub name_skeleton: Option<String>,
        /// Folded name and acronym, for search.
        pub search_text: String,
        /// Acronym.
        pub acronym: Option<String>,
        /// Legal form.
        pub legal_form: LegalForm,
        /// `0123.456.749`.
        pub enterprise_number: Option<String>,
        /// Year founded.
        pub founded_year: Option<i32>,
        /// Members.
        pub member_count: Option<i32>,
        /// Street and number.
        pub street: Option<String>,
        /// Belgian postal code, 4 digits.
        pub postal_code: Option<String>,
        /// City.
        pub city: Option<String>,
        /// Derived from the postal code.
        pub region: Option<Region>,
        /// JSON array of short strings.
        pub thematic_areas: String,
        /// Free text.
        pub intervention_regions: Option<String>,
        /// Led by African diaspora women.
        pub woman_led: bool,
        /// Contact email.
        pub contact_email: Option<String>,
        /// Contact phone.
        pub contact_phone: Option<String>,
        /// Website.
        pub website: Option<String>,
        /// Publication consent given.
        pub consent_granted: bool,
        /// JSON array of publishable field names.
        pub consent_fields: String,
        /// When the consent was last recorded.
        pub consent_recorded_at: Option<DateTime<Utc>>,
        /// Selection status.
        pub status: Status,
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

    impl crate::resource::Record for Model {
        fn id(&self) -> Uuid {
            self.id
        }

        fn version(&self) -> i32 {
            self.version
        }

        fn owner(&self) -> crate::policy::Owner {
            crate::policy::Owner::Association(self.id)
        }
    }

    impl crate::resource::Synced for Entity {
        const TYPE: crate::changes::ResourceType = crate::changes::ResourceType::Association;
        const COLUMNS: crate::resource::Columns<Column> = crate::resource::Columns {
            id: Column::Id,
            version: Column::Version,
            created_at: Column::CreatedAt,
            updated_at: Column::UpdatedAt,
            deleted_at: Column::DeletedAt,
        };
    }
}

/// Countries of origin of an association.
pub mod country_link {
    use super::*;

    /// A row of `association_countries`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "association_countries")]
    pub struct Model {
        /// The association.
        #[sea_orm(primary_key, auto_increment = false)]
        pub association_id: Uuid,
        /// ISO code.
        #[sea_orm(primary_key, auto_increment = false)]
        pub country_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// SDGs of an association.
pub mod sdg_link {
    use super::*;

    /// A row of `association_sdgs`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "association_sdgs")]
    pub struct Model {
        /// The association.
        #[sea_orm(primary_key, auto_increment = false)]
        pub association_id: Uuid,
        /// SDG number.
        #[sea_orm(primary_key, auto_increment = false)]
        pub sdg: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Status transitions of an association.
pub mod transition {
    use super::*;

    /// A row of `association_transitions`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "association_transitions")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The association.
        pub association_id: Uuid,
        /// Status before.
        pub from_status: Status,
        /// Status after.
        pub to_status: Status,
        /// Why.
        pub reason: String,
        /// An admin overrode the eligibility check.
        pub r#override: bool,
        /// Who moved it: a user or a client.
        pub actor_type: ActorType,
        /// Who.
        pub actor_id: Option<Uuid>,
        /// When.
        pub occurred_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Publication-consent history of an association.
pub mod consent_change {
    use super::*;

    /// A row of `consent_changes`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "consent_changes")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The association.
        pub association_id: Uuid,
        /// Consent given.
        pub granted: bool,
        /// JSON array of field names.
        pub fields: String,
        /// Who recorded it: a user, a client or the server.
        pub actor_type: ActorType,
        /// Who.
        pub actor_id: Option<Uuid>,
        /// When.
        pub recorded_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
