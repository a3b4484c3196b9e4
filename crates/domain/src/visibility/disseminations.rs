//! How a published deliverable was spread: when, through which channel, to whom, how many
//! copies and, when known, how many people it reached. Recorded for published (and archived)
//! deliverables only; the records are facts, editable at any time.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::dissemination;
use super::rules::{self, DisseminationInput};
use super::{Audience, delete_part, find_part, get as get_deliverable, lock};
use crate::DomainError;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};

/// Fields that keep every rule, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid(DisseminationInput);

impl Valid {
    fn apply(&self, row: &mut dissemination::ActiveModel) {
        let v = &self.0;
        row.date = Set(v.date);
        row.channel = Set(v.channel);
        row.audience = Set(v.audience.clone());
        row.copies = Set(v.copies);
        row.reach = Set(v.reach);
        row.notes = Set(v.notes.clone());
    }
}

/// Its writable fields as they stand.
pub fn to_input(row: &dissemination::Model) -> DisseminationInput {
    DisseminationInput {
        date: row.date,
        channel: row.channel,
        audience: row.audience.clone(),
        copies: row.copies,
        reach: row.reach,
        notes: row.notes.clone(),
    }
}

/// Lists the records of a deliverable the audience reads, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    page: &PageRequest,
    audience: Audience,
) -> Result<Page<dissemination::Model>, DomainError> {
    get_deliverable(db, deliverable_id, audience.featured_only()).await?;
    let select = dissemination::Entity::find()
        .filter(dissemination::Column::DeliverableId.eq(deliverable_id))
        .filter(dissemination::Column::DeletedAt.is_null());
    paging::by_unique_key(
        db,
        select,
        dissemination::Column::Id,
        Order::Asc,
        page,
        |d| KeyValue::Uuid(d.id),
    )
    .await
}

/// Reads one record of a deliverable.
pub async fn get(
    db: &impl ConnectionTrait,
    deliverable_id: Uuid,
    id: Uuid,
    audience: Audience,
) -> Result<dissemination::Model, DomainError> {
    find_part::<dissemination::Entity>(
        db,
        deliverable_id,
        id,
        audience.featured_only(),
        &CallerScope::SYSTEM,
    )
    .await
}

/// Records how a published deliverable was spread.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    input: &DisseminationInput,
) -> Result<dissemination::Model, DomainError> {
    let deliverable = lock(tx, deliverable_id, Audience::All).await?;
    if !deliverable.status.is_public() {
        return Err(DomainError::Refused(Refusal::conflict(
            "deliverable_not_published",
            "Deliverable not published",
            format!(
                "the deliverable is {}: only a published deliverable is disseminated",
                deliverable.status.as_str()
            ),
        )));
    }
    let checked = rules::check_dissemination(input).map_err(DomainError::Invalid)?;
    let mut row = dissemination::ActiveModel {
        deliverable_id: Set(deliverable_id),
        ..Default::default()
    };
    Valid(checked).apply(&mut row);
    resource::insert::<dissemination::Entity>(tx, context, row).await
}

/// Deletes a record.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    deliverable_id: Uuid,
    id: Uuid,
    expected: &Precondition,
) -> Result<(), DomainError> {
    delete_part::<dissemination::Entity>(
        tx,
        context,
        deliverable_id,
        id,
        expected,
        (Audience::All, &CallerScope::SYSTEM),
        |_| Ok(()),
    )
    .await
}

/// Records are edited through the write layer.
impl resource::Editable for dissemination::Entity {
    type View = dissemination::Model;
    type Input = DisseminationInput;
    type Valid = Valid;

    async fn view(
        _tx: &Tx,
        row: dissemination::Model,
    ) -> Result<dissemination::Model, DomainError> {
        Ok(row)
    }

    fn input(current: &dissemination::Model) -> DisseminationInput {
        to_input(current)
    }

    async fn check(
        _tx: &Tx,
        _current: &dissemination::Model,
        input: DisseminationInput,
        _scope: &CallerScope,
    ) -> Result<Valid, DomainError> {
        rules::check_dissemination(&input)
            .map(Valid)
            .map_err(DomainError::Invalid)
    }

    fn apply(_current: &dissemination::Model, valid: &Valid, row: &mut dissemination::ActiveModel) {
        valid.apply(row);
    }
}
