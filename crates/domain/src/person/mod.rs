//! People: representatives and contacts of an association, with append-only consent records.
//! Their email and phone are personal data: who may see them is decided by the caller, and every
//! read of them is audited.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder};
use validator::ValidateEmail;

use crate::association::{self, Visibility};
use crate::audit::{self, AuditContext};
use crate::changes::{self, Change, Op};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::{DomainError, FieldError};

/// The resource type in the change feed and the audit log.
pub const RESOURCE: &str = "person";
/// Genders.
pub const GENDERS: [&str; 4] = ["female", "male", "other", "undisclosed"];
/// Consent purposes.
pub const PURPOSES: [&str; 3] = ["programme_participation", "publication", "contact_sharing"];

/// A person as stored.
pub mod entity {
    use super::*;

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
        /// `female`, `male`, `other` or `undisclosed`.
        pub gender: String,
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
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A consent record as stored.
pub mod consent {
    use super::*;

    /// A row of `person_consents`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_consents")]
    pub struct Model {
        /// UUID v7: sorts by time.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The person.
        pub person_id: Uuid,
        /// One of [`PURPOSES`].
        pub purpose: String,
        /// Given or withdrawn.
        pub granted: bool,
        /// Which version of the consent text the person saw.
        pub text_version: String,
        /// `user` or `client`.
        pub recorded_by_type: String,
        /// Who recorded it.
        pub recorded_by_id: Option<Uuid>,
        /// When.
        pub recorded_at: DateTime<Utc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A person's writable fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonInput {
    /// 1-100 characters.
    pub first_name: String,
    /// 1-100 characters.
    pub last_name: String,
    /// One of [`GENDERS`].
    pub gender: String,
    /// A valid email.
    pub email: Option<String>,
    /// A phone number.
    pub phone: Option<String>,
    /// At most 60 characters.
    pub role_in_association: Option<String>,
    /// Represents the association.
    pub is_representative: bool,
    /// Language codes (2-3 lowercase letters), at most 10.
    pub languages: Vec<String>,
}

fn check(input: &PersonInput) -> Result<PersonInput, DomainError> {
    let mut errors = Vec::new();
    let mut out = input.clone();
    for (pointer, value) in [
        ("/first_name", &mut out.first_name),
        ("/last_name", &mut out.last_name),
    ] {
        *value = value.trim().to_owned();
        if value.is_empty() || value.chars().count() > 100 {
            errors.push(FieldError::new(pointer, "must be 1 to 100 characters"));
        }
    }
    if !GENDERS.contains(&out.gender.as_str()) {
        errors.push(FieldError::new(
            "/gender",
            format!("must be one of {}", GENDERS.join(", ")),
        ));
    }
    out.email = out
        .email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    if out
        .email
        .as_ref()
        .is_some_and(|e| e.len() > 254 || !e.validate_email())
    {
        errors.push(FieldError::new("/email", "must be a valid email address"));
    }
    out.phone = out
        .phone
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if out
        .phone
        .as_deref()
        .is_some_and(|p| !association::valid_phone(p))
    {
        errors.push(FieldError::new(
            "/phone",
            "must be a phone number: digits, spaces and + ( ) - . /",
        ));
    }
    out.role_in_association = out
        .role_in_association
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if out
        .role_in_association
        .as_ref()
        .is_some_and(|r| r.chars().count() > 60)
    {
        errors.push(FieldError::new(
            "/role_in_association",
            "must be at most 60 characters",
        ));
    }
    if out.languages.len() > 10 {
        errors.push(FieldError::new(
            "/languages",
            "must list at most 10 languages",
        ));
    }
    let mut languages: Vec<String> = Vec::new();
    for (i, language) in out.languages.iter().enumerate() {
        let code = language.trim().to_ascii_lowercase();
        if !(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
            errors.push(FieldError::new(
                format!("/languages/{i}"),
                "must be a language code such as fr, nl or en",
            ));
        } else if !languages.contains(&code) {
            languages.push(code);
        }
    }
    out.languages = languages;
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// A person with their current consent per purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The stored row.
    pub row: entity::Model,
    /// The latest record per purpose.
    pub consents: Vec<consent::Model>,
}

impl Person {
    /// The languages.
    pub fn languages(&self) -> Vec<String> {
        serde_json::from_str(&self.row.languages).unwrap_or_default()
    }

