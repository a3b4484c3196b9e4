//! Restitutions: the cascade sessions in which trained representatives pass what they learned
//! to their association's members. An association plans one, holds it, reports it with
//! evidence; programme staff validate it or return it for changes. Only validated restitutions
//! count in the indicators.
//!
//! The rules that need only the restitution's own fields are in [`rules`]; the ones that need
//! the data (modules, people, and the training's completion) are here.

pub mod entity;
pub mod evidence;
pub mod rules;
pub mod transitions;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub use self::entity::{EvidenceKind, LocationKind, RestitutionStatus, restitution};
pub use self::rules::{Attendees, Checked, Location, LocationInput, RestitutionInput};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::{Refusal, RefusalKind};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::reference::country;
use crate::resource::{self, Precondition, json_list, json_text};
use crate::training::completion::{self, Which};
use crate::training::entity::{enrollment, module};
use crate::{DomainError, FieldError, association};

/// The restitution table, edited through the write layer.
pub use self::entity::restitution::Entity;

/// A restitution with its JSON lists read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restitution {
    /// The stored row.
    pub row: restitution::Model,
    /// The modules covered.
    pub module_ids: Vec<Uuid>,
    /// The facilitators.
    pub facilitator_ids: Vec<Uuid>,
    /// What was covered.
    pub topics: Vec<String>,
}

impl Restitution {
    /// Reads a stored row.
    pub fn new(row: restitution::Model) -> Result<Self, DomainError> {
        let ids = |stored: &str, column: &str| json_list(stored, "restitutions", column, row.id);
        Ok(Self {
            module_ids: ids(&row.module_ids, "module_ids")?,
            facilitator_ids: ids(&row.facilitator_ids, "facilitator_ids")?,
            topics: json_list(&row.topics, "restitutions", "topics", row.id)?,
            row,
        })
    }

    /// Who came.
    pub fn attendees(&self) -> Attendees {
        Attendees {
            women: self.row.attendees_women,
            men: self.row.attendees_men,
            other: self.row.attendees_other,
            undisclosed: self.row.attendees_undisclosed,
        }
    }

    /// Where it takes place.
    pub fn location(&self) -> Location {
        let row = &self.row;
        match row.location_kind {
            LocationKind::Belgium => Location::Belgium {
                city: row.city.clone().unwrap_or_default(),
                postal_code: row.postal_code.clone().unwrap_or_default(),
            },
            LocationKind::Abroad => Location::Abroad {
                country: row.country.clone().unwrap_or_default(),
            },
            LocationKind::Online => Location::Online,
        }
    }

    /// Its writable fields as they stand.
    pub fn to_input(&self) -> RestitutionInput {
        RestitutionInput {
            association_id: self.row.association_id,
            module_ids: self.module_ids.clone(),
            facilitator_ids: self.facilitator_ids.clone(),
            planned_on: self.row.planned_on,
            held_on: self.row.held_on,
            location: self.location().to_input(),
            language: self.row.language.clone(),
            topics: self.topics.clone(),
            attendees: self.attendees(),
            youth_attendees: self.row.youth_attendees,
            notes: self.row.notes.clone(),
        }
    }
}

/// Fields that keep every rule, the data's included, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(Checked);

impl Valid {
    fn apply(&self, row: &mut restitution::ActiveModel) {
        let v = &self.0;
        row.module_ids = Set(json_text(&v.module_ids));
        row.facilitator_ids = Set(json_text(&v.facilitator_ids));
        row.planned_on = Set(v.planned_on);
        row.held_on = Set(v.held_on);
        row.location_kind = Set(v.location.kind());
        let (city, postal_code, country) = match &v.location {
            Location::Belgium { city, postal_code } => {
                (Some(city.clone()), Some(postal_code.clone()), None)
            }
            Location::Abroad { country } => (None, None, Some(country.clone())),
            Location::Online => (None, None, None),
        };
        row.city = Set(city);
        row.postal_code = Set(postal_code);
        row.country = Set(country);
        row.language = Set(v.language.clone());
        row.topics = Set(json_text(&v.topics));
        row.attendees_women = Set(v.attendees.women);
        row.attendees_men = Set(v.attendees.men);
        row.attendees_other = Set(v.attendees.other);
        row.attendees_undisclosed = Set(v.attendees.undisclosed);
        row.youth_attendees = Set(v.youth_attendees);
        row.notes = Set(v.notes.clone());
    }
}

/// Refuses a change to a restitution that is no longer editable (409).
pub(crate) fn check_editable(status: RestitutionStatus, what: &str) -> Result<(), DomainError> {
    if status.editable() {
        return Ok(());
    }
    Err(DomainError::Refused(Refusal::conflict(
        "restitution_not_editable",
        "Restitution not editable",
        format!(
            "the restitution is {}: {what} only while it is planned or returned for changes",
            status.as_str()
        ),
    )))
}

