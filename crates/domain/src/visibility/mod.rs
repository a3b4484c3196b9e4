//! Visibility: the deliverables that make the associations seen as development actors (a
//! repertoire, briefs of success stories, a calendar), their review and publication
//! ([`transitions`]), the stories of a brief ([`stories`]), the months of a calendar
//! ([`calendar`]), how each was spread ([`disseminations`]), and what the public reads without
//! logging in ([`public`], [`repertoire`]).
//!
//! The rules that need only the values sent are in [`rules`]; the ones that need the data are
//! beside the resource they guard.

pub mod calendar;
pub mod disseminations;
pub mod entity;
pub mod public;
pub mod repertoire;
pub mod rules;
pub mod stories;
pub mod transitions;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

pub use self::entity::{Channel, DeliverableKind, DeliverableStatus, deliverable};
use self::entity::{calendar_entry, story};
pub use self::rules::{DeliverableInput, DisseminationInput, EntryInput, StoryInput};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::localized::LocalizedText;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition, json_list, json_text};
use crate::{DomainError, FieldError, association};

/// The deliverable table, edited through the write layer.
pub use self::entity::deliverable::Entity;

/// Which deliverables a caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every one (programme staff, viewers).
    All,
    /// Those that feature this association (by the deliverable, a story or a calendar entry),
    /// and the briefs still in draft, open to its stories.
    Association(Uuid),
    /// Those that feature this association, and no others: the history and the dissemination
    /// of a deliverable are shown to an association only when it is featured.
    Featured(Uuid),
    /// Published ones only (API clients).
    Published,
}

/// A deliverable with its JSON fields read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliverable {
    /// The stored row.
    pub row: deliverable::Model,
    /// Title.
    pub title: LocalizedText,
    /// Summary.
    pub summary: LocalizedText,
    /// Languages it is produced in.
    pub languages: Vec<String>,
    /// Associations it features.
    pub featured_association_ids: Vec<Uuid>,
    /// SDG numbers.
    pub sdgs: Vec<i32>,
}

impl Audience {
    /// The audience of a deliverable's history and dissemination records: an association's
    /// users see those of the deliverables that feature it only (not of every draft brief).
    pub fn featured_only(self) -> Self {
        match self {
            Self::Association(own) => Self::Featured(own),
            other => other,
        }
    }
}

impl Deliverable {
    /// Reads a stored row.
    pub fn new(row: deliverable::Model) -> Result<Self, DomainError> {
        let table = "deliverables";
        Ok(Self {
            title: LocalizedText::from_json(&row.title, table, "title")?,
            summary: LocalizedText::from_json(&row.summary, table, "summary")?,
            languages: json_list(&row.languages, table, "languages", row.id)?,
            featured_association_ids: json_list(
                &row.featured_association_ids,
                table,
                "featured_association_ids",
                row.id,
            )?,
            sdgs: json_list(&row.sdgs, table, "sdgs", row.id)?,
            row,
        })
    }

    /// Its writable fields as they stand.
    pub fn to_input(&self) -> DeliverableInput {
        DeliverableInput {
            kind: self.row.kind,
            title: self.title.clone(),
            summary: self.summary.clone(),
            languages: self.languages.clone(),
            planned_on: self.row.planned_on,
            document_url: self.row.document_url.clone(),
            featured_association_ids: self.featured_association_ids.clone(),
            sdgs: self.sdgs.clone(),
            year: self.row.year,
        }
    }
}

/// Fields that keep every rule, the data's included, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(DeliverableInput);

impl Valid {
    fn apply(&self, row: &mut deliverable::ActiveModel) {
        let v = &self.0;
        row.title = Set(v.title.to_json());
        row.summary = Set(v.summary.to_json());
        row.languages = Set(json_text(&v.languages));
        row.planned_on = Set(v.planned_on);
        row.document_url = Set(v.document_url.clone());
        row.featured_association_ids = Set(json_text(&v.featured_association_ids));
        row.sdgs = Set(json_text(&v.sdgs));
        row.year = Set(v.year);
    }
}

/// Refuses a change to a deliverable that is no longer a draft (409).
pub(crate) fn check_editable(status: DeliverableStatus, what: &str) -> Result<(), DomainError> {
    if status.editable() {
        return Ok(());
    }
    Err(DomainError::Refused(Refusal::conflict(
        "deliverable_not_editable",
        "Deliverable not editable",
        format!(
            "the deliverable is {}: {what} only while it is a draft (request changes to bring it back)",
            status.as_str()
        ),
    )))
}

/// Refuses a part that does not belong to this kind of deliverable (409).
pub(crate) fn check_kind(
    deliverable: &deliverable::Model,
    kind: DeliverableKind,
    part: &str,
) -> Result<(), DomainError> {
    if deliverable.kind == kind {
        return Ok(());
    }
    Err(DomainError::Refused(Refusal::conflict(
        "wrong_deliverable_kind",
        "Not for this kind of deliverable",
        format!(
            "{part} belong to a {}; this deliverable is a {}",
            kind.as_str(),
            deliverable.kind.as_str()
        ),
    )))
}

