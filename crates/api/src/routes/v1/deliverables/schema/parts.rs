//! The bodies and views of a deliverable's parts: stories, calendar entries, dissemination
//! records.

use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::localized::LocalizedText;
use empower_domain::visibility::calendar::Entry;
use empower_domain::visibility::entity::dissemination;
use empower_domain::visibility::stories::Story;
use empower_domain::visibility::{Channel, DisseminationInput, EntryInput, StoryInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};
use crate::routes::v1::edit::Fields;
use crate::routes::v1::training::modules::LocalizedTextPatch;
use crate::schema::SdgNumber;

/// A story's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "title": {"fr": "Une coopérative de karité à Kaya", "en": "A shea butter cooperative in Kaya"},
    "body": {"fr": "Après la formation, l'association a monté un projet avec 40 productrices."},
    "person_ids": [], "country": "BF", "sdgs": [5, 8],
    "quote": "Nous avons appris à écrire un projet.", "image_url": null
}))]
pub struct StoryBody {
    /// The association it is about (fixed once created); a caller bound to an association
    /// names its own.
    pub association_id: Uuid,
    /// Each language 1-200 characters; at least one language.
    pub title: LocalizedText,
    /// Each language at most 4000 characters; at least one language.
    pub body: LocalizedText,
    /// People of the association named in it (at most 10, no repeats); each needs a current
    /// `publication` consent before the brief is published. Empty for a collective story.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub person_ids: Vec<Uuid>,
    /// The country of origin the action benefits: an ISO 3166-1 alpha-2 code of
    /// `/api/v1/countries`.
    #[schema(pattern = "^[A-Za-z]{2}$", examples("BF"))]
    pub country: String,
    /// SDG numbers, 1-17, no repeats.
    #[serde(default)]
    #[schema(value_type = Vec<SdgNumber>, max_items = 17)]
    pub sdgs: Vec<i32>,
    /// A quote, at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub quote: Option<String>,
    /// A picture: an `https` address, at most 300 characters.
    #[serde(default)]
    #[schema(max_length = 300, pattern = "^https://")]
    pub image_url: Option<String>,
}

impl Fields<StoryInput> for StoryBody {
    fn into_input(self) -> StoryInput {
        StoryInput {
            association_id: self.association_id,
            title: self.title,
            body: self.body,
            person_ids: self.person_ids,
            country: self.country,
            sdgs: self.sdgs,
            quote: self.quote,
            image_url: self.image_url,
        }
    }

    fn from_input(input: StoryInput) -> Self {
        Self {
            association_id: input.association_id,
            title: input.title,
            body: input.body,
            person_ids: input.person_ids,
            country: input.country,
            sdgs: input.sdgs,
            quote: input.quote,
            image_url: input.image_url,
        }
    }
}

/// A merge patch of a story (while its brief is a draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quote": null, "sdgs": [5]}))]
pub struct StoryPatch {
    /// The title, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<LocalizedTextPatch>,
    /// The story, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub body: Option<LocalizedTextPatch>,
    /// The people named, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Uuid>, max_items = 10)]
    pub person_ids: Option<Vec<Uuid>>,
    /// The country of origin the action benefits.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
    /// The SDGs, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<SdgNumber>, max_items = 17)]
    pub sdgs: Option<Vec<i32>>,
    /// A quote.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub quote: Option<Option<String>>,
    /// A picture.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = "^https://")]
    pub image_url: Option<Option<String>>,
}

impl Patch for StoryPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/deliverable_id",
        "/association_id",
        "/proposed",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A story as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d90", "deliverable_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "title": {"en": "A shea butter cooperative in Kaya"},
    "body": {"en": "After the training the association set up a project with 40 producers."},
    "person_ids": [], "country": "BF", "sdgs": [5, 8], "quote": null, "image_url": null,
    "proposed": false, "version": 1, "created_at": "2026-11-10T10:00:00Z", "updated_at": "2026-11-10T10:00:00Z"
}))]
pub struct StoryView {
    /// Id.
    pub id: Uuid,
    /// The brief.
    pub deliverable_id: Uuid,
    /// The association it is about.
    pub association_id: Uuid,
    /// Title.
    pub title: LocalizedText,
    /// The story.
    pub body: LocalizedText,
    /// People named.
    pub person_ids: Vec<Uuid>,
    /// The country of origin the action benefits.
    pub country: String,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// A quote.
    #[schema(required = true)]
    pub quote: Option<String>,
    /// A picture.
    #[schema(required = true)]
    pub image_url: Option<String>,
    /// Proposed by the association (`true`: its users may change it while the brief is a
    /// draft) or written by programme staff (`false`).
    pub proposed: bool,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Story> for StoryView {
    fn from(s: Story) -> Self {
        Self {
            id: s.row.id,
            deliverable_id: s.row.deliverable_id,
            association_id: s.row.association_id,
            title: s.title,
            body: s.body,
            person_ids: s.person_ids,
            country: s.row.country,
            sdgs: s.sdgs,
            quote: s.row.quote,
            image_url: s.row.image_url,
            proposed: s.row.proposed,
            version: s.row.version,
            created_at: s.row.created_at,
            updated_at: s.row.updated_at,
        }
    }
}

/// A calendar entry's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "month": 3, "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "headline": {"fr": "Mars: les femmes de Kaya", "en": "March: the women of Kaya"},
    "caption": {"en": "The cooperative's first harvest, sold in Brussels."},
    "image_url": "https://example.org/calendar/march.jpg"
}))]
pub struct EntryBody {
    /// The month, 1-12: one entry a month (a second for the same month is 409 `month_taken`).
    #[schema(minimum = 1, maximum = 12)]
    pub month: i32,
    /// The association featured (fixed once created).
    pub association_id: Uuid,
    /// Each language 1-200 characters; at least one language.
    pub headline: LocalizedText,
    /// Each language at most 1000 characters; at least one language.
    pub caption: LocalizedText,
    /// The month's picture: an `https` address, at most 300 characters.
    #[serde(default)]
    #[schema(max_length = 300, pattern = "^https://")]
    pub image_url: Option<String>,
}

