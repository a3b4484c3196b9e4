//! Stakeholder organisations: public bodies, NGOs, experienced diaspora associations,
//! peacebuilding organisations, donors. They come to training days as guests, and the new
//! contacts among them are counted as the programme's "new contacts and synergies".

pub mod entity;

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use self::entity::{Entity, Model, PartnerKind};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::paging::{self, KeyValue, Page, PageRequest, SortKey};
use crate::policy::CallerScope;
use crate::reference::country;
use crate::resource;
use crate::{DomainError, FieldError, text, time};

/// A partner's writable fields, as a client sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerInput {
    /// 1-200 characters; unique among partners, ignoring case, accents and width.
    pub name: String,
    /// What kind of organisation.
    pub kind: PartnerKind,
    /// An ISO code of `/api/v1/countries`.
    pub country: Option<String>,
    /// An http or https address.
    pub website: Option<String>,
    /// An email address.
    pub contact_email: Option<String>,
    /// At most 2000 characters.
    pub notes: Option<String>,
    /// Not in the future.
    pub first_contact_on: Option<NaiveDate>,
}

impl PartnerInput {
    /// The writable fields of a stored partner.
    pub fn of(row: &Model) -> Self {
        Self {
            name: row.name.clone(),
            kind: row.kind,
            country: row.country.clone(),
            website: row.website.clone(),
            contact_email: row.contact_email.clone(),
            notes: row.notes.clone(),
            first_contact_on: row.first_contact_on,
        }
    }
}

/// An input that keeps every field rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    name: String,
    kind: PartnerKind,
    country: Option<String>,
    website: Option<String>,
    contact_email: Option<String>,
    notes: Option<String>,
    first_contact_on: Option<NaiveDate>,
}

impl Valid {
    fn apply(&self, row: &mut entity::ActiveModel) {
        row.name = Set(self.name.clone());
        row.name_key = Set(text::fold(&self.name));
        row.kind = Set(self.kind);
        row.country = Set(self.country.clone());
        row.website = Set(self.website.clone());
        row.contact_email = Set(self.contact_email.clone());
        row.notes = Set(self.notes.clone());
        row.first_contact_on = Set(self.first_contact_on);
    }
}

/// Checks every field rule at once; `is_country` says whether an ISO code exists.
pub fn check(
    input: &PartnerInput,
    today: NaiveDate,
    is_country: &dyn Fn(&str) -> bool,
) -> Result<Valid, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = text::collect(&mut errors, text::line(&input.name, "/name", 1, 200));
    let country = text::collect(
        &mut errors,
        text::optional(input.country.as_deref(), "/country", 2, |c| {
            let code = c.to_ascii_uppercase();
            if code.len() == 2 && is_country(&code) {
                Ok(code)
            } else {
                Err(FieldError::new(
                    "/country",
                    "must be an ISO 3166-1 alpha-2 code of /api/v1/countries",
                ))
            }
        }),
    )
    .flatten();
    let website = text::collect(
        &mut errors,
        text::optional(input.website.as_deref(), "/website", 300, |w| {
            if text::is_website(w) {
                Ok(w.to_owned())
            } else {
                Err(FieldError::new(
                    "/website",
                    "must be an http or https address",
                ))
            }
        }),
    )
    .flatten();
    let contact_email = text::collect(
        &mut errors,
        text::optional(input.contact_email.as_deref(), "/contact_email", 254, |e| {
            text::email(e, "/contact_email")
        }),
    )
    .flatten();
    let notes = text::collect(
        &mut errors,
        text::optional_paragraph(input.notes.as_deref(), "/notes", 2000),
    )
    .flatten();
    if let Some(day) = input.first_contact_on {
        text::collect(
            &mut errors,
            time::check_past_date(day, today, "/first_contact_on"),
        );
    }
    match name {
        Some(name) if errors.is_empty() => Ok(Valid {
            name,
            kind: input.kind,
            country,
            website,
            contact_email,
            notes,
            first_contact_on: input.first_contact_on,
        }),
        _ => Err(errors),
    }
}

