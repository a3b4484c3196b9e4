//! People: representatives and contacts of an association, with append-only consent records.
//! Their email and phone are personal data: who may see them is the caller scope's to say, and
//! every read of them is audited.

pub mod entity;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use self::entity::person;
pub use self::entity::{ConsentPurpose, Gender, consent, person::Entity, person::Model as Row};
use crate::audit::{self, AuditContext};
use crate::changes::ResourceType;
use crate::db::Tx;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition, Written, json_list, json_text};
use crate::{DomainError, FieldError, association, text};

/// A person's writable fields, as a client sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInput {
    /// 1-100 characters.
    pub first_name: String,
    /// 1-100 characters.
    pub last_name: String,
    /// Gender.
    pub gender: Gender,
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

impl PersonInput {
    /// A person with a name and a gender and nothing else: the smallest valid input.
    pub fn named(first_name: &str, last_name: &str, gender: Gender) -> Self {
        Self {
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            gender,
            email: None,
            phone: None,
            role_in_association: None,
            is_representative: false,
            languages: vec![],
        }
    }
}

/// An input that keeps every rule, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(PersonInput);

impl Valid {
    fn apply(&self, row: &mut person::ActiveModel) {
        let input = &self.0;
        row.first_name = Set(input.first_name.clone());
        row.last_name = Set(input.last_name.clone());
        row.gender = Set(input.gender);
        row.email = Set(input.email.clone());
        row.phone = Set(input.phone.clone());
        row.role_in_association = Set(input.role_in_association.clone());
        row.is_representative = Set(input.is_representative);
        row.languages = Set(json_text(&input.languages));
    }
}

/// Checks every rule at once.
pub fn check(input: &PersonInput) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name = text::collect(
        &mut errors,
        text::line(&input.first_name, "/first_name", 1, 100),
    );
    let last_name = text::collect(
        &mut errors,
        text::line(&input.last_name, "/last_name", 1, 100),
    );
    let email = text::collect(
        &mut errors,
        text::optional(input.email.as_deref(), "/email", 254, |e| {
            text::email(e, "/email")
        }),
    )
    .flatten();
    let phone = text::collect(
        &mut errors,
        text::optional(input.phone.as_deref(), "/phone", 30, |p| {
            text::phone(p, "/phone")
        }),
    )
    .flatten();
    let role_in_association = text::collect(
        &mut errors,
        text::optional_line(
            input.role_in_association.as_deref(),
            "/role_in_association",
            60,
        ),
    )
    .flatten();
    if input.languages.len() > 10 {
        errors.push(FieldError::new(
            "/languages",
            "must list at most 10 languages",
        ));
    }
    let mut languages: Vec<String> = Vec::new();
    for (i, language) in input.languages.iter().enumerate() {
        let code = text::collect(
            &mut errors,
            text::language_code(language, &format!("/languages/{i}")),
        );
        if let Some(code) = code.filter(|c| !languages.contains(c)) {
            languages.push(code);
        }
    }
    match (first_name, last_name) {
        (Some(first_name), Some(last_name)) if errors.is_empty() => Ok(Valid(PersonInput {
            first_name,
            last_name,
            gender: input.gender,
            email,
            phone,
            role_in_association,
            is_representative: input.is_representative,
            languages,
        })),
        _ => Err(errors),
    }
}

/// A person with their current consent per purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The stored row.
    pub row: Row,
    /// The latest record per purpose, by purpose.
    pub consents: Vec<consent::Model>,
    /// The languages.
    pub languages: Vec<String>,
}

impl Person {
    /// The writable fields as they stand, for merging a patch.
    pub fn to_input(&self) -> PersonInput {
        PersonInput {
            first_name: self.row.first_name.clone(),
            last_name: self.row.last_name.clone(),
            gender: self.row.gender,
            email: self.row.email.clone(),
            phone: self.row.phone.clone(),
            role_in_association: self.row.role_in_association.clone(),
            is_representative: self.row.is_representative,
            languages: self.languages.clone(),
        }
    }
}

