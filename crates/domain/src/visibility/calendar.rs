//! The months of a calendar: one entry a month (a second for the same month is 409), each
//! featuring one association with a headline, a caption and a picture.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::entity::{DeliverableKind, calendar_entry};
use super::public::Consents;
use super::rules::{self, EntryInput};
use super::{
    Audience, check_editable, check_kind, delete_part, find_part, get as get_deliverable, lock,
};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::localized::LocalizedText;
use crate::paging::{self, KeyValue, Page, PageRequest, SortKey};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, association};

/// A calendar entry with its texts read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The stored row.
    pub row: calendar_entry::Model,
    /// Headline.
    pub headline: LocalizedText,
    /// Caption.
    pub caption: LocalizedText,
}

impl Entry {
    /// Reads a stored row.
    pub fn new(row: calendar_entry::Model) -> Result<Self, DomainError> {
        let table = "calendar_entries";
        Ok(Self {
            headline: LocalizedText::from_json(&row.headline, table, "headline")?,
            caption: LocalizedText::from_json(&row.caption, table, "caption")?,
            row,
        })
    }

    /// Its writable fields as they stand.
    pub fn to_input(&self) -> EntryInput {
        EntryInput {
            month: self.row.month,
            association_id: self.row.association_id,
            headline: self.headline.clone(),
            caption: self.caption.clone(),
            image_url: self.row.image_url.clone(),
        }
    }
}

/// Fields that keep every rule, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(EntryInput);

impl Valid {
    fn apply(&self, row: &mut calendar_entry::ActiveModel) {
        let v = &self.0;
        row.month = Set(v.month);
        row.headline = Set(v.headline.to_json());
        row.caption = Set(v.caption.to_json());
        row.image_url = Set(v.image_url.clone());
    }
}

