//! The restitution's bodies and views: what clients send and read.

use chrono::{DateTime, NaiveDate, Utc};
use empower_domain::restitution::{
    Attendees, LocationInput, Restitution, RestitutionInput, RestitutionStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};
use crate::routes::v1::edit::Fields;

/// Where a restitution takes place: exactly one of `{city, postal_code}` (in Belgium),
/// `{country}` (abroad) or `{online: true}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    /// In Belgium: the city (1-100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// In Belgium: the postal code, 1000-9999.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Abroad: an ISO 3166-1 alpha-2 code of `/api/v1/countries`, not `BE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Online: `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
}

impl PartialSchema for LocationBody {
    fn schema() -> RefOr<Schema> {
        let belgium = ObjectBuilder::new()
            .title(Some("In Belgium"))
            .property(
                "city",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(100))
                    .examples(["Liège"]),
            )
            .property(
                "postal_code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[1-9][0-9]{3}$"))
                    .examples(["4000"]),
            )
            .required("city")
            .required("postal_code")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        let abroad = ObjectBuilder::new()
            .title(Some("Abroad"))
            .property(
                "country",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[A-Z]{2}$"))
                    .description(Some("ISO 3166-1 alpha-2 code of /api/v1/countries, not BE"))
                    .examples(["SN"]),
            )
            .required("country")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        let online = ObjectBuilder::new()
            .title(Some("Online"))
            .property(
                "online",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .enum_values(Some([true])),
            )
            .required("online")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        OneOfBuilder::new()
            .item(belgium)
            .item(abroad)
            .item(online)
            .description(Some(
                "Where it takes place: `{city, postal_code}` in Belgium, `{country}` abroad, or `{online: true}`.",
            ))
            .into()
    }
}

impl ToSchema for LocationBody {}

impl From<LocationBody> for LocationInput {
    fn from(b: LocationBody) -> Self {
        Self {
            city: b.city,
            postal_code: b.postal_code,
            country: b.country,
            online: b.online,
        }
    }
}

impl From<LocationInput> for LocationBody {
    fn from(l: LocationInput) -> Self {
        Self {
            city: l.city,
            postal_code: l.postal_code,
            country: l.country,
            online: l.online,
        }
    }
}

/// One topic covered: a line of 1-200 characters.
pub struct TopicLine;

impl PartialSchema for TopicLine {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(200))
            .examples(["Answering a call for proposals"])
            .into()
    }
}

impl ToSchema for TopicLine {}

/// Who came, by gender: non-negative counts (0 when left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"women": 14, "men": 2, "other": 0, "undisclosed": 1}))]
pub struct AttendeesBody {
    /// Women.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub women: i32,
    /// Men.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub men: i32,
    /// Another gender.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub other: i32,
    /// Did not say.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub undisclosed: i32,
}

impl From<AttendeesBody> for Attendees {
    fn from(a: AttendeesBody) -> Self {
        Self {
            women: a.women,
            men: a.men,
            other: a.other,
            undisclosed: a.undisclosed,
        }
    }
}

impl From<Attendees> for AttendeesBody {
    fn from(a: Attendees) -> Self {
        Self {
            women: a.women,
            men: a.men,
            other: a.other,
            undisclosed: a.undisclosed,
        }
    }
}

/// A restitution's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "module_ids": ["019ac000-0000-7000-8000-000000000001"],
    "facilitator_ids": ["0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01"],
    "planned_on": "2026-12-05", "held_on": null,
    "location": {"city": "Liège", "postal_code": "4000"}, "language": "fr",
    "topics": ["The project cycle", "Answering a call for proposals"],
    "attendees": {"women": 0, "men": 0, "other": 0, "undisclosed": 0},
    "youth_attendees": null, "notes": null
}))]
pub struct RestitutionBody {
    /// The association that runs it (fixed once created); a caller bound to an association
    /// names its own.
    pub association_id: Uuid,
    /// The modules covered: 1-10 ids of `/api/v1/modules`, no repeats.
    #[schema(min_items = 1, max_items = 10)]
    pub module_ids: Vec<Uuid>,
    /// Who facilitates: 1-10 people of the association, each of whom completed every module
    /// covered (`facilitator_not_trained` otherwise).
    #[schema(min_items = 1, max_items = 10)]
    pub facilitator_ids: Vec<Uuid>,
    /// When it is planned (1900-2100).
    pub planned_on: NaiveDate,
    /// When it took place: not before the facilitators completed the modules; required, and
    /// not in the future, to report.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    /// Where.
    pub location: LocationBody,
    /// The language it is given in: a code such as `fr`, `nl`, `en`, `wo`.
    #[schema(pattern = "^[A-Za-z]{2,3}$", examples("fr"))]
    pub language: String,
    /// What was covered: at most 20 lines of 1-200 characters.
    #[serde(default)]
    #[schema(value_type = Vec<TopicLine>, max_items = 20)]
    pub topics: Vec<String>,
    /// Who came (zeros while planned); at least one attendee to report.
    #[serde(default)]
    pub attendees: AttendeesBody,
    /// Attendees under 30, when counted: at most the total.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 400_000)]
    pub youth_attendees: Option<i32>,
    /// Free notes, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

impl Fields<RestitutionInput> for RestitutionBody {
    fn into_input(self) -> RestitutionInput {
        RestitutionInput {
            association_id: self.association_id,
            module_ids: self.module_ids,
            facilitator_ids: self.facilitator_ids,
            planned_on: self.planned_on,
            held_on: self.held_on,
            location: self.location.into(),
            language: self.language,
            topics: self.topics,
            attendees: self.attendees.into(),
            youth_attendees: self.youth_attendees,
            notes: self.notes,
        }
    }

