//! The restitution tables: restitutions, their status history, and their evidence.

use crate::stored_enum;

stored_enum!(
    /// Where a restitution stands.
    RestitutionStatus {
        /// Announced: editable.
        Planned,
        /// Held and reported by the association: awaiting review.
        Reported,
        /// Sent back by staff for changes: editable, then reported again.
        Returned,
        /// Accepted by staff: counts in the indicators; read only.
        Validated,
        /// Will not take place: final.
        Cancelled,
    }
);

stored_enum!(
    /// Where a restitution takes place.
    LocationKind {
        /// In Belgium: a city and a postal code.
        Belgium,
        /// In another country.
        Abroad,
        /// Online.
        Online,
    }
);

stored_enum!(
    /// What an evidence item shows.
    EvidenceKind {
        /// A written report.
        Report,
        /// A signed attendance sheet (names members: personal data).
        AttendanceSheet,
        /// A photo (shows people: personal data).
        Photo,
        /// Anything else.
        Other,
    }
);

/// `restitutions`: one cascade session of an association.
pub mod restitution {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::{LocationKind, RestitutionStatus};
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `restitutions`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "restitutions")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The association (the owner).
        pub association_id: Uuid,
        /// The modules covered, as a JSON list of ids.
        pub module_ids: String,
        /// The facilitators (people of the association), as a JSON list of ids.
        pub facilitator_ids: String,
        /// When it is planned.
        pub planned_on: NaiveDate,
        /// When it took place.
        pub held_on: Option<NaiveDate>,
        /// Belgium, abroad or online.
        pub location_kind: LocationKind,
        /// In Belgium: the city.
        pub city: Option<String>,
        /// In Belgium: the postal code.
        pub postal_code: Option<String>,
        /// Abroad: the ISO country code.
        pub country: Option<String>,
        /// The language it is given in.
        pub language: String,
        /// What was covered, as a JSON list.
        pub topics: String,
        /// Women who attended.
        pub attendees_women: i32,
        /// Men who attended.
        pub attendees_men: i32,
        /// Attendees of another gender.
        pub attendees_other: i32,
        /// Attendees who did not say.
        pub attendees_undisclosed: i32,
        /// Attendees under 30, when counted.
        pub youth_attendees: Option<i32>,
        /// Free notes.
        pub notes: Option<String>,
        /// Where it stands.
        pub status: RestitutionStatus,
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

    crate::synced_table!(ResourceType::Restitution, |m| Owner::Association(
        m.association_id
    ));
}

/// `restitution_transitions`: every status change of a restitution.
pub mod transition {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::RestitutionStatus;
    use crate::audit::ActorType;

    /// A row of `restitution_transitions`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "restitution_transitions")]
    pub struct Model {
        /// UUID v7: sorts by time.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The restitution.
        pub restitution_id: Uuid,
        /// Its association.
        pub association_id: Uuid,
        /// Status before.
        pub from_status: RestitutionStatus,
        /// Status after.
        pub to_status: RestitutionStatus,
        /// Why (required when staff return a report).
        pub comment: Option<String>,
        /// A user or a client.
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

/// `restitution_evidence`: a link or a stored file backing a restitution's report.
pub mod evidence {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::EvidenceKind;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `restitution_evidence`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "restitution_evidence")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The restitution.
        pub restitution_id: Uuid,
        /// Its association (the owner).
        pub association_id: Uuid,
        /// What it shows.
        pub kind: EvidenceKind,
        /// What it is.
        pub description: String,
        /// An `https` link, or none when a file is stored.
        pub url: Option<String>,
        /// The stored file's SHA-256 (hex): its name on disk.
        pub file_sha256: Option<String>,
        /// The stored file's type, recognised from its content.
        pub file_media_type: Option<String>,
        /// The stored file's size in bytes.
        pub file_size: Option<i64>,
        /// The name it was uploaded under (for `Content-Disposition`).
        pub file_name: Option<String>,
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

    crate::synced_table!(ResourceType::RestitutionEvidence, |m| Owner::Association(
        m.association_id
    ));
}