/// The ids among `ids` that are live associations.
pub(crate) async fn live_associations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(association::Entity::find()
        .select_only()
        .column(association::entity::association::Column::Id)
        .filter(association::entity::association::Column::Id.is_in(ids.to_vec()))
        .filter(association::entity::association::Column::DeletedAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// Checks every rule: the fields, then that the featured associations exist.
pub async fn validate(
    db: &impl ConnectionTrait,
    input: &DeliverableInput,
) -> Result<Valid, DomainError> {
    let checked = rules::check_deliverable(input).map_err(DomainError::Invalid)?;
    let live = live_associations(db, &checked.featured_association_ids).await?;
    let errors: Vec<FieldError> = checked
        .featured_association_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !live.contains(id))
        .map(|(i, _)| {
            FieldError::new(
                format!("/featured_association_ids/{i}"),
                "is not an association of /api/v1/associations",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(Valid(checked))
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The condition that selects what an audience reads.
fn audience_condition(audience: Audience) -> Condition {
    match audience {
        Audience::All => Condition::all(),
        Audience::Published => {
            Condition::all().add(deliverable::Column::Status.eq(DeliverableStatus::Published))
        }
        Audience::Association(own) => Condition::any()
            .add(audience_condition(Audience::Featured(own)))
            .add(
                Condition::all()
                    .add(deliverable::Column::Kind.eq(DeliverableKind::Brief))
                    .add(deliverable::Column::Status.eq(DeliverableStatus::Draft)),
            ),
        Audience::Featured(own) => {
            let parts_of = |table: sea_orm::sea_query::DynIden,
                            deliverable: sea_orm::sea_query::DynIden,
                            association: sea_orm::sea_query::DynIden,
                            deleted: sea_orm::sea_query::DynIden| {
                Query::select()
                    .column(deliverable)
                    .from(table)
                    .and_where(Expr::col(association).eq(own))
                    .and_where(Expr::col(deleted).is_null())
                    .to_owned()
            };
            use sea_orm::sea_query::IntoIden;
            Condition::any()
                // The ids are stored as a JSON list of UUIDs: a UUID's text matches no other's.
                .add(deliverable::Column::FeaturedAssociationIds.like(format!("%\"{own}\"%")))
                .add(deliverable::Column::Id.in_subquery(parts_of(
                    story::Entity.into_iden(),
                    story::Column::DeliverableId.into_iden(),
                    story::Column::AssociationId.into_iden(),
                    story::Column::DeletedAt.into_iden(),
                )))
                .add(deliverable::Column::Id.in_subquery(parts_of(
                    calendar_entry::Entity.into_iden(),
                    calendar_entry::Column::DeliverableId.into_iden(),
                    calendar_entry::Column::AssociationId.into_iden(),
                    calendar_entry::Column::DeletedAt.into_iden(),
                )))
        }
    }
}

/// Reads one live deliverable the audience reads (others are "not found").
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    audience: Audience,
) -> Result<Deliverable, DomainError> {
    let row = deliverable::Entity::find_by_id(id)
        .filter(deliverable::Column::DeletedAt.is_null())
        .filter(audience_condition(audience))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("deliverable"))?;
    Deliverable::new(row)
}

/// Filters of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverableFilter {
    /// Of this kind.
    pub kind: Option<DeliverableKind>,
    /// In this status.
    pub status: Option<DeliverableStatus>,
    /// Calendars of this year.
    pub year: Option<i32>,
}

/// The condition of a list: live, read by the audience, filtered.
pub(crate) fn list_condition(filter: &DeliverableFilter, audience: Audience) -> Condition {
    let mut condition = Condition::all()
        .add(deliverable::Column::DeletedAt.is_null())
        .add(audience_condition(audience));
    if let Some(kind) = filter.kind {
        condition = condition.add(deliverable::Column::Kind.eq(kind));
    }
    if let Some(status) = filter.status {
        condition = condition.add(deliverable::Column::Status.eq(status));
    }
    if let Some(year) = filter.year {
        condition = condition.add(deliverable::Column::Year.eq(year));
    }
    condition
}

/// Checks the filters' values.
pub fn check_filter(filter: &DeliverableFilter) -> Result<(), DomainError> {
    if filter.year.is_some_and(|y| !rules::YEARS.contains(&y)) {
        return Err(DomainError::bad_parameter(
            "year",
            "must be a year from 2000 to 2100",
        ));
    }
    Ok(())
}

/// Lists the live deliverables the audience reads, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &DeliverableFilter,
    page: &PageRequest,
    audience: Audience,
) -> Result<Page<Deliverable>, DomainError> {
    check_filter(filter)?;
    let select = deliverable::Entity::find().filter(list_condition(filter, audience));
    let page = paging::by_unique_key(db, select, deliverable::Column::Id, Order::Asc, page, |r| {
        KeyValue::Uuid(r.id)
    })
    .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(Deliverable::new)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Creates a deliverable, as a draft.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &DeliverableInput,
) -> Result<Deliverable, DomainError> {
    let valid = validate(tx, input).await?;
    let mut row = deliverable::ActiveModel {
        kind: Set(input.kind),
        status: Set(DeliverableStatus::Draft),
        published_on: Set(None),
        ..Default::default()
    };
    valid.apply(&mut row);
    Deliverable::new(resource::insert::<deliverable::Entity>(tx, context, row).await?)
}

/// Locks a live deliverable the audience reads, for a write to it or to one of its parts.
pub(crate) async fn lock(
    tx: &Tx,
    id: Uuid,
    audience: Audience,
) -> Result<resource::Locked<deliverable::Model>, DomainError> {
    get(tx, id, audience).await?;
    resource::lock_live::<deliverable::Entity>(tx, id, &CallerScope::SYSTEM).await
}

/// A record that is part of a deliverable (a story, a calendar entry, a dissemination record).
pub trait Part {
    /// The deliverable it belongs to.
    fn deliverable_id(&self) -> Uuid;
}

impl Part for story::Model {
    fn deliverable_id(&self) -> Uuid {
        self.deliverable_id
    }
}

impl Part for calendar_entry::Model {
    fn deliverable_id(&self) -> Uuid {
        self.deliverable_id
    }
}

impl Part for entity::dissemination::Model {
    fn deliverable_id(&self) -> Uuid {
        self.deliverable_id
    }
}

/// Reads a live part of a deliverable the audience reads, the caller may see, and that belongs
/// to that deliverable (a part under another deliverable's path is not found).
pub(crate) async fn find_part<E>(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    id: Uuid,
    audience: Audience,
    scope: &CallerScope,
) -> Result<E::Model, DomainError>
where
    E: resource::Synced,
    E::Model: Part,
{
    get(db, deliverable_id, audience).await?;
    let row = resource::find_live::<E>(db, id, scope).await?;
    if row.deliverable_id() != deliverable_id {
        return Err(DomainError::NotFound(<E as resource::Synced>::TYPE.noun()));
    }
    Ok(row)
}

/// Deletes a part of a deliverable, in the conventions' order: not found (the deliverable,
/// then the part), a stale `If-Match`, then `rule` on the deliverable as it stands (locked, so
/// no move of it is between the check and the delete).
pub(crate) async fn delete_part<E>(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    id: Uuid,
    expected: &Precondition,
    (audience, scope): (Audience, &CallerScope),
    rule: impl FnOnce(&deliverable::Model) -> Result<(), DomainError>,
) -> Result<(), DomainError>
where
    E: resource::Synced,
    E::Model: Part,
{
    let parent = lock(tx, deliverable_id, audience).await?;
    let current = resource::lock_live::<E>(tx, id, scope).await?;
    if current.row().deliverable_id() != deliverable_id {
        return Err(DomainError::NotFound(<E as resource::Synced>::TYPE.noun()));
    }
    expected.check(resource::Record::version(current.row()))?;
    rule(parent.row())?;
    resource::soft_delete::<E>(tx, context, current, expected).await
}

/// Deletes a draft deliverable with its stories and calendar entries.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
) -> Result<(), DomainError> {
    let current = lock(tx, id, Audience::All).await?;
    expected.check(current.version)?;
    check_editable(current.status, "it can be deleted")?;
    for part in resource::lock_live_where::<story::Entity>(
        tx,
        Condition::all().add(story::Column::DeliverableId.eq(id)),
    )
    .await?
    {
        resource::soft_delete::<story::Entity>(tx, context, part, &Precondition::None).await?;
    }
    for part in resource::lock_live_where::<calendar_entry::Entity>(
        tx,
        Condition::all().add(calendar_entry::Column::DeliverableId.eq(id)),
    )
    .await?
    {
        resource::soft_delete::<calendar_entry::Entity>(tx, context, part, &Precondition::None)
            .await?;
    }
    resource::soft_delete::<deliverable::Entity>(tx, context, current, expected).await
}

/// Deliverables are edited through the write layer while drafts; the kind is fixed.
impl resource::Editable for deliverable::Entity {
    type View = Deliverable;
    type Input = DeliverableInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: deliverable::Model) -> Result<Deliverable, DomainError> {
        Deliverable::new(row)
    }

    fn input(current: &Deliverable) -> DeliverableInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Deliverable,
        input: DeliverableInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        check_editable(current.row.status, "it can be changed")?;
        let input = DeliverableInput {
            kind: current.row.kind,
            ..input
        };
        validate(tx, &input).await
    }

    fn apply(_current: &Deliverable, valid: &Valid, row: &mut deliverable::ActiveModel) {
        valid.apply(row);
    }
}