impl Fields<EntryInput> for EntryBody {
    fn into_input(self) -> EntryInput {
        EntryInput {
            month: self.month,
            association_id: self.association_id,
            headline: self.headline,
            caption: self.caption,
            image_url: self.image_url,
        }
    }

    fn from_input(input: EntryInput) -> Self {
        Self {
            month: input.month,
            association_id: input.association_id,
            headline: input.headline,
            caption: input.caption,
            image_url: input.image_url,
        }
    }
}

/// A merge patch of a calendar entry (while its calendar is a draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"month": 4}))]
pub struct EntryPatch {
    /// The month; must be free.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 1, maximum = 12)]
    pub month: Option<i32>,
    /// The headline, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub headline: Option<LocalizedTextPatch>,
    /// The caption, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub caption: Option<LocalizedTextPatch>,
    /// The picture.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = "^https://")]
    pub image_url: Option<Option<String>>,
}

impl Patch for EntryPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/deliverable_id",
        "/association_id",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A calendar entry as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d91", "deliverable_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "month": 3, "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "headline": {"en": "March: the women of Kaya"}, "caption": {"en": "The first harvest."},
    "image_url": null, "version": 1,
    "created_at": "2026-11-10T10:00:00Z", "updated_at": "2026-11-10T10:00:00Z"
}))]
pub struct EntryView {
    /// Id.
    pub id: Uuid,
    /// The calendar.
    pub deliverable_id: Uuid,
    /// The month, 1-12.
    pub month: i32,
    /// The association featured.
    pub association_id: Uuid,
    /// Headline.
    pub headline: LocalizedText,
    /// Caption.
    pub caption: LocalizedText,
    /// The month's picture.
    #[schema(required = true)]
    pub image_url: Option<String>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Entry> for EntryView {
    fn from(e: Entry) -> Self {
        Self {
            id: e.row.id,
            deliverable_id: e.row.deliverable_id,
            month: e.row.month,
            association_id: e.row.association_id,
            headline: e.headline,
            caption: e.caption,
            image_url: e.row.image_url,
            version: e.row.version,
            created_at: e.row.created_at,
            updated_at: e.row.updated_at,
        }
    }
}

/// A dissemination record's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "date": "2027-03-08", "channel": "event", "audience": "Brussels development NGOs",
    "copies": 150, "reach": 320, "notes": "Handed out at the 8 March conference."
}))]
pub struct DisseminationBody {
    /// When (1900-2100).
    pub date: NaiveDate,
    /// How: `print`, `email`, `event`, `website`, `social_media` or `other`.
    pub channel: Channel,
    /// To whom, 1-200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub audience: String,
    /// Copies handed out or sent, 0-100,000,000 (0 when left out).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub copies: i64,
    /// People reached, when known, 0-100,000,000.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub reach: Option<i64>,
    /// Free notes, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

impl Fields<DisseminationInput> for DisseminationBody {
    fn into_input(self) -> DisseminationInput {
        DisseminationInput {
            date: self.date,
            channel: self.channel,
            audience: self.audience,
            copies: self.copies,
            reach: self.reach,
            notes: self.notes,
        }
    }

    fn from_input(input: DisseminationInput) -> Self {
        Self {
            date: input.date,
            channel: input.channel,
            audience: input.audience,
            copies: input.copies,
            reach: input.reach,
            notes: input.notes,
        }
    }
}

/// A merge patch of a dissemination record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reach": 400}))]
pub struct DisseminationPatch {
    /// When.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub date: Option<NaiveDate>,
    /// How.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Channel)]
    pub channel: Option<Channel>,
    /// To whom.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub audience: Option<String>,
    /// Copies.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i64, minimum = 0, maximum = 100_000_000)]
    pub copies: Option<i64>,
    /// People reached.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000_000)]
    pub reach: Option<Option<i64>>,
    /// Free notes.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
}

impl Patch for DisseminationPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/deliverable_id",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A dissemination record as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d92", "deliverable_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "date": "2027-03-08", "channel": "event", "audience": "Brussels development NGOs",
    "copies": 150, "reach": 320, "notes": null, "version": 1,
    "created_at": "2027-03-09T10:00:00Z", "updated_at": "2027-03-09T10:00:00Z"
}))]
pub struct DisseminationView {
    /// Id.
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
    #[schema(required = true)]
    pub reach: Option<i64>,
    /// Free notes.
    #[schema(required = true)]
    pub notes: Option<String>,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<dissemination::Model> for DisseminationView {
    fn from(d: dissemination::Model) -> Self {
        Self {
            id: d.id,
            deliverable_id: d.deliverable_id,
            date: d.date,
            channel: d.channel,
            audience: d.audience,
            copies: d.copies,
            reach: d.reach,
            notes: d.notes,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}
