//! The review and publication of a deliverable: `draft → in_review → approved → published →
//! archived`, with `in_review → draft` when changes are requested (with a comment). Each move
//! is recorded with its actor. Publishing checks what the programme promised: a brief has
//! stories, everyone named consents, a calendar has its twelve months, and every association
//! featured consents.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::entity::{DeliverableKind, DeliverableStatus, deliverable, transition};
use super::rules::{self, PublishFacts};
use super::{Audience, Deliverable, get, lock, stories};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::{Refusal, RefusalKind};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError, text, time};

/// A move asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    /// Target status.
    pub to: DeliverableStatus,
    /// Why: required when requesting changes (1-1000 characters), optional otherwise.
    pub comment: Option<String>,
}

/// Moves a deliverable, recording the move. The row is locked first, so of concurrent moves
/// from one status exactly one wins and the others find it moved (409 with where it may go
/// now). Not found, stale `If-Match` (412), an illegal move (409), the comment, then what
/// publishing needs.
pub async fn transition(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    request: &TransitionRequest,
    expected: &Precondition,
) -> Result<(Deliverable, transition::Model), DomainError> {
    let current = lock(tx, id, Audience::All).await?;
    expected.check(current.version)?;
    let from = current.status;
    let allowed = from.allowed_next();
    if !allowed.contains(&request.to) {
        return Err(DomainError::Refused(Refusal::illegal_transition(
            from.as_str(),
            allowed.iter().map(|s| s.as_str().to_owned()).collect(),
        )));
    }
    let comment = text::optional_paragraph(request.comment.as_deref(), "/comment", 1000)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    if from == DeliverableStatus::InReview
        && request.to == DeliverableStatus::Draft
        && comment.is_none()
    {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "/comment",
            "is required when requesting changes: say what to change (1-1000 characters)",
        )]));
    }
    let published_on = if request.to == DeliverableStatus::Published {
        let found = Deliverable::new(current.row().clone())?;
        check_publishable(tx, &found).await?;
        Some(time::brussels_today())
    } else {
        current.published_on
    };
    let (actor_type, actor_id) = context.actor.parts();
    let record = transition::ActiveModel {
        id: Set(Uuid::now_v7()),
        deliverable_id: Set(id),
        from_status: Set(from),
        to_status: Set(request.to),
        comment: Set(comment),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
        occurred_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    let written = resource::update::<deliverable::Entity>(
        tx,
        context,
        current,
        expected,
        "transitioned",
        true,
        |row| {
            row.status = Set(request.to);
            row.published_on = Set(published_on);
        },
    )
    .await?;
    Ok((Deliverable::new(written.row)?, record))
}

/// What publishing needs, read from the data at the moment of publishing (writers are
/// serialised, so nothing changes between the check and the move).
async fn check_publishable(tx: &Tx, found: &Deliverable) -> Result<(), DomainError> {
    let id = found.row.id;
    if found.row.kind == DeliverableKind::Calendar {
        let taken = deliverable::Entity::find()
            .filter(deliverable::Column::Kind.eq(DeliverableKind::Calendar))
            .filter(deliverable::Column::Year.eq(found.row.year))
            .filter(deliverable::Column::Status.eq(DeliverableStatus::Published))
            .filter(deliverable::Column::DeletedAt.is_null())
            .filter(deliverable::Column::Id.ne(id))
            .one(tx)
            .await?;
        if let Some(other) = taken {
            return Err(DomainError::Refused(Refusal {
                code: "calendar_year_taken",
                title: "A calendar of that year is published",
                kind: RefusalKind::Conflict,
                detail: format!(
                    "calendar {} of {} is published; archive it first",
                    other.id,
                    other.year.unwrap_or_default()
                ),
                allowed: None,
                errors: vec![],
            }));
        }
    }
    let facts = publish_facts(tx, found).await?;
    match rules::publish_gap(found.row.kind, &facts) {
        None => Ok(()),
        Some(gap) => Err(DomainError::Refused(Refusal {
            code: gap.code,
            title: gap.title,
            kind: RefusalKind::Unprocessable,
            detail: gap
                .errors
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join("; "),
            allowed: None,
            errors: gap.errors,
        })),
    }
}

/// The stories with the consent of the people they name, the months of the calendar, and
/// every association featured with its consent.
async fn publish_facts(
    db: &impl ConnectionTrait,
    found: &Deliverable,
) -> Result<PublishFacts, DomainError> {
    let id = found.row.id;
    let stories = stories::of(db, id).await?;
    let entries = super::calendar::of(db, id).await?;
    let people: Vec<Uuid> = stories.iter().flat_map(|s| s.person_ids.clone()).collect();
    let consenting = stories::consenting_people(db, &people).await?;
    let mut featured: Vec<(String, Uuid)> = found
        .featured_association_ids
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("/featured_association_ids/{i}"), *a))
        .collect();
    featured.extend(stories.iter().map(|s| {
        (
            format!("/stories/{}/association_id", s.row.id),
            s.row.association_id,
        )
    }));
    featured.extend(entries.iter().map(|e| {
        (
            format!("/calendar_entries/{}/association_id", e.row.id),
            e.row.association_id,
        )
    }));
    let ids: Vec<Uuid> = featured.iter().map(|(_, a)| *a).collect();
    let consented = super::public::consenting_associations(db, &ids).await?;
    Ok(PublishFacts {
        stories: stories
            .iter()
            .map(|s| {
                (
                    s.row.id,
                    s.person_ids
                        .iter()
                        .map(|p| (*p, consenting.contains(p)))
                        .collect(),
                )
            })
            .collect(),
        months: entries.iter().map(|e| e.row.month).collect(),
        featured: featured
            .into_iter()
            .map(|(pointer, a)| {
                let ok = consented.contains_key(&a);
                (pointer, a, ok)
            })
            .collect(),
    })
}

/// The moves of a deliverable, oldest first, paged.
pub async fn list(
    db: &impl ConnectionTrait,
    id: Uuid,
    page: &PageRequest,
    audience: Audience,
) -> Result<Page<transition::Model>, DomainError> {
    get(db, id, audience.featured_only()).await?;
    let select = transition::Entity::find().filter(transition::Column::DeliverableId.eq(id));
    paging::by_unique_key(db, select, transition::Column::Id, Order::Asc, page, |t| {
        KeyValue::Uuid(t.id)
    })
    .await
}

/// One move of a deliverable.
pub async fn get_one(
    db: &impl ConnectionTrait,
    id: Uuid,
    transition_id: Uuid,
    audience: Audience,
) -> Result<transition::Model, DomainError> {
    get(db, id, audience.featured_only()).await?;
    transition::Entity::find_by_id(transition_id)
        .filter(transition::Column::DeliverableId.eq(id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("transition"))
}