    /// The writable fields as they stand, for merging a patch.
    pub fn to_input(&self) -> PersonInput {
        PersonInput {
            first_name: self.row.first_name.clone(),
            last_name: self.row.last_name.clone(),
            gender: self.row.gender.clone(),
            email: self.row.email.clone(),
            phone: self.row.phone.clone(),
            role_in_association: self.row.role_in_association.clone(),
            is_representative: self.row.is_representative,
            languages: self.languages(),
        }
    }
}

/// Loads the latest consent per purpose for many people in one query.
async fn with_consents(
    db: &impl ConnectionTrait,
    rows: Vec<entity::Model>,
) -> Result<Vec<Person>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let records = if ids.is_empty() {
        vec![]
    } else {
        consent::Entity::find()
            .filter(consent::Column::PersonId.is_in(ids))
            .order_by_asc(consent::Column::Id)
            .all(db)
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut latest: Vec<consent::Model> = Vec::new();
            for record in records.iter().filter(|c| c.person_id == row.id) {
                latest.retain(|c| c.purpose != record.purpose);
                latest.push(record.clone());
            }
            latest.sort_by(|a, b| a.purpose.cmp(&b.purpose));
            Person {
                row,
                consents: latest,
            }
        })
        .collect())
}

async fn find_live(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Person, DomainError> {
    let row = entity::Entity::find_by_id(id)
        .filter(entity::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("person"))?;
    // Gone with its association, and hidden with it.
    association::check_parent(db, row.association_id, visibility, "person").await?;
    Ok(with_consents(db, vec![row]).await?.remove(0))
}

/// Records that `context` read the contact data of these people.
pub async fn audit_contact_read(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    people: &[Person],
) -> Result<(), DomainError> {
    // One statement for the whole page, not one per person.
    let read: Vec<String> = people
        .iter()
        .filter(|p| p.row.email.is_some() || p.row.phone.is_some())
        .map(|p| p.row.id.to_string())
        .collect();
    audit::record_many(db, context, "person.contact_read", RESOURCE, &read).await?;
    Ok(())
}

/// Reads one live person the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    visibility: Visibility,
) -> Result<Person, DomainError> {
    find_live(db, id, visibility).await
}

/// Lists the live people of an association, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    page: &PageRequest,
    visibility: Visibility,
) -> Result<Page<Person>, DomainError> {
    association::check_parent(db, association_id, visibility, "association").await?;
    let select = entity::Entity::find()
        .filter(entity::Column::AssociationId.eq(association_id))
        .filter(entity::Column::DeletedAt.is_null());
    let page = paging::by_unique_key(db, select, entity::Column::Id, Order::Asc, page, |p| {
        KeyValue::Uuid(p.id)
    })
    .await?;
    let items = with_consents(db, page.items).await?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

fn apply(row: &mut entity::ActiveModel, input: &PersonInput) {
    row.first_name = Set(input.first_name.clone());
    row.last_name = Set(input.last_name.clone());
    row.gender = Set(input.gender.clone());
    row.email = Set(input.email.clone());
    row.phone = Set(input.phone.clone());
    row.role_in_association = Set(input.role_in_association.clone());
    row.is_representative = Set(input.is_representative);
    row.languages = Set(serde_json::to_string(&input.languages).unwrap_or_else(|_| "[]".into()));
}

/// Adds a person to an association. Run in a write transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    association_id: Uuid,
    id: Option<Uuid>,
    input: &PersonInput,
    visibility: Visibility,
) -> Result<Person, DomainError> {
    association::check_parent(db, association_id, visibility, "association").await?;
    let input = check(input)?;
    let id = id.unwrap_or_else(Uuid::now_v7);
    if entity::Entity::find_by_id(id).one(db).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "person {id} existed and was deleted; its id cannot be reused"
        )));
    }
    let now = Utc::now();
    let mut row = entity::ActiveModel {
        id: Set(id),
        association_id: Set(association_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    };
    apply(&mut row, &input);
    row.insert(db).await?;
    changes::record_write(
        db,
        context,
        "person.created",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version: 1,
            association_id: Some(association_id),
        },
    )
    .await?;
    find_live(db, id, Visibility::All).await
}

/// Replaces a person's writable fields, refusing a stale `expected_version`.
pub async fn replace(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    input: &PersonInput,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<Person, DomainError> {
    let current = find_live(db, id, visibility).await?;
    crate::version::check(current.row.version, expected_version)?;
    let input = check(input)?;
    let version = current.row.version + 1;
    let association_id = current.row.association_id;
    let mut row: entity::ActiveModel = current.row.into();
    apply(&mut row, &input);
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "person.updated",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Upsert,
            version,
            association_id: Some(association_id),
        },
    )
    .await?;
    find_live(db, id, Visibility::All).await
}

