//! The people tables: people, and their append-only consent records.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Gender, as the person gives it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
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

/// What a consent is for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Taking part in the programme.
    ProgrammeParticipation,
    /// Being named or pictured in a published deliverable.
    Publication,
    /// Contact details shared with partners.
    ContactSharing,
}

/// A person as stored.
pub mod person {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::changes::ResourceType;
    use crate::policy::Owner;
    use crate::resource::{Columns, Record, Synced};

    /// A row of `people`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "people")]
    pub struct Model {
        /// UUID v7 (or chosen by the client on PUT).
        #[sea_orm(primary_key, auto_increment = false)]
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
        pub email: Option<String>,
        /// Phone (personal data).
        pub phone: Option<String>,
        /// President, secretary, member...
        pub role_in_association: Option<String>,
        /// Represents the association in the programme.
        pub is_representative: bool,
        /// JSON array of language codes.
        pub languages: String,
        /// +1 on each change.
        pub version: i32,
        /// Created.
        pub created_at: DateTime<Utc>,
        /// Last changed.
        pub updated_at: DateTime<Utc>,
        /// Soft-deleted.
        pub deleted_at: Option<DateTime<Utc>>,
        /// When her identity was erased (`crate::privacy`): her names are a neutral label
        /// since, her contact data and languages gone; she is never written again.
        pub erased_at: Option<DateTime<Utc>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Record for Model {
        fn id(&self) -> Uuid {
            self.id
        }

        fn version(&self) -> i32 {
            self.version
        }

        fn owner(&self) -> Owner {
            Owner::Association(self.association_id)
        }
    }

    impl Synced for Entity {
        const TYPE: ResourceType = ResourceType::Person;
        const COLUMNS: Columns<Column> = Columns {
            id: Column::Id,
            version: Column::Version,
            created_at: Column::CreatedAt,
            updated_at: Column::UpdatedAt,
            deleted_at: Column::DeletedAt,
        };
    }
}

/// A consent record as stored: never changed, never removed.
pub mod consent {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::audit::ActorType;

    /// A row of `person_consents`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_consents")]
    pub struct Model {
        /// UUID v7: sorts by time.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The person.
        pub person_id: Uuid,
        /// What for.
        pub purpose: ConsentPurpose,
        /// Given or withdrawn.
        pub granted: bool,
        /// Which version of the consent text the person saw.
        pub text_version: String,
        /// Who recorded it: a user or a client.
        pub recorded_by_type: ActorType,
        /// Who recorded it.
        pub recorded_by_id: Option<Uuid>,
        /// When.
        pub recorded_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
