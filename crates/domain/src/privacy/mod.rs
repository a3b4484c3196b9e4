//! A data subject's rights over what the programme holds about her (GDPR Art. 15, 17, 20) and
//! keeping nothing longer than needed (Art. 5(1)(e)):
//! - [`export`]: everything about one person, as one document;
//! - [`erasure`]: her identity removed everywhere, what the results count kept anonymously;
//! - [`retention`]: who is due for erasure under the configured periods;
//! - [`processing`]: the record of processing activities (Art. 30), as data.

pub mod entity;
pub mod erasure;
pub mod export;
pub mod processing;
pub mod retention;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::DomainError;
use crate::person;
use crate::resource::json_list;
use crate::restitution::EvidenceKind;
use crate::restitution::entity::{evidence, restitution};
use crate::visibility::entity::story;

pub use self::entity::{Extent, erasure as erasure_record};
pub use self::erasure::{Erased, erase};
pub use self::retention::RetentionPeriods;

/// Restitutions whose facilitators include `person`, deleted ones too, oldest first.
async fn facilitated_by(
    db: &impl ConnectionTrait,
    person: &person::Row,
) -> Result<Vec<restitution::Model>, DomainError> {
    let rows = restitution::Entity::find()
        .filter(restitution::Column::AssociationId.eq(person.association_id))
        .filter(restitution::Column::FacilitatorIds.contains(person.id.to_string()))
        .order_by_asc(restitution::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let ids: Vec<Uuid> = json_list(
            &row.facilitator_ids,
            "restitutions",
            "facilitator_ids",
            row.id,
        )?;
        if ids.contains(&person.id) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Stories that name `person`, deleted ones too, oldest first, with the people they name.
async fn naming(
    db: &impl ConnectionTrait,
    person: &person::Row,
) -> Result<Vec<(story::Model, Vec<Uuid>)>, DomainError> {
    let rows = story::Entity::find()
        .filter(story::Column::AssociationId.eq(person.association_id))
        .filter(story::Column::PersonIds.contains(person.id.to_string()))
        .order_by_asc(story::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let ids: Vec<Uuid> =
            json_list(&row.person_ids, "deliverable_stories", "person_ids", row.id)?;
        if ids.contains(&person.id) {
            out.push((row, ids));
        }
    }
    Ok(out)
}

/// The evidence that shows or names people (photos, attendance sheets) of `restitutions`,
/// deleted items too, oldest first: one query for them all.
async fn personal_evidence(
    db: &impl ConnectionTrait,
    restitutions: &[restitution::Model],
) -> Result<Vec<evidence::Model>, DomainError> {
    if restitutions.is_empty() {
        return Ok(vec![]);
    }
    Ok(evidence::Entity::find()
        .filter(evidence::Column::RestitutionId.is_in(restitutions.iter().map(|r| r.id)))
        .filter(evidence::Column::Kind.is_in(EvidenceKind::iter().filter(|k| k.personal())))
        .order_by_asc(evidence::Column::Id)
        .all(db)
        .await?)
}