    fn from_input(input: RestitutionInput) -> Self {
        Self {
            association_id: input.association_id,
            module_ids: input.module_ids,
            facilitator_ids: input.facilitator_ids,
            planned_on: input.planned_on,
            held_on: input.held_on,
            location: input.location.into(),
            language: input.language,
            topics: input.topics,
            attendees: input.attendees.into(),
            youth_attendees: input.youth_attendees,
            notes: input.notes,
        }
    }
}

/// A change of location in a merge patch: switching kind clears the other kind's fields
/// with `null` (`{"online": true, "city": null, "postal_code": null}`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    /// In Belgium: the city.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub city: Option<Option<String>>,
    /// In Belgium: the postal code.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[1-9][0-9]{3}$")]
    pub postal_code: Option<Option<String>>,
    /// Abroad: the ISO code.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}$")]
    pub country: Option<Option<String>>,
    /// Online.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub online: Option<Option<bool>>,
}

/// A change of attendance counts in a merge patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeesPatch {
    /// Women.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 0, maximum = 100_000)]
    pub women: Option<i32>,
    /// Men.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 0, maximum = 100_000)]
    pub men: Option<i32>,
    /// Another gender.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 0, maximum = 100_000)]
    pub other: Option<i32>,
    /// Did not say.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = i32, minimum = 0, maximum = 100_000)]
    pub undisclosed: Option<i32>,
}

/// A merge patch of a restitution (while planned or returned): absent fields stay, `null`
/// clears a field that can be empty. The result must keep every rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-11-21", "attendees": {"women": 14, "men": 2}, "youth_attendees": 5}))]
pub struct RestitutionPatch {
    /// The modules covered; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Uuid>, min_items = 1, max_items = 10)]
    pub module_ids: Option<Vec<Uuid>>,
    /// The facilitators; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<Uuid>, min_items = 1, max_items = 10)]
    pub facilitator_ids: Option<Vec<Uuid>>,
    /// When it is planned; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = NaiveDate)]
    pub planned_on: Option<NaiveDate>,
    /// When it took place.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub held_on: Option<Option<NaiveDate>>,
    /// Where; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = LocationPatch)]
    pub location: Option<LocationPatch>,
    /// The language; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, pattern = "^[A-Za-z]{2,3}$")]
    pub language: Option<String>,
    /// What was covered; cannot be `null` (send `[]`).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Vec<TopicLine>, max_items = 20)]
    pub topics: Option<Vec<String>>,
    /// Who came; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = AttendeesPatch)]
    pub attendees: Option<AttendeesPatch>,
    /// Attendees under 30.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 400_000)]
    pub youth_attendees: Option<Option<i32>>,
    /// Free notes.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
}

impl Patch for RestitutionPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/association_id",
        "/status",
        "/attendees_total",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A restitution as read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "module_ids": ["019ac000-0000-7000-8000-000000000001"],
    "facilitator_ids": ["0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01"],
    "planned_on": "2026-11-21", "held_on": "2026-11-21",
    "location": {"city": "Liège", "postal_code": "4000"}, "language": "fr",
    "topics": ["The project cycle"],
    "attendees": {"women": 14, "men": 2, "other": 0, "undisclosed": 1}, "attendees_total": 17,
    "youth_attendees": 5, "notes": null, "status": "reported", "version": 3,
    "created_at": "2026-11-10T10:00:00Z", "updated_at": "2026-11-22T18:00:00Z"
}))]
pub struct RestitutionView {
    /// Id.
    pub id: Uuid,
    /// The association that runs it.
    pub association_id: Uuid,
    /// The modules covered.
    pub module_ids: Vec<Uuid>,
    /// Who facilitates (people of the association).
    pub facilitator_ids: Vec<Uuid>,
    /// When it is planned.
    pub planned_on: NaiveDate,
    /// When it took place.
    #[schema(required = true)]
    pub held_on: Option<NaiveDate>,
    /// Where.
    pub location: LocationBody,
    /// The language.
    pub language: String,
    /// What was covered.
    pub topics: Vec<String>,
    /// Who came.
    pub attendees: AttendeesBody,
    /// Everyone who came: the sum of `attendees`.
    pub attendees_total: i32,
    /// Attendees under 30, when counted.
    #[schema(required = true)]
    pub youth_attendees: Option<i32>,
    /// Free notes.
    #[schema(required = true)]
    pub notes: Option<String>,
    /// `planned`, `reported` (pending review), `returned` (changes asked), `validated`
    /// (counts in the indicators) or `cancelled`.
    pub status: RestitutionStatus,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Restitution> for RestitutionView {
    fn from(r: Restitution) -> Self {
        let attendees = r.attendees();
        let location: LocationBody = r.location().to_input().into();
        Self {
            id: r.row.id,
            association_id: r.row.association_id,
            module_ids: r.module_ids,
            facilitator_ids: r.facilitator_ids,
            planned_on: r.row.planned_on,
            held_on: r.row.held_on,
            location,
            language: r.row.language,
            topics: r.topics,
            attendees: attendees.into(),
            attendees_total: attendees.total(),
            youth_attendees: r.row.youth_attendees,
            notes: r.row.notes,
            status: r.row.status,
            version: r.row.version,
            created_at: r.row.created_at,
            updated_at: r.row.updated_at,
        }
    }
}
