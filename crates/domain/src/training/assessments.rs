//! Assessments: a knowledge test before (`pre`) and after (`post`) a module, one of each per
//! enrolment; a correction is an edit of that assessment.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entity::{AssessmentKind, assessment, enrollment};

/// The assessment table, edited through the write layer.
pub use super::entity::assessment::Entity;
use crate::audit::AuditContext;
use crate::db::Tx;
use crate::error::Refusal;
use crate::policy::CallerScope;
use crate::resource;
use crate::{DomainError, FieldError, text, time};

/// An assessment's writable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentInput {
    /// Before or after the module (fixed once recorded).
    pub kind: AssessmentKind,
    /// 0-100.
    pub score: i32,
    /// Not in the future.
    pub taken_on: NaiveDate,
}

/// Checks the score and the date.
pub fn check(
    input: &AssessmentInput,
    today: NaiveDate,
) -> Result<AssessmentInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(0..=100).contains(&input.score) {
        errors.push(FieldError::new("/score", "must be 0 to 100"));
    }
    text::collect(
        &mut errors,
        time::check_past_date(input.taken_on, today, "/taken_on"),
    );
    if errors.is_empty() {
        Ok(input.clone())
    } else {
        Err(errors)
    }
}

/// Reads one live assessment the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<assessment::Model, DomainError> {
    resource::find_live::<assessment::Entity>(db, id, scope).await
}

/// The live assessments of an enrolment the caller may see (pre first).
pub async fn of_enrollment(
    db: &impl ConnectionTrait,
    enrollment_id: Uuid,
    scope: &CallerScope,
) -> Result<Vec<assessment::Model>, DomainError> {
    resource::find_live::<enrollment::Entity>(db, enrollment_id, scope).await?;
    Ok(assessment::Entity::find()
        .filter(assessment::Column::EnrollmentId.eq(enrollment_id))
        .filter(assessment::Column::DeletedAt.is_null())
        // `pre` before `post`.
        .order_by_desc(assessment::Column::Kind)
        .all(db)
        .await?)
}

/// Records an assessment of an enrolment; a second of the same kind is a conflict.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    enrollment_id: Uuid,
    input: &AssessmentInput,
    scope: &CallerScope,
) -> Result<assessment::Model, DomainError> {
    let enrollment = resource::lock_live::<enrollment::Entity>(tx, enrollment_id, scope).await?;
    let valid = check(input, time::brussels_today()).map_err(DomainError::Invalid)?;
    let existing = assessment::Entity::find()
        .filter(assessment::Column::EnrollmentId.eq(enrollment_id))
        .filter(assessment::Column::Kind.eq(valid.kind))
        .filter(assessment::Column::DeletedAt.is_null())
        .one(tx)
        .await?;
    if let Some(existing) = existing {
        return Err(DomainError::Refused(Refusal::conflict(
            "assessment_exists",
            "Assessment already recorded",
            format!(
                "this enrolment already has its {} assessment ({}); correct it with PATCH",
                match valid.kind {
                    AssessmentKind::Pre => "pre",
                    AssessmentKind::Post => "post",
                },
                existing.id
            ),
        )));
    }
    let row = assessment::ActiveModel {
        enrollment_id: Set(enrollment_id),
        association_id: Set(enrollment.association_id),
        kind: Set(valid.kind),
        score: Set(valid.score),
        taken_on: Set(valid.taken_on),
        ..Default::default()
    };
    let created = resource::insert::<assessment::Entity>(tx, context, row).await?;
    super::enrollments::touch(tx, context, &[enrollment_id]).await?;
    Ok(created)
}

/// Deletes an assessment; its enrolment shows the score no more.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &resource::Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let current = resource::lock_live::<assessment::Entity>(tx, id, scope).await?;
    let enrollment_id = current.enrollment_id;
    resource::soft_delete::<assessment::Entity>(tx, context, current, expected).await?;
    super::enrollments::touch(tx, context, &[enrollment_id]).await
}

/// Assessments are corrected and deleted through the write layer; the kind stays.
impl resource::Editable for assessment::Entity {
    type View = assessment::Model;
    type Input = AssessmentInput;
    type Valid = AssessmentInput;

    async fn view(_tx: &Tx, row: assessment::Model) -> Result<assessment::Model, DomainError> {
        Ok(row)
    }

    fn input(current: &assessment::Model) -> AssessmentInput {
        AssessmentInput {
            kind: current.kind,
            score: current.score,
            taken_on: current.taken_on,
        }
    }

    async fn check(
        _tx: &Tx,
        current: &assessment::Model,
        input: AssessmentInput,
        _scope: &CallerScope,
    ) -> Result<AssessmentInput, DomainError> {
        let input = AssessmentInput {
            kind: current.kind,
            ..input
        };
        check(&input, time::brussels_today()).map_err(DomainError::Invalid)
    }

    fn apply(
        _current: &assessment::Model,
        valid: &AssessmentInput,
        row: &mut assessment::ActiveModel,
    ) {
        row.score = Set(valid.score);
        row.taken_on = Set(valid.taken_on);
    }

    async fn write_beside(
        tx: &Tx,
        context: &AuditContext,
        current: &assessment::Model,
        valid: &AssessmentInput,
    ) -> Result<(), DomainError> {
        if valid.score != current.score {
            super::enrollments::touch(tx, context, &[current.enrollment_id]).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_0_to_100_and_dates_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let ok = AssessmentInput {
            kind: AssessmentKind::Pre,
            score: 100,
            taken_on: today,
        };
        assert!(check(&ok, today).is_ok());
        let bad = AssessmentInput {
            score: 101,
            taken_on: today.succ_opt().unwrap_or(today),
            ..ok
        };
        let pointers: Vec<String> = check(&bad, today)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/score", "/taken_on"]);
        let negative = AssessmentInput { score: -1, ..ok };
        assert!(check(&negative, today).is_err());
    }
}