async fn check_all(
    db: &impl ConnectionTrait,
    input: &PartnerInput,
    except: Option<Uuid>,
) -> Result<Valid, DomainError> {
    let code = input.country.as_deref().map(str::to_ascii_uppercase);
    let known = match &code {
        Some(code) => country::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    let valid = check(input, time::brussels_today(), &|c| {
        known && Some(c) == code.as_deref()
    })
    .map_err(DomainError::Invalid)?;
    let mut same = Entity::find()
        .filter(entity::Column::NameKey.eq(text::fold(&valid.name)))
        .filter(entity::Column::DeletedAt.is_null());
    if let Some(id) = except {
        same = same.filter(entity::Column::Id.ne(id));
    }
    if let Some(other) = same.one(db).await? {
        return Err(DomainError::Conflict(format!(
            "partner {} is already named {:?} (names are compared ignoring case and accents)",
            other.id, other.name
        )));
    }
    Ok(valid)
}

/// The sort of the partner list: by name, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByName;

impl SortKey<Entity> for ByName {
    fn column(self) -> entity::Column {
        entity::Column::NameKey
    }

    fn value(self, row: &Model) -> KeyValue {
        KeyValue::Text(row.name_key.clone())
    }

    fn parse(self, value: &KeyValue) -> Option<sea_orm::Value> {
        match value {
            KeyValue::Text(text) => Some(text.clone().into()),
            _ => None,
        }
    }
}

/// Reads one live partner.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Model, DomainError> {
    resource::find_live::<Entity>(db, id, scope).await
}

/// Lists live partners by name, optionally of one kind.
pub async fn list(
    db: &impl ConnectionTrait,
    kind: Option<PartnerKind>,
    page: &PageRequest,
) -> Result<Page<Model>, DomainError> {
    let mut select = Entity::find().filter(entity::Column::DeletedAt.is_null());
    if let Some(kind) = kind {
        select = select.filter(entity::Column::Kind.eq(kind));
    }
    paging::by_keys(
        db,
        select,
        &[(ByName, false)],
        (entity::Column::Id, |row: &Model| row.id),
        page,
    )
    .await
}

/// The live partners among `ids` (for guest lists).
pub async fn live_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(Entity::find()
        .filter(entity::Column::Id.is_in(ids.to_vec()))
        .filter(entity::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Records a partner; a name already in use is a conflict.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &PartnerInput,
) -> Result<Model, DomainError> {
    let valid = check_all(tx, input, None).await?;
    let mut row = entity::ActiveModel::default();
    valid.apply(&mut row);
    resource::insert::<Entity>(tx, context, row).await
}

/// Partners are edited and deleted through the write layer.
impl resource::Editable for Entity {
    type View = Model;
    type Input = PartnerInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: Model) -> Result<Model, DomainError> {
        Ok(row)
    }

    fn input(current: &Model) -> PartnerInput {
        PartnerInput::of(current)
    }

    async fn check(
        tx: &Tx,
        current: &Model,
        input: PartnerInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        check_all(tx, &input, Some(current.id)).await
    }

    fn apply(_current: &Model, valid: &Valid, row: &mut entity::ActiveModel) {
        valid.apply(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PartnerInput {
        PartnerInput {
            name: "Peace Builders Brussels".into(),
            kind: PartnerKind::PeacebuildingOrg,
            country: Some("be".into()),
            website: Some("https://peace.example".into()),
            contact_email: Some("Info@Peace.example".into()),
            notes: None,
            first_contact_on: NaiveDate::from_ymd_opt(2026, 3, 1),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn a_partner_is_normalised() {
        let valid = check(&input(), today(), &|c| c == "BE").expect("valid");
        assert_eq!(valid.country.as_deref(), Some("BE"));
        assert_eq!(valid.contact_email.as_deref(), Some("info@peace.example"));
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let bad = PartnerInput {
            name: "".into(),
            country: Some("XX".into()),
            website: Some("ftp://x".into()),
            contact_email: Some("nobody".into()),
            notes: Some("\u{0}".into()),
            first_contact_on: NaiveDate::from_ymd_opt(2027, 1, 1),
            ..input()
        };
        let errors = check(&bad, today(), &|c| c == "BE").expect_err("invalid");
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/name",
                "/country",
                "/website",
                "/contact_email",
                "/notes",
                "/first_contact_on"
            ]
        );
    }
}
