//! A person's shapes on the wire. Names, email and phone are personal data: every response that
//! carries a person is `Cache-Control: no-store`, and email and phone are absent for callers
//! without rights to contact data.

use chrono::{DateTime, Utc};
use empower_domain::audit::ActorType;
use empower_domain::person::{self, ConsentPurpose, Gender, Person};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::extract::{Patch, non_null, nullable};

/// A person's writable fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_name": "Awa", "last_name": "Diallo (demo)", "gender": "female",
    "email": "awa@demo.example", "phone": "+32 470 12 34 56", "role_in_association": "president",
    "is_representative": true, "languages": ["fr", "wo"]
}))]
pub struct PersonBody {
    /// The association. With `POST` under an association: absent, or that association. With
    /// `PUT`: required; the person is created in it, and never moves to another.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub association_id: Option<Uuid>,
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
    /// Email (personal data).
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Phone (personal data).
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    /// President, secretary, member...
    #[schema(max_length = 60)]
    pub role_in_association: Option<String>,
    /// Represents the association in the programme.
    #[serde(default)]
    pub is_representative: bool,
    /// Language codes such as `fr`, `nl`, `en`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub languages: Vec<LanguageCode>,
}

/// A language code (ISO 639, 2-3 lowercase letters).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(pattern = "^[A-Za-z]{2,3}$", example = "fr")]
pub struct LanguageCode(pub String);

impl crate::routes::v1::edit::Fields<person::PersonInput> for PersonBody {
    fn from_input(input: person::PersonInput) -> Self {
        Self::from_input(input)
    }

    fn into_input(self) -> person::PersonInput {
        self.input()
    }
}

impl PersonBody {
    /// The domain input.
    pub fn input(&self) -> person::PersonInput {
        person::PersonInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            gender: self.gender,
            email: self.email.clone(),
            phone: self.phone.clone(),
            role_in_association: self.role_in_association.clone(),
            is_representative: self.is_representative,
            languages: self.languages.iter().map(|l| l.0.clone()).collect(),
        }
    }

    /// The body that would write `input` (for merging a patch).
    pub fn from_input(input: person::PersonInput) -> Self {
        Self {
            association_id: None,
            first_name: input.first_name,
            last_name: input.last_name,
            gender: input.gender,
            email: input.email,
            phone: input.phone,
            role_in_association: input.role_in_association,
            is_representative: input.is_representative,
            languages: input.languages.into_iter().map(LanguageCode).collect(),
        }
    }
}

/// A person to create or replace with `PUT`: the writable fields, `association_id` required.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct PersonUpsert(pub PersonBody);

impl PartialSchema for PersonUpsert {
    fn schema() -> RefOr<Schema> {
        let mut schema = PersonBody::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.insert(0, "association_id".into());
            object.description = Some("A person to create or replace: the writable fields, with the association (required; a person never moves to another).".into());
            object.example = Some(serde_json::json!({
                "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
                "first_name": "Awa", "last_name": "Diallo (demo)", "gender": "female",
                "email": "awa@demo.example", "role_in_association": "president",
                "is_representative": true, "languages": ["fr", "wo"]
            }));
        }
        schema
    }
}

impl ToSchema for PersonUpsert {}

/// A merge patch of a person (`application/merge-patch+json`): absent fields stay, `null`
/// clears a field that can be empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": null, "is_representative": true}))]
pub struct PersonPatch {
    /// 1-100 characters; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    /// 1-100 characters; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    /// Gender; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = Gender)]
    pub gender: Option<Gender>,
    /// Email.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    /// Phone.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub phone: Option<Option<String>>,
    /// Role in the association.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 60)]
    pub role_in_association: Option<Option<String>>,
    /// Represents the association; cannot be cleared.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub is_representative: Option<bool>,
    /// Language codes; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<LanguageCode>>, max_items = 10)]
    pub languages: Option<Option<Vec<LanguageCode>>>,
}

impl Patch for PersonPatch {
    const READ_ONLY: &'static [&'static str] = &[
        "/id",
        "/association_id",
        "/consents",
        "/version",
        "/created_at",
        "/updated_at",
    ];
}