/// PUT with a client-chosen id: creates in `association_id` when absent, replaces otherwise
/// (a person never moves to another association).
pub async fn upsert(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    association_id: Uuid,
    input: &PersonInput,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<(Person, bool), DomainError> {
    let existing = entity::Entity::find_by_id(id)
        .filter(entity::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    match existing {
        Some(row) if row.association_id != association_id => Err(DomainError::invalid(
            "/association_id",
            "a person cannot move to another association",
        )),
        Some(_) => Ok((
            replace(db, context, id, input, expected_version, visibility).await?,
            false,
        )),
        None => Ok((
            create(db, context, association_id, Some(id), input, visibility).await?,
            true,
        )),
    }
}

/// Soft-deletes a person; the change feed carries a tombstone.
pub async fn delete(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    id: Uuid,
    expected_version: Option<i32>,
    visibility: Visibility,
) -> Result<(), DomainError> {
    let current = find_live(db, id, visibility).await?;
    crate::version::check(current.row.version, expected_version)?;
    let version = current.row.version + 1;
    let association_id = current.row.association_id;
    let mut row: entity::ActiveModel = current.row.into();
    row.deleted_at = Set(Some(Utc::now()));
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "person.deleted",
        Change {
            resource_type: RESOURCE,
            resource_id: id,
            op: Op::Delete,
            version,
            association_id: Some(association_id),
        },
    )
    .await
}

/// A consent to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentInput {
    /// One of [`PURPOSES`].
    pub purpose: String,
    /// Given or withdrawn.
    pub granted: bool,
    /// The version of the consent text the person saw (1-40 characters).
    pub text_version: String,
}

/// Appends a consent record (records are never changed or removed).
pub async fn record_consent(
    db: &impl ConnectionTrait,
    context: &AuditContext,
    person_id: Uuid,
    input: &ConsentInput,
    visibility: Visibility,
) -> Result<consent::Model, DomainError> {
    let person = find_live(db, person_id, visibility).await?;
    let mut errors = Vec::new();
    if !PURPOSES.contains(&input.purpose.as_str()) {
        errors.push(FieldError::new(
            "/purpose",
            format!("must be one of {}", PURPOSES.join(", ")),
        ));
    }
    let text_version = input.text_version.trim();
    if text_version.is_empty() || text_version.chars().count() > 40 {
        errors.push(FieldError::new(
            "/text_version",
            "must be 1 to 40 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let (actor_type, actor_id) = context.actor.parts();
    let record = consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        purpose: Set(input.purpose.clone()),
        granted: Set(input.granted),
        text_version: Set(text_version.to_owned()),
        recorded_by_type: Set(actor_type.to_owned()),
        recorded_by_id: Set(actor_id),
        recorded_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    // The person's consent state changed: partners re-read them.
    let version = person.row.version + 1;
    let mut row: entity::ActiveModel = person.row.clone().into();
    row.version = Set(version);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    changes::record_write(
        db,
        context,
        "person.consent_recorded",
        Change {
            resource_type: RESOURCE,
            resource_id: person_id,
            op: Op::Upsert,
            version,
            association_id: Some(person.row.association_id),
        },
    )
    .await?;
    Ok(record)
}

/// Every consent record of a person, oldest first.
pub async fn consents(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    visibility: Visibility,
) -> Result<Vec<consent::Model>, DomainError> {
    find_live(db, person_id, visibility).await?;
    Ok(consent::Entity::find()
        .filter(consent::Column::PersonId.eq(person_id))
        .order_by_asc(consent::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PersonInput {
        PersonInput {
            first_name: " Awa ".into(),
            last_name: "Ndiaye".into(),
            gender: "female".into(),
            email: Some("Awa@Example.BE".into()),
            languages: vec!["FR".into(), "wo".into(), "fr".into()],
            ..Default::default()
        }
    }

    #[test]
    fn people_are_normalised() {
        let checked = check(&input()).expect("valid");
        assert_eq!(checked.first_name, "Awa");
        assert_eq!(checked.email.as_deref(), Some("awa@example.be"));
        assert_eq!(checked.languages, ["fr", "wo"]);
    }

    #[test]
    fn broken_rules_are_pointed_at() {
        let bad = PersonInput {
            first_name: String::new(),
            gender: "unknown".into(),
            email: Some("nope".into()),
            phone: Some("abc".into()),
            languages: vec!["french".into()],
            ..input()
        };
        let Err(DomainError::Invalid(errors)) = check(&bad) else {
            panic!("invalid")
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/first_name", "/gender", "/email", "/phone", "/languages/0"]
        );
    }
}
