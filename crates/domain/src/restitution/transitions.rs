//! The review cycle: `planned → reported → validated`, `reported → returned → reported`, and
//! `planned → cancelled`, each move recorded with its comment and actor. Only programme staff
//! validate or return; reporting needs a past date, attendees and evidence, and facilitators
//! who completed the modules by then.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::entity::{RestitutionStatus, restitution, transition};
use super::rules::{self, ReportFacts};
use super::{Restitution, check_training, evidence, module_codes};
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::{Refusal, RefusalKind};
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError, text, time};

/// A move asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    /// Target status.
    pub to: RestitutionStatus,
    /// Why: required when returning a report (1-1000 characters), optional otherwise.
    pub comment: Option<String>,
}

/// Moves a restitution, recording the move. The row is locked first, so of concurrent moves
/// from one status exactly one wins and the others find the status moved (409 with where it
/// may go now). Not found, a review by someone who may not review (403), stale `If-Match`
/// (412), an illegal move (409), the comment, then what a report needs.
pub async fn transition(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    request: &TransitionRequest,
    expected: &Precondition,
    scope: &CallerScope,
    reviewer: bool,
) -> Result<(Restitution, transition::Model), DomainError> {
    let current = resource::lock_live::<restitution::Entity>(tx, id, scope).await?;
    if request.to.is_review() && !reviewer {
        return Err(DomainError::Refused(Refusal {
            code: "review_reserved",
            title: "Review reserved to programme staff",
            kind: RefusalKind::Forbidden,
            detail: format!(
                "only programme staff move a restitution to {}",
                request.to.as_str()
            ),
            allowed: None,
            errors: vec![],
        }));
    }
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
    if request.to == RestitutionStatus::Returned && comment.is_none() {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "/comment",
            "is required when returning a report: say what to change (1-1000 characters)",
        )]));
    }
    let restitution = Restitution::new(current.row().clone())?;
    if request.to == RestitutionStatus::Reported {
        check_report(tx, &restitution).await?;
    }
    let (actor_type, actor_id) = context.actor.parts();
    let record = transition::ActiveModel {
        id: Set(Uuid::now_v7()),
        restitution_id: Set(id),
        association_id: Set(current.association_id),
        from_status: Set(from),
        to_status: Set(request.to),
        comment: Set(comment),
        actor_type: Set(actor_type),
        actor_id: Set(actor_id),
        occurred_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    let written = resource::update::<restitution::Entity>(
        tx,
        context,
        current,
        expected,
        "transitioned",
        true,
        |row| row.status = Set(request.to),
    )
    .await?;
    Ok((Restitution::new(written.row)?, record))
}

/// What a report needs: a date held not in the future, attendees, evidence, and facilitators
/// trained by that date.
async fn check_report(tx: &Tx, restitution: &Restitution) -> Result<(), DomainError> {
    let facts = ReportFacts {
        held_on: restitution.row.held_on,
        attendees_total: restitution.attendees().total(),
        evidence: evidence::count(tx, restitution.row.id).await?,
        today: time::brussels_today(),
    };
    if let Some(gap) = rules::report_gap(&facts) {
        return Err(DomainError::Refused(Refusal::unprocessable(
            gap.code,
            gap.title,
            gap.pointer,
            gap.detail,
        )));
    }
    check_training(
        tx,
        &restitution.facilitator_ids,
        &restitution.module_ids,
        restitution.row.held_on,
        &module_codes(tx, &restitution.module_ids).await?,
    )
    .await
}

/// The moves of a restitution, oldest first, paged.
pub async fn list(
    db: &impl ConnectionTrait,
    id: Uuid,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<transition::Model>, DomainError> {
    resource::find_live::<restitution::Entity>(db, id, scope).await?;
    let select = transition::Entity::find().filter(transition::Column::RestitutionId.eq(id));
    paging::by_unique_key(db, select, transition::Column::Id, Order::Asc, page, |t| {
        KeyValue::Uuid(t.id)
    })
    .await
}

/// One move of a restitution.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    transition_id: Uuid,
    scope: &CallerScope,
) -> Result<transition::Model, DomainError> {
    resource::find_live::<restitution::Entity>(db, id, scope).await?;
    transition::Entity::find_by_id(transition_id)
        .filter(transition::Column::RestitutionId.eq(id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("transition"))
}
