//! The visibility tables: deliverables with their review history, the stories of briefs, the
//! entries of calendars, and dissemination records.

use crate::stored_enum;

stored_enum!(
    /// What a deliverable is.
    DeliverableKind {
        /// The public repertoire of the associations.
        Repertoire,
        /// A brief of success stories.
        Brief,
        /// A calendar of one year, one association a month.
        Calendar,
        /// Anything else (a video, a leaflet).
        Other,
    }
);

stored_enum!(
    /// Where a deliverable stands.
    DeliverableStatus {
        /// Being written: editable.
        Draft,
        /// Submitted for review: read only until approved or sent back.
        InReview,
        /// Approved by staff, ready to publish.
        Approved,
        /// Published: public, read only but for archiving.
        Published,
        /// No longer current: final.
        Archived,
    }
);

stored_enum!(
    /// How a deliverable was spread.
    Channel {
        /// Printed copies.
        Print,
        /// A mailing.
        Email,
        /// At an event.
        Event,
        /// On a website.
        Website,
        /// On social media.
        SocialMedia,
        /// Any other way.
        Other,
    }
);

/// `deliverables`: one visibility product of the programme (programme-wide).
pub mod deliverable {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::{DeliverableKind, DeliverableStatus};
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `deliverables`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deliverables")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// What it is (fixed once created).
        pub kind: DeliverableKind,
        /// Localized title (JSON object).
        pub title: String,
        /// Localized summary (JSON object).
        pub summary: String,
        /// Languages it is produced in (JSON list).
        pub languages: String,
        /// When it is planned to appear.
        pub planned_on: Option<NaiveDate>,
        /// When it was published (set by the move to `published`).
        pub published_on: Option<NaiveDate>,
        /// Where the document is (`https`).
        pub document_url: Option<String>,
        /// Associations it features (JSON list of ids).
        pub featured_association_ids: String,
        /// SDG numbers (JSON list).
        pub sdgs: String,
        /// The year of a calendar.
        pub year: Option<i32>,
        /// Where it stands.
        pub status: DeliverableStatus,
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

    crate::synced_table!(ResourceType::Deliverable, |_m| Owner::Programme);
}

/// `deliverable_transitions`: every status change of a deliverable.
pub mod transition {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use super::DeliverableStatus;
    use crate::audit::ActorType;

    /// A row of `deliverable_transitions`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deliverable_transitions")]
    pub struct Model {
        /// UUID v7: sorts by time.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The deliverable.
        pub deliverable_id: Uuid,
        /// Status before.
        pub from_status: DeliverableStatus,
        /// Status after.
        pub to_status: DeliverableStatus,
        /// Why (required when changes are requested).
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

/// `deliverable_stories`: a success story of a brief, about one association.
pub mod story {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `deliverable_stories`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deliverable_stories")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The brief.
        pub deliverable_id: Uuid,
        /// The association it is about (the owner; fixed once created).
        pub association_id: Uuid,
        /// Localized title (JSON object).
        pub title: String,
        /// Localized text (JSON object).
        pub body: String,
        /// People named in it (JSON list of ids).
        pub person_ids: String,
        /// The country of origin the action benefits (ISO code).
        pub country: String,
        /// SDG numbers (JSON list).
        pub sdgs: String,
        /// A quote.
        pub quote: Option<String>,
        /// A picture (`https`).
        pub image_url: Option<String>,
        /// Proposed by the association (its users may change it while the brief is a draft),
        /// or written by programme staff.
        pub proposed: bool,
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

    crate::synced_table!(ResourceType::DeliverableStory, |m| Owner::Association(
        m.association_id
    ));
}

/// `calendar_entries`: one month of a calendar, featuring one association.
pub mod calendar_entry {
    use chrono::{DateTime, Utc};
    use sea_orm::entity::prelude::*;

    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `calendar_entries`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_entries")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The calendar.
        pub deliverable_id: Uuid,
        /// The association featured (the owner; fixed once created).
        pub association_id: Uuid,
        /// 1-12, one entry a month.
        pub month: i32,
        /// Localized headline (JSON object).
        pub headline: String,
        /// Localized caption (JSON object).
        pub caption: String,
        /// The month's picture (`https`).
        pub image_url: Option<String>,
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

    crate::synced_table!(ResourceType::CalendarEntry, |m| Owner::Association(
        m.association_id
    ));
}

/// `disseminations`: how, to whom and how widely a published deliverable was spread.
pub mod dissemination {
    use chrono::{DateTime, NaiveDate, Utc};
    use sea_orm::entity::prelude::*;

    use super::Channel;
    use crate::changes::ResourceType;
    use crate::policy::Owner;

    /// A row of `disseminations`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "disseminations")]
    pub struct Model {
        /// UUID v7.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The deliverable.
        pub deliverable_id: Uuid,
        /// When.
        pub date: NaiveDate,
        /// How.
        pub channel: Channel,
        /// To whom.
        pub audience: String,
        /// Copies handed out or sent.
        pub copies: i64,
        /// People reached, when known.
        pub reach: Option<i64>,
        /// Free notes.
        pub notes: Option<String>,
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

    crate::synced_table!(ResourceType::Dissemination, |_m| Owner::Programme);
}