/// Loads the latest consent per purpose for many people in one query.
async fn with_consents(
    db: &impl ConnectionTrait,
    rows: Vec<Row>,
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
    rows.into_iter()
        .map(|row| {
            let mut latest: Vec<consent::Model> = Vec::new();
            for record in records.iter().filter(|c| c.person_id == row.id) {
                latest.retain(|c| c.purpose != record.purpose);
                latest.push(record.clone());
            }
            latest.sort_by_key(|c| c.purpose);
            let languages = json_list(&row.languages, "people", "languages", row.id)?;
            Ok(Person {
                row,
                consents: latest,
                languages,
            })
        })
        .collect()
}

async fn one(db: &impl ConnectionTrait, row: Row) -> Result<Person, DomainError> {
    let mut people = with_consents(db, vec![row]).await?;
    people
        .pop()
        .ok_or_else(|| DomainError::Internal("a person vanished while loading".into()))
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
    audit::record_many(
        db,
        context,
        "person.contact_read",
        ResourceType::Person.as_str(),
        &read,
    )
    .await
}

/// Reads one live person the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Person, DomainError> {
    let row = resource::find_live::<person::Entity>(db, id, scope).await?;
    one(db, row).await
}

/// Lists the live people of an association, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    association_id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Person>, DomainError> {
    association::check_parent(db, association_id, scope, "association").await?;
    let select = person::Entity::find()
        .filter(person::Column::AssociationId.eq(association_id))
        .filter(person::Column::DeletedAt.is_null());
    let page = paging::by_unique_key(db, select, person::Column::Id, Order::Asc, page, |p| {
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

/// Adds a person (with `id`, or a new one) to an association the caller may see.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    association_id: Uuid,
    id: Option<Uuid>,
    input: &PersonInput,
    scope: &CallerScope,
) -> Result<Person, DomainError> {
    association::check_parent(tx, association_id, scope, "association").await?;
    let valid = check(input).map_err(DomainError::Invalid)?;
    let mut row = person::ActiveModel {
        association_id: Set(association_id),
        ..Default::default()
    };
    if let Some(id) = id {
        row.id = Set(id);
    }
    valid.apply(&mut row);
    let row = resource::insert::<person::Entity>(tx, context, row).await?;
    one(tx, row).await
}

/// People are edited and deleted through the write layer ([`resource::edit`],
/// [`resource::delete`]).
impl resource::Editable for Entity {
    type View = Person;
    type Input = PersonInput;
    type Valid = Valid;

    async fn view(tx: &Tx, row: Row) -> Result<Person, DomainError> {
        one(tx, row).await
    }

    fn input(current: &Person) -> PersonInput {
        current.to_input()
    }

    async fn check(
        _tx: &Tx,
        current: &Person,
        mut input: PersonInput,
        scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        if let Some(at) = current.row.erased_at {
            return Err(crate::privacy::erasure::already_erased(at));
        }
        if !scope.personal_data {
            // As for an association's contact: a caller who cannot see a person's email and
            // phone cannot clear them either; a replacement from a copy without them keeps them.
            input.email = input.email.or(current.row.email.clone());
            input.phone = input.phone.or(current.row.phone.clone());
        }
        check(&input).map_err(DomainError::Invalid)
    }

    fn apply(_current: &Person, valid: &Valid, row: &mut person::ActiveModel) {
        valid.apply(row);
    }
}

/// PUT with a client-chosen id: creates in `association_id` when absent, replaces otherwise
/// (a person never moves to another association).
pub async fn upsert(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    association_id: Uuid,
    input: &PersonInput,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<Written<Person>, DomainError> {
    let existing = resource::put_target::<Entity>(tx, id).await?;
    match existing {
        Some(row) if row.association_id != association_id && scope.sees(row_owner(&row)) => {
            Err(DomainError::invalid(
                "/association_id",
                "a person cannot move to another association",
            ))
        }
        Some(_) => {
            resource::edit::<Entity, _>(tx, context, id, expected, scope, |_| {
                Ok::<_, DomainError>(input.clone())
            })
            .await
        }
        None => {
            let row = create(tx, context, association_id, Some(id), input, scope).await?;
            // Judged after the creation's own refusals, as on an existing record; a refusal
            // leaves the transaction uncommitted, so nothing is written.
            expected.check_absent()?;
            Ok(Written {
                row,
                created: true,
                changed: true,
            })
        }
    }
}

fn row_owner(row: &Row) -> crate::policy::Owner {
    crate::resource::Record::owner(row)
}

/// A consent to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentInput {
    /// What for.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub granted: bool,
    /// The version of the consent text the person saw (1-40 characters).
    pub text_version: String,
}

/// Appends a consent record (records are never changed or removed). The person's consent
/// state changed, so their version moves on and partners re-read them.
pub async fn record_consent(
    tx: &Tx,
    context: &AuditContext,
    person_id: Uuid,
    input: &ConsentInput,
    scope: &CallerScope,
) -> Result<consent::Model, DomainError> {
    let current = resource::lock_live::<person::Entity>(tx, person_id, scope).await?;
    if let Some(at) = current.row().erased_at {
        return Err(crate::privacy::erasure::already_erased(at));
    }
    let text_version = text::line(&input.text_version, "/text_version", 1, 40)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    let (actor_type, actor_id) = context.actor.parts();
    let record = consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        purpose: Set(input.purpose),
        granted: Set(input.granted),
        text_version: Set(text_version),
        recorded_by_type: Set(actor_type),
        recorded_by_id: Set(actor_id),
        recorded_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    resource::update::<person::Entity>(
        tx,
        context,
        current,
        &Precondition::None,
        "consent_recorded",
        true,
        |_| {},
    )
    .await?;
    Ok(record)
}

/// A person's consent records, oldest first, paged.
pub async fn consents(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<consent::Model>, DomainError> {
    resource::find_live::<person::Entity>(db, person_id, scope).await?;
    let select = consent::Entity::find().filter(consent::Column::PersonId.eq(person_id));
    paging::by_unique_key(db, select, consent::Column::Id, Order::Asc, page, |c| {
        KeyValue::Uuid(c.id)
    })
    .await
}

/// One consent record of a person.
pub async fn consent(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    consent_id: Uuid,
    scope: &CallerScope,
) -> Result<consent::Model, DomainError> {
    resource::find_live::<person::Entity>(db, person_id, scope).await?;
    consent::Entity::find_by_id(consent_id)
        .filter(consent::Column::PersonId.eq(person_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("consent"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PersonInput {
        PersonInput {
            first_name: " Awa ".into(),
            last_name: "Ndiaye".into(),
            gender: Gender::Female,
            email: Some("Awa@Example.BE".into()),
            phone: None,
            role_in_association: None,
            is_representative: false,
            languages: vec!["FR".into(), "wo".into(), "fr".into()],
        }
    }

    #[test]
    fn people_are_normalised() {
        let Valid(checked) = check(&input()).expect("valid");
        assert_eq!(checked.first_name, "Awa");
        assert_eq!(checked.email.as_deref(), Some("awa@example.be"));
        assert_eq!(checked.languages, ["fr", "wo"]);
    }

    #[test]
    fn broken_rules_are_pointed_at() {
        let bad = PersonInput {
            first_name: String::new(),
            last_name: "Nd\u{200B}iaye".into(),
            email: Some("nope".into()),
            phone: Some("abc".into()),
            languages: vec!["french".into()],
            ..input()
        };
        let errors = check(&bad).expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/first_name",
                "/last_name",
                "/email",
                "/phone",
                "/languages/0"
            ]
        );
    }

    #[test]
    fn an_email_with_a_hidden_character_is_refused() {
        assert!(text::email("awa@example.be\u{200B}", "/email").is_err());
        assert!(text::email("awa@exam\u{202E}ple.be", "/email").is_err());
        assert_eq!(
            text::email(" Awa@Example.BE ", "/email").ok().as_deref(),
            Some("awa@example.be")
        );
    }
}