/// The live modules among some ids, with their codes (`M1`) to name them in refusals.
pub(crate) type ModuleCodes = HashMap<Uuid, String>;

pub(crate) async fn module_codes(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<ModuleCodes, DomainError> {
    Ok(module::Entity::find()
        .filter(module::Column::Id.is_in(ids.to_vec()))
        .filter(module::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect())
}

/// The references of checked fields: live modules, a known country, and facilitators who are
/// people of the association.
async fn check_references(
    db: &impl ConnectionTrait,
    checked: &Checked,
    modules: &ModuleCodes,
    kept: &[Uuid],
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    for (i, id) in checked.module_ids.iter().enumerate() {
        if !modules.contains_key(id) {
            errors.push(FieldError::new(
                format!("/module_ids/{i}"),
                "is not a module of /api/v1/modules",
            ));
        }
    }
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(checked.facilitator_ids.clone()))
        .filter(person::Column::AssociationId.eq(checked.association_id))
        .filter(person::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    for (i, id) in checked.facilitator_ids.iter().enumerate() {
        match people.iter().find(|p| p.id == *id) {
            None => errors.push(FieldError::new(
                format!("/facilitator_ids/{i}"),
                "is not a person of the restitution's association",
            )),
            // An erased facilitator stays where she was (anonymously), and is added nowhere.
            Some(p) if p.erased_at.is_some() && !kept.contains(id) => {
                errors.push(FieldError::new(
                    format!("/facilitator_ids/{i}"),
                    "was erased: she can facilitate no further restitution",
                ));
            }
            Some(_) => {}
        }
    }
    if let Location::Abroad { country } = &checked.location
        && country::Entity::find_by_id(country.clone())
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "/location/country",
            "is not a country of /api/v1/countries",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Every facilitator completed every module (the training's completion), and the restitution
/// was not held before she did: `facilitator_not_trained` naming each person and module
/// missing, then `held_before_training`.
pub async fn check_training(
    db: &impl ConnectionTrait,
    facilitator_ids: &[Uuid],
    module_ids: &[Uuid],
    held_on: Option<NaiveDate>,
    codes: &ModuleCodes,
) -> Result<(), DomainError> {
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.is_in(facilitator_ids.to_vec()))
        .filter(enrollment::Column::ModuleId.is_in(module_ids.to_vec()))
        .filter(enrollment::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let ids: Vec<Uuid> = enrollments.iter().map(|e| e.id).collect();
    let completions = completion::of(db, Which::Enrollments(&ids)).await?;
    let mut completed: HashMap<(Uuid, Uuid), NaiveDate> = HashMap::new();
    for e in &enrollments {
        if let Some(on) = completions.get(&e.id).and_then(|c| c.completed_on) {
            let slot = completed.entry((e.person_id, e.module_id)).or_insert(on);
            *slot = std::cmp::Ord::min(*slot, on);
        }
    }
    let code = |id: &Uuid| codes.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut untrained = Vec::new();
    let mut latest: Option<(NaiveDate, Uuid, Uuid)> = None;
    for (i, person) in facilitator_ids.iter().enumerate() {
        for module in module_ids {
            match completed.get(&(*person, *module)) {
                None => untrained.push(FieldError::new(
                    format!("/facilitator_ids/{i}"),
                    format!("person {person} has not completed module {}", code(module)),
                )),
                Some(on) if latest.is_none_or(|(l, _, _)| *on > l) => {
                    latest = Some((*on, *person, *module));
                }
                Some(_) => {}
            }
        }
    }
    if !untrained.is_empty() {
        return Err(DomainError::Refused(Refusal {
            code: "facilitator_not_trained",
            title: "Facilitator not trained",
            kind: RefusalKind::Unprocessable,
            detail: untrained
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join("; "),
            allowed: None,
            errors: untrained,
        }));
    }
    if let (Some(held_on), Some((on, person, module))) = (held_on, latest)
        && held_on < on
    {
        return Err(DomainError::Refused(Refusal::unprocessable(
            "held_before_training",
            "Held before the training",
            "/held_on",
            format!(
                "held_on {held_on} is before person {person} completed module {} (on {on})",
                code(&module)
            ),
        )));
    }
    Ok(())
}

/// Checks every rule: the fields, then their references, then the training of the
/// facilitators.
/// `kept`: the facilitators the restitution already has (an erased one may stay).
pub async fn validate(
    db: &impl ConnectionTrait,
    input: &RestitutionInput,
    kept: &[Uuid],
) -> Result<Valid, DomainError> {
    let checked = rules::check(input).map_err(DomainError::Invalid)?;
    let codes = module_codes(db, &checked.module_ids).await?;
    check_references(db, &checked, &codes, kept).await?;
    check_training(
        db,
        &checked.facilitator_ids,
        &checked.module_ids,
        checked.held_on,
        &codes,
    )
    .await?;
    Ok(Valid(checked))
}

/// Reads one live restitution the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Restitution, DomainError> {
    Restitution::new(resource::find_live::<restitution::Entity>(db, id, scope).await?)
}

/// Filters of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestitutionFilter {
    /// Of this association.
    pub association_id: Option<Uuid>,
    /// Covering this module.
    pub module_id: Option<Uuid>,
    /// In this status.
    pub status: Option<RestitutionStatus>,
    /// Dated on or after (held, or else planned).
    pub from: Option<NaiveDate>,
    /// Dated on or before (held, or else planned).
    pub to: Option<NaiveDate>,
}

fn condition(filter: &RestitutionFilter, scope: &CallerScope) -> Condition {
    let mut condition = Condition::all()
        .add(restitution::Column::DeletedAt.is_null())
        .add(restitution::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(own) = scope.bound_to {
        condition = condition.add(restitution::Column::AssociationId.eq(own));
    }
    if let Some(id) = filter.association_id {
        condition = condition.add(restitution::Column::AssociationId.eq(id));
    }
    if let Some(id) = filter.module_id {
        // The ids are stored as a JSON list of UUIDs: a UUID's text matches no other's.
        condition = condition.add(restitution::Column::ModuleIds.like(format!("%\"{id}\"%")));
    }
    if let Some(status) = filter.status {
        condition = condition.add(restitution::Column::Status.eq(status));
    }
    let dated = || {
        Expr::expr(Func::coalesce([
            Expr::col(restitution::Column::HeldOn),
            Expr::col(restitution::Column::PlannedOn),
        ]))
    };
    if let Some(from) = filter.from {
        condition = condition.add(dated().gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(dated().lte(to));
    }
    condition
}

fn check_filter(filter: &RestitutionFilter) -> Result<(), DomainError> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(DomainError::bad_parameter("to", "must not be before from"));
    }
    for (name, day) in [("from", filter.from), ("to", filter.to)] {
        if let Some(day) = day {
            crate::time::check_date(day, name)
                .map_err(|e| DomainError::bad_parameter(name, e.detail))?;
        }
    }
    Ok(())
}

/// Lists the live restitutions the caller may see, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &RestitutionFilter,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Restitution>, DomainError> {
    check_filter(filter)?;
    let select = restitution::Entity::find().filter(condition(filter, scope));
    let page = paging::by_unique_key(db, select, restitution::Column::Id, Order::Asc, page, |r| {
        KeyValue::Uuid(r.id)
    })
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(Restitution::new)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Every live restitution the caller may see that matches, oldest first (the CSV export).
pub async fn all(
    db: &impl ConnectionTrait,
    filter: &RestitutionFilter,
    scope: &CallerScope,
) -> Result<Vec<Restitution>, DomainError> {
    check_filter(filter)?;
    restitution::Entity::find()
        .filter(condition(filter, scope))
        .order_by_asc(restitution::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Restitution::new)
        .collect()
}

/// Plans a restitution of an association the caller may see.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &RestitutionInput,
    scope: &CallerScope,
) -> Result<Restitution, DomainError> {
    association::check_parent(tx, input.association_id, scope, "association").await?;
    let valid = validate(tx, input, &[]).await?;
    let mut row = restitution::ActiveModel {
        association_id: Set(input.association_id),
        status: Set(RestitutionStatus::Planned),
        ..Default::default()
    };
    valid.apply(&mut row);
    Restitution::new(resource::insert::<restitution::Entity>(tx, context, row).await?)
}

/// Deletes a restitution that is still editable, with its evidence; returns the stored files
/// its evidence named, to release once committed.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<Vec<String>, DomainError> {
    let current = resource::lock_live::<restitution::Entity>(tx, id, scope).await?;
    expected.check(current.version)?;
    check_editable(current.status, "it can be deleted")?;
    let files = evidence::delete_all(tx, context, id).await?;
    resource::soft_delete::<restitution::Entity>(tx, context, current, expected).await?;
    Ok(files)
}

/// Restitutions are edited through the write layer while planned or returned.
impl resource::Editable for restitution::Entity {
    type View = Restitution;
    type Input = RestitutionInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: restitution::Model) -> Result<Restitution, DomainError> {
        Restitution::new(row)
    }

    fn input(current: &Restitution) -> RestitutionInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Restitution,
        input: RestitutionInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        check_editable(current.row.status, "it can be changed")?;
        let input = RestitutionInput {
            association_id: current.row.association_id,
            ..input
        };
        validate(tx, &input, &current.facilitator_ids).await
    }

    fn apply(_current: &Restitution, valid: &Valid, row: &mut restitution::ActiveModel) {
        valid.apply(row);
    }
}