/// Refuses a month another live entry of the calendar has (409 `month_taken`). Writers are
/// serialised, so the check holds until the write commits.
async fn check_month_free(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    month: i32,
    except: Option<Uuid>,
) -> Result<(), DomainError> {
    // An entry of a deleted association went with it: its month is free.
    let mut taken = calendar_entry::Entity::find()
        .filter(calendar_entry::Column::DeliverableId.eq(deliverable_id))
        .filter(calendar_entry::Column::Month.eq(month))
        .filter(calendar_entry::Column::DeletedAt.is_null())
        .filter(calendar_entry::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(id) = except {
        taken = taken.filter(calendar_entry::Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        return Err(DomainError::Refused(Refusal::conflict(
            "month_taken",
            "Month already has an entry",
            format!("the calendar already has an entry for month {month}"),
        )));
    }
    Ok(())
}

/// Entries in month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByMonth;

impl SortKey<calendar_entry::Entity> for ByMonth {
    fn column(self) -> calendar_entry::Column {
        calendar_entry::Column::Month
    }

    fn value(self, row: &calendar_entry::Model) -> KeyValue {
        KeyValue::Int(i64::from(row.month))
    }

    fn parse(self, value: &KeyValue) -> Option<sea_orm::Value> {
        let KeyValue::Int(month) = value else {
            return None;
        };
        i32::try_from(*month).ok().map(Into::into)
    }
}

/// The live entries of a calendar, in month order (of live associations).
pub async fn of(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
) -> Result<Vec<Entry>, DomainError> {
    calendar_entry::Entity::find()
        .filter(calendar_entry::Column::DeliverableId.eq(deliverable_id))
        .filter(calendar_entry::Column::DeletedAt.is_null())
        .filter(calendar_entry::Column::AssociationId.in_subquery(association::live_ids()))
        .order_by_asc(calendar_entry::Column::Month)
        .all(db)
        .await?
        .into_iter()
        .map(Entry::new)
        .collect()
}

/// Lists the entries of a calendar the audience reads that the caller may see, in month
/// order.
pub async fn list(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    page: &PageRequest,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Page<Entry>, DomainError> {
    get_deliverable(db, deliverable_id, audience).await?;
    let mut select = calendar_entry::Entity::find()
        .filter(calendar_entry::Column::DeliverableId.eq(deliverable_id))
        .filter(calendar_entry::Column::DeletedAt.is_null())
        .filter(calendar_entry::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(own) = scope.bound_to {
        select = select.filter(calendar_entry::Column::AssociationId.eq(own));
    }
    let page = paging::by_keys(
        db,
        select,
        &[(ByMonth, false)],
        (calendar_entry::Column::Id, |row: &calendar_entry::Model| {
            row.id
        }),
        page,
    )
    .await?;
    let mut items = page
        .items
        .into_iter()
        .map(Entry::new)
        .collect::<Result<Vec<_>, _>>()?;
    if audience == Audience::Published {
        // Consent is read at every request: a page may hold fewer entries than its limit.
        let consents = Consents::of(db, &[], &items, &[]).await?;
        items.retain(|e| consents.entry(e).is_some());
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Reads one entry of a calendar.
pub async fn get(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    id: Uuid,
    audience: Audience,
    scope: &CallerScope,
) -> Result<Entry, DomainError> {
    let found = Entry::new(
        find_part::<calendar_entry::Entity>(db, deliverable_id, id, audience, scope).await?,
    )?;
    if audience == Audience::Published
        && Consents::of(db, &[], std::slice::from_ref(&found), &[])
            .await?
            .entry(&found)
            .is_none()
    {
        return Err(DomainError::NotFound("calendar entry"));
    }
    Ok(found)
}

/// Adds a month to a calendar in draft.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    input: &EntryInput,
    scope: &CallerScope,
) -> Result<Entry, DomainError> {
    let calendar = lock(tx, deliverable_id, Audience::All).await?;
    association::check_parent(tx, input.association_id, scope, "association").await?;
    check_kind(
        calendar.row(),
        DeliverableKind::Calendar,
        "calendar entries",
    )?;
    check_editable(calendar.status, "entries can be added")?;
    let checked = rules::check_entry(input).map_err(DomainError::Invalid)?;
    check_month_free(tx, deliverable_id, checked.month, None).await?;
    let mut row = calendar_entry::ActiveModel {
        deliverable_id: Set(deliverable_id),
        association_id: Set(input.association_id),
        ..Default::default()
    };
    Valid(checked).apply(&mut row);
    Entry::new(resource::insert::<calendar_entry::Entity>(tx, context, row).await?)
}

/// Deletes an entry while its calendar is a draft.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    delete_part::<calendar_entry::Entity>(
        tx,
        context,
        deliverable_id,
        id,
        expected,
        (Audience::All, scope),
        |calendar| check_editable(calendar.status, "its entries can be deleted"),
    )
    .await
}

/// Entries are edited through the write layer while their calendar is a draft; the
/// association is fixed, and a new month must be free.
impl resource::Editable for calendar_entry::Entity {
    type View = Entry;
    type Input = EntryInput;
    type Valid = Valid;

    async fn view(_tx: &Tx, row: calendar_entry::Model) -> Result<Entry, DomainError> {
        Entry::new(row)
    }

    fn input(current: &Entry) -> EntryInput {
        current.to_input()
    }

    async fn check(
        tx: &Tx,
        current: &Entry,
        input: EntryInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        let calendar = get_deliverable(tx, current.row.deliverable_id, Audience::All).await?;
        check_editable(calendar.row.status, "its entries can be changed")?;
        let input = EntryInput {
            association_id: current.row.association_id,
            ..input
        };
        let checked = rules::check_entry(&input).map_err(DomainError::Invalid)?;
        if checked.month != current.row.month {
            check_month_free(
                tx,
                current.row.deliverable_id,
                checked.month,
                Some(current.row.id),
            )
            .await?;
        }
        Ok(Valid(checked))
    }

    fn apply(_current: &Entry, valid: &Valid, row: &mut calendar_entry::ActiveModel) {
        valid.apply(row);
    }
}
