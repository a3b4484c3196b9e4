//! Selection: status changes along the transition table, each recorded with its reason and
//! actor, and the eligibility checks that moving to `selected` requires.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::Association;
use super::entity::{association, transition};
use super::rules::{self, Status};
use super::store::with_links_one;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::reference::country;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError, text};

/// The eligibility checks of an association.
pub async fn eligibility(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Vec<rules::Check>, DomainError> {
    let association = super::get(db, id, scope).await?;
    eligibility_of(db, &association).await
}

async fn eligibility_of(
    db: &impl ConnectionTrait,
    association: &Association,
) -> Result<Vec<rules::Check>, DomainError> {
    let priority: Vec<String> = country::Entity::find()
        .filter(country::Column::Code.is_in(association.countries_of_origin.clone()))
        .filter(country::Column::Priority.eq(true))
        .order_by_asc(country::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.code)
        .collect();
    Ok(rules::eligibility(&rules::EligibilityFacts {
        postal_code: association
            .row
            .postal_code
            .as_deref()
            .and_then(|p| p.parse().ok()),
        woman_led: association.row.woman_led,
        priority_countries: priority,
    }))
}

/// A transition request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    /// Target status.
    pub to: Status,
    /// Why (1-1000 characters).
    pub reason: String,
    /// Select despite failed eligibility checks (admins only).
    pub override_eligibility: bool,
}

/// Moves an association to another status, recording the transition. The row is locked first,
/// so of two concurrent moves from the same status one wins and the other finds the status
/// moved (409 with where it may go now). Not found, then stale `If-Match`, then an illegal move,
/// then invalid fields and failed eligibility, all at once.
pub async fn transition(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    request: &TransitionRequest,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(Association, transition::Model), DomainError> {
    let current = resource::lock_live::<association::Entity>(tx, id, scope).await?;
    expected.check(current.version)?;
    let from = current.status;
    let allowed = from.allowed_next();
    if !allowed.contains(&request.to) {
        return Err(DomainError::Refused(Refusal::illegal_transition(
            from.as_str(),
            allowed.iter().map(|s| s.as_str().to_owned()).collect(),
        )));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let reason = text::collect(
        &mut errors,
        text::optional_paragraph(Some(&request.reason), "/reason", 1000).and_then(|r| {
            r.ok_or_else(|| FieldError::new("/reason", "must be 1 to 1000 characters"))
        }),
    );
    let overriding = request.override_eligibility && request.to == Status::Selected;
    if request.override_eligibility && !scope.override_eligibility {
        errors.push(FieldError::new(
            "/override",
            "only an admin may override eligibility",
        ));
    }
    if request.to == Status::Selected && !overriding {
        let association = with_links_one(tx, current.row().clone()).await?;
        for check in eligibility_of(tx, &association).await? {
            if !check.passed {
                errors.push(FieldError::new(
                    "/to",
                    format!("not eligible ({}): {}", check.code.as_str(), check.detail),
                ));
            }
        }
    }
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let (actor_type, actor_id) = context.actor.parts();
    let record = transition::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(id),
        from_status: Set(from),
        to_status: Set(request.to),
        reason: Set(reason),
        r#override: Set(overriding),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
        occurred_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    let written = resource::update::<association::Entity>(
        tx,
        context,
        current,
        expected,
        "transitioned",
        true,
        |row| row.status = Set(request.to),
    )
    .await?;
    let association = with_links_one(tx, written.row).await?;
    Ok((association, record))
}

/// The transitions of an association, oldest first, paged.
pub async fn transitions(
    db: &impl ConnectionTrait,
    id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<transition::Model>, DomainError> {
    resource::find_live::<association::Entity>(db, id, scope).await?;
    let select = transition::Entity::find().filter(transition::Column::AssociationId.eq(id));
    paging::by_unique_key(db, select, transition::Column::Id, Order::Asc, page, |t| {
        KeyValue::Uuid(t.id)
    })
    .await
}

/// One transition of an association.
pub async fn transition_record(
    db: &impl ConnectionTrait,
    id: Uuid,
    transition_id: Uuid,
    scope: &CallerScope,
) -> Result<transition::Model, DomainError> {
    resource::find_live::<association::Entity>(db, id, scope).await?;
    transition::Entity::find_by_id(transition_id)
        .filter(transition::Column::AssociationId.eq(id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("transition"))
}