/// A person's current consent for one purpose (the latest record wins).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentState {
    /// Given or withdrawn.
    pub granted: bool,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The consent text's version.
    pub text_version: String,
}

/// Current consent per purpose; a purpose never asked is absent.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ConsentStates {
    /// Taking part in the programme.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub programme_participation: Option<ConsentState>,
    /// Being named or pictured in a published deliverable.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub publication: Option<ConsentState>,
    /// Contact details shared with partners.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_sharing: Option<ConsentState>,
}

/// A person as read. `email` and `phone` are absent for viewers and API clients.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "association_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00",
    "first_name": "Awa", "last_name": "Diallo (demo)", "gender": "female",
    "email": "awa@demo.example", "role_in_association": "president", "is_representative": true,
    "languages": ["fr", "wo"],
    "consents": {"publication": {"granted": true, "recorded_at": "2026-11-27T10:00:00Z", "text_version": "2026-10"}},
    "version": 2, "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z"
}))]
pub struct PersonView {
    /// Id.
    pub id: Uuid,
    /// The association.
    pub association_id: Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
    /// Email (personal data; only for admins, staff and the association's own users).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// Phone (personal data; only for admins, staff and the association's own users).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone: Option<String>,
    /// Role in the association.
    #[schema(required = true)]
    pub role_in_association: Option<String>,
    /// Represents the association.
    pub is_representative: bool,
    /// Language codes.
    pub languages: Vec<String>,
    /// Current consent per purpose.
    pub consents: ConsentStates,
    /// +1 on every change; the `ETag`.
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When her identity was erased (`POST /api/v1/people/{id}/erasure`): her names read
    /// `Erased person` since, and she cannot be changed. Absent until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub erased_at: Option<DateTime<Utc>>,
}

impl PersonView {
    /// The view of `p`, with contact data when `contact` is true.
    pub fn of(p: Person, contact: bool) -> Self {
        let mut consents = ConsentStates::default();
        for record in &p.consents {
            let state = Some(ConsentState {
                granted: record.granted,
                recorded_at: record.recorded_at,
                text_version: record.text_version.clone(),
            });
            match record.purpose {
                ConsentPurpose::ProgrammeParticipation => consents.programme_participation = state,
                ConsentPurpose::Publication => consents.publication = state,
                ConsentPurpose::ContactSharing => consents.contact_sharing = state,
            }
        }
        let r = p.row;
        Self {
            id: r.id,
            association_id: r.association_id,
            first_name: r.first_name,
            last_name: r.last_name,
            gender: r.gender,
            email: r.email.filter(|_| contact),
            phone: r.phone.filter(|_| contact),
            role_in_association: r.role_in_association,
            is_representative: r.is_representative,
            languages: p.languages,
            consents,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            erased_at: r.erased_at,
        }
    }
}

/// A consent record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e", "purpose": "publication",
    "granted": true, "text_version": "2026-10", "recorded_by_type": "user",
    "recorded_by": "0190f5a4-7c1e-7d2a-9b1e-000000000001", "recorded_at": "2026-11-27T10:00:00Z"}))]
pub struct ConsentRecord {
    /// Id.
    pub id: Uuid,
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub granted: bool,
    /// The consent text's version.
    pub text_version: String,
    /// Recorded by a user or a client.
    pub recorded_by_type: ActorType,
    /// Who recorded it.
    #[schema(required = true)]
    pub recorded_by: Option<Uuid>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl From<person::consent::Model> for ConsentRecord {
    fn from(c: person::consent::Model) -> Self {
        Self {
            id: c.id,
            purpose: c.purpose,
            granted: c.granted,
            text_version: c.text_version,
            recorded_by_type: c.recorded_by_type,
            recorded_by: c.recorded_by_id,
            recorded_at: c.recorded_at,
        }
    }
}

/// A consent to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "publication", "granted": true, "text_version": "2026-10"}))]
pub struct ConsentBody {
    /// Purpose.
    pub purpose: ConsentPurpose,
    /// Given (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// The version of the consent text the person saw.
    #[schema(min_length = 1, max_length = 40)]
    pub text_version: String,
}
