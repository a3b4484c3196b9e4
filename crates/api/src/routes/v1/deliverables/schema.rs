//! The deliverables' bodies and views: what clients send and read.

use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::localized::LocalizedText;
use empower_domain::visibility::{
    Audience, Deliverable, DeliverableInput, DeliverableKind, DeliverableStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};
use crate::routes::v1::edit::Fields;
use crate::routes::v1::training::modules::LocalizedTextPatch;

mod parts;

pub use self::parts::{
    DisseminationBody, DisseminationPatch, DisseminationView, EntryBody, EntryPatch, EntryView,
    StoryBody, StoryPatch, StoryView,
};
use crate::schema::SdgNumber;

/// A language code of 2 or 3 letters (`fr`, `nl`, `en`).
pub struct LanguageCode;

impl PartialSchema for LanguageCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Za-z]{2,3}$"))
            .examples(["fr"])
            .into()
    }
}

impl ToSchema for LanguageCode {}

/// A deliverable's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "brief",
    "title": {"fr": "Femmes de la diaspora, actrices du développement", "en": "Diaspora women driving development"},
    "summary": {"en": "Four stories of associations that changed lives in their countries of origin."},
    "languages": ["fr", "nl", "en"], "planned_on": "2027-03-08", "document_url": null,
    "featured_association_ids": [], "sdgs": [5, 4], "year": null
}))]
pub struct DeliverableBody {
    /// What it is (fixed once created): `repertoire`, `brief`, `calendar` or `other`.
    pub kind: DeliverableKind,
    /// Each language 1-200 characters; at least one language.
    pub title: LocalizedText,
    /// Each language at most 4000 characters; at least one language.
    pub summary: LocalizedText,
    /// The languages it is produced in: codes of 2-3 letters (`fr`, `nl`, `en`), no repeats,
    /// at most 10.
    #[serde(default)]
    #[schema(value_type = Vec<LanguageCode>, max_items = 10)]
    pub languages: Vec<String>,
    /// When it is planned to appear (1900-2100).
    #[serde(default)]
    pub planned_on: Option<NaiveDate>,
    /// Where the document is: an `https` address, at most 300 characters.
    #[serde(default)]
    #[schema(max_length = 300, pattern = "^https://")]
    pub document_url: Option<String>,
    /// Associations it features (at most 50, no repeats); each must have granted publication
    /// consent before it is published.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub featured_association_ids: Vec<Uuid>,
    /// SDG numbers, 1-17, no repeats.
    #[serde(default)]
    #[schema(value_type = Vec<SdgNumber>, max_items = 17)]
    pub sdgs: Vec<i32>,
    /// The year of a calendar (2000-2100): required for a calendar, refused for another kind.
    #[serde(default)]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

impl Fields<DeliverableInput> for DeliverableBody {
    fn into_input(self) -> DeliverableInput {
        DeliverableInput {
            kind: self.kind,
            title: self.title,
            summary: self.summary,
            languages: self.languages,
            planned_on: self.planned_on,
            document_url: self.document_url,
            featured_association_ids: self.featured_association_ids,
            sdgs: self.sdgs,
            year: self.year,
        }
    }

    fn from_input(input: DeliverableInput) -> Self {
        Self {
            kind: input.kind,
            title: input.title,
            summary: input.summary,
            languages: input.languages,
            planned_on: input.planned_on,
            document_url: input.document_url,
            featured_association_ids: input.featured_association_ids,
            sdgs: input.sdgs,
            year: input.year,
        }
    }
}

/// A merge patch of a deliverable (while a draft): absent fields stay, `null` clears a field
/// that can be empty, a language object merges by language.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": {"nl": "Diasporavrouwen als motor van ontwikkeling"}, "planned_on": "2027-03-15"}))]
pub struct DeliverablePatch {
    /// The title, by language (`null` removes a language).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub title: Option<LocalizedTextPatch>,
    /// The summary, by language.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocalizedTextPatch)]
    pub summary: Option<LocalizedTextPatch>,
    /// The languages, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<LanguageCode>, max_items = 10)]
    pub languages: Option<Vec<String>>,
    /// When it is planned to appear.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_on: Option<Option<NaiveDate>>,
    /// Where the document is.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = "^https://")]
    pub document_url: Option<Option<String>>,
    /// The associations featured, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub featured_association_ids: Option<Vec<Uuid>>,
    /// The SDGs, replaced whole.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<SdgNumber>, max_items = 17)]
    pub sdgs: Option<Vec<i32>>,
    /// The year of a calendar.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<Option<i32>>,
}

impl Patch for DeliverablePatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/kind",
        "/status",
        "/published_on",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A deliverable as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "kind": "brief",
    "title": {"en": "Diaspora women driving development"},
    "summary": {"en": "Four stories of associations that changed lives."},
    "languages": ["fr", "en"], "planned_on": "2027-03-08", "published_on": null,
    "document_url": null, "featured_association_ids": [], "sdgs": [4, 5], "year": null,
    "status": "draft", "version": 1,
    "created_at": "2026-11-10T10:00:00Z", "updated_at": "2026-11-10T10:00:00Z"
}))]
pub struct DeliverableView {
    /// Id.
    pub id: Uuid,
    /// What it is.
    pub kind: DeliverableKind,
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Languages it is produced in.
    pub languages: Vec<String>,
    /// When it is planned to appear.
    #[schema(required = true)]
    pub planned_on: Option<NaiveDate>,
    /// When it was published (set by the move to `published`).
    #[schema(required = true)]
    pub published_on: Option<NaiveDate>,
    /// Where the document is.
    #[schema(required = true)]
    pub document_url: Option<String>,
    /// Associations it features (an association's users see only their own among them).
    pub featured_association_ids: Vec<Uuid>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
    /// The year of a calendar.
    #[schema(required = true)]
    pub year: Option<i32>,
    /// `draft`, `in_review`, `approved`, `published` or `archived`.
    pub status: DeliverableStatus,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl DeliverableView {
    /// The view as `audience` sees it: an association's users see their own association among
    /// the featured ones, not the others.
    pub fn seen_by(mut self, audience: Audience) -> Self {
        if let Audience::Association(own) | Audience::Featured(own) = audience {
            self.featured_association_ids.retain(|id| *id == own);
        }
        self
    }
}

impl From<Deliverable> for DeliverableView {
    fn from(d: Deliverable) -> Self {
        Self {
            id: d.row.id,
            kind: d.row.kind,
            title: d.title,
            summary: d.summary,
            languages: d.languages,
            planned_on: d.row.planned_on,
            published_on: d.row.published_on,
            document_url: d.row.document_url,
            featured_association_ids: d.featured_association_ids,
            sdgs: d.sdgs,
            year: d.row.year,
            status: d.row.status,
            version: d.row.version,
            created_at: d.row.created_at,
            updated_at: d.row.updated_at,
        }
    }
}
