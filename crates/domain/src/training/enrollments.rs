//! Enrolments: a representative of a selected (or active) association in a module, at most
//! `max_representatives_per_association` of one association per module. Enrolling the first
//! representative of a `selected` association makes it `active`, a transition made by the
//! system.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::completion::{self, Completion, Which};
use super::entity::{AssessmentKind, EnrollmentStatus, assessment, enrollment, module};

/// The enrolment table, edited through the write layer.
pub use super::entity::enrollment::Entity;
use super::modules::{Module, required_days};
use crate::association::entity::association as association_table;
use crate::association::{self, Status, TransitionRequest};
use crate::audit::{Actor, AuditContext};
use crate::db::Tx;
use crate::error::Refusal;
use crate::paging::{self, KeyValue, Order, Page, PageRequest};
use crate::person::entity::person;
use crate::policy::CallerScope;
use crate::resource::{self, Precondition};
use crate::{DomainError, FieldError};

/// An enrolment as read: the row, where it stands on attendance, and its assessments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// The stored row.
    pub row: enrollment::Model,
    /// Days attended and when the module was completed.
    pub completion: Completion,
    /// Days to attend to complete the module.
    pub required_days: i32,
    /// Score before the module.
    pub pre_score: Option<i32>,
    /// Score after the module.
    pub post_score: Option<i32>,
}

impl Enrollment {
    /// Whether the module is completed.
    pub fn completed(&self) -> bool {
        self.completion.completed_on.is_some()
    }

    /// Post score minus pre score, once both are known.
    pub fn knowledge_gain(&self) -> Option<i32> {
        Some(self.post_score? - self.pre_score?)
    }
}

/// Reads completion, required days and scores for stored enrolments: three queries however
/// many rows.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<enrollment::Model>,
) -> Result<Vec<Enrollment>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let completions = completion::of(db, Which::Enrollments(&ids)).await?;
    let mut module_ids: Vec<Uuid> = rows.iter().map(|r| r.module_id).collect();
    module_ids.sort_unstable();
    module_ids.dedup();
    let modules = if module_ids.is_empty() {
        vec![]
    } else {
        module::Entity::find()
            .filter(module::Column::Id.is_in(module_ids))
            .all(db)
            .await?
    };
    let scores = if ids.is_empty() {
        vec![]
    } else {
        assessment::Entity::find()
            .filter(assessment::Column::EnrollmentId.is_in(ids))
            .filter(assessment::Column::DeletedAt.is_null())
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|row| {
            let module = modules
                .iter()
                .find(|m| m.id == row.module_id)
                .ok_or_else(|| DomainError::Internal(format!("enrolment {}: no module", row.id)))?;
            let score = |kind| {
                scores
                    .iter()
                    .find(|s| s.enrollment_id == row.id && s.kind == kind)
                    .map(|s| s.score)
            };
            Ok(Enrollment {
                completion: completions.get(&row.id).copied().unwrap_or_default(),
                required_days: required_days(module.planned_days, module.min_attendance_pct),
                pre_score: score(AssessmentKind::Pre),
                post_score: score(AssessmentKind::Post),
                row,
            })
        })
        .collect()
}

async fn view(
    db: &impl ConnectionTrait,
    row: enrollment::Model,
) -> Result<Enrollment, DomainError> {
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("an enrolment vanished while loading".into()))
}

/// Gives enrolments a new version because what they show changed beside them (attendance,
/// assessments, the module's figures): their `ETag` moves on and the change feed carries them,
/// so a client holding an old copy learns that attended days or scores changed.
pub async fn touch(tx: &Tx, context: &AuditContext, ids: &[Uuid]) -> Result<(), DomainError> {
    if ids.is_empty() {
        return Ok(());
    }
    touch_where(
        tx,
        context,
        Condition::all().add(enrollment::Column::Id.is_in(ids.to_vec())),
    )
    .await
}

/// [`touch`] of every live enrolment `condition` selects (all of a module's, say).
pub async fn touch_where(
    tx: &Tx,
    context: &AuditContext,
    condition: Condition,
) -> Result<(), DomainError> {
    let locked = resource::lock_live_where::<enrollment::Entity>(tx, condition).await?;
    let ids: Vec<Uuid> = locked.iter().map(|row| row.row().id).collect();
    let completions = completion::of(tx, Which::Enrollments(&ids)).await?;
    for row in locked {
        let completed_on = completions
            .get(&row.row().id)
            .and_then(|done| done.completed_on);
        // The report reads the day kept here (`training::completion`).
        resource::update::<enrollment::Entity>(
            tx,
            context,
            row,
            &Precondition::None,
            "recomputed",
            true,
            |row| row.completed_on = Set(completed_on),
        )
        .await?;
    }
    Ok(())
}

/// What the enrolment rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentFacts {
    /// The person represents her association.
    pub is_representative: bool,
    /// Her association's status.
    pub association_status: Status,
    /// The module's code, for messages.
    pub module_code: String,
    /// The association's other representatives enrolled in the module.
    pub others_enrolled: u64,
    /// The module's limit per association.
    pub max_per_association: i32,
}

/// The enrolment rules, in order: a representative, of a selected or active association,
/// below the module's limit. Each refusal has its own code and names the field.
pub fn check_rules(facts: &EnrolmentFacts) -> Result<(), DomainError> {
    if !facts.is_representative {
        return Err(DomainError::Refused(Refusal::unprocessable(
            "not_a_representative",
            "Not a representative",
            "/person_id",
            "only a representative of her association can be enrolled (is_representative is false)",
        )));
    }
    if !matches!(facts.association_status, Status::Selected | Status::Active) {
        return Err(DomainError::Refused(Refusal::unprocessable(
            "association_not_selected",
            "Association not selected",
            "/person_id",
            format!(
                "her association is {}; only selected or active associations take part in the training",
                facts.association_status.as_str()
            ),
        )));
    }
    if facts.others_enrolled >= u64::try_from(facts.max_per_association).unwrap_or(0) {
        return Err(DomainError::Refused(Refusal::unprocessable(
            "representative_limit_reached",
            "Representative limit reached",
            "/module_id",
            format!(
                "{} already has {} representatives of this association enrolled, the most it takes",
                facts.module_code, facts.others_enrolled
            ),
        )));
    }
    Ok(())
}

/// A new verification code, `XXXX-XXXX-XXXX` in Crockford's base 32 (no I, L, O or U, so it
/// reads aloud): 60 random bits of a fresh UUID v7.
fn certificate_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = Uuid::now_v7().as_u128();
    let chars: Vec<char> = (0..12)
        .map(|i| char::from(ALPHABET[((bits >> (5 * i)) & 31) as usize]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether a text has the shape of a verification code.
pub fn is_certificate_code(code: &str) -> bool {
    code.len() == 14
        && code.char_indices().all(|(i, c)| {
            if i == 4 || i == 9 {
                c == '-'
            } else {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            }
        })
}

/// A new enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentInput {
    /// A representative of a selected or active association.
    pub person_id: Uuid,
    /// A live module.
    pub module_id: Uuid,
}

async fn facts(
    db: &impl ConnectionTrait,
    person: &person::Model,
    module: &Module,
    except: Option<Uuid>,
) -> Result<EnrolmentFacts, DomainError> {
    let status = association_table::Entity::find_by_id(person.association_id)
        .one(db)
        .await?
        .map(|a| a.status)
        .ok_or(DomainError::NotFound("association"))?;
    let mut others = enrollment::Entity::find()
        .filter(enrollment::Column::ModuleId.eq(module.row.id))
        .filter(enrollment::Column::AssociationId.eq(person.association_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Enrolled))
        .filter(enrollment::Column::DeletedAt.is_null())
        // Her own enrolment is not another's place: enrolling her twice is a duplicate (409).
        .filter(enrollment::Column::PersonId.ne(person.id));
    if let Some(id) = except {
        others = others.filter(enrollment::Column::Id.ne(id));
    }
    Ok(EnrolmentFacts {
        is_representative: person.is_representative,
        association_status: status,
        module_code: module.row.code.clone(),
        others_enrolled: others.count(db).await?,
        max_per_association: module.row.max_representatives_per_association,
    })
}

/// Enrols a representative. Writers are serialised, so the limit holds under parallel
/// requests: of several enrolments racing for the last place exactly one gets it.
pub async fn create(
    tx: &Tx,
    context: &AuditContext,
    input: &EnrollmentInput,
    scope: &CallerScope,
) -> Result<Enrollment, DomainError> {
    let person = person::Entity::find_by_id(input.person_id)
        .filter(person::Column::DeletedAt.is_null())
        .filter(person::Column::AssociationId.in_subquery(association::live_ids()))
        .one(tx)
        .await?
        .filter(|p| scope.sees(crate::policy::Owner::Association(p.association_id)));
    if let Some(at) = person.as_ref().and_then(|p| p.erased_at) {
        return Err(crate::privacy::erasure::already_erased(at));
    }
    let module = module::Entity::find_by_id(input.module_id)
        .filter(module::Column::DeletedAt.is_null())
        .one(tx)
        .await?;
    let mut errors = Vec::new();
    if person.is_none() {
        errors.push(FieldError::new(
            "/person_id",
            "must be a person of the registry",
        ));
    }
    if module.is_none() {
        errors.push(FieldError::new(
            "/module_id",
            "must be a module of /api/v1/modules",
        ));
    }
    let (Some(person), Some(module)) = (person, module) else {
        return Err(DomainError::Invalid(errors));
    };
    let module = Module::of(module)?;
    let duplicate = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.eq(person.id))
        .filter(enrollment::Column::ModuleId.eq(module.row.id))
        .filter(enrollment::Column::DeletedAt.is_null())
        .one(tx)
        .await?;
    if let Some(existing) = duplicate {
        return Err(DomainError::Refused(Refusal::conflict(
            "already_enrolled",
            "Already enrolled",
            format!(
                "she already has enrolment {} in {} ({}); change its status instead",
                existing.id,
                module.row.code,
                match existing.status {
                    EnrollmentStatus::Enrolled => "enrolled",
                    EnrollmentStatus::Withdrawn => "withdrawn",
                }
            ),
        )));
    }
    let facts = facts(tx, &person, &module, None).await?;
    check_rules(&facts)?;
    let row = enrollment::ActiveModel {
        person_id: Set(person.id),
        association_id: Set(person.association_id),
        module_id: Set(module.row.id),
        status: Set(EnrollmentStatus::Enrolled),
        certificate_code: Set(certificate_code()),
        ..Default::default()
    };
    let created = resource::insert::<enrollment::Entity>(tx, context, row).await?;
    if facts.association_status == Status::Selected {
        let request = TransitionRequest {
            to: Status::Active,
            reason: format!("first representative enrolled in {}", module.row.code),
            override_eligibility: false,
        };
        association::transition(
            tx,
            &context.as_actor(Actor::System),
            person.association_id,
            &request,
            &Precondition::None,
            &CallerScope::SYSTEM,
        )
        .await?;
    }
    view(tx, created).await
}

/// Reads one live enrolment the caller may see.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    scope: &CallerScope,
) -> Result<Enrollment, DomainError> {
    view(
        db,
        resource::find_live::<enrollment::Entity>(db, id, scope).await?,
    )
    .await
}

/// Filters of the enrolment list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrollmentFilter {
    /// Only in this module.
    pub module_id: Option<Uuid>,
    /// Only of this association's representatives.
    pub association_id: Option<Uuid>,
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only in this status.
    pub status: Option<EnrollmentStatus>,
}

/// Lists live enrolments the caller may see (a bound caller: its own association's), oldest
/// first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &EnrollmentFilter,
    page: &PageRequest,
    scope: &CallerScope,
) -> Result<Page<Enrollment>, DomainError> {
    let mut select = enrollment::Entity::find()
        .filter(enrollment::Column::DeletedAt.is_null())
        .filter(enrollment::Column::AssociationId.in_subquery(association::live_ids()));
    if let Some(own) = scope.bound_to {
        select = select.filter(enrollment::Column::AssociationId.eq(own));
    }
    if let Some(id) = filter.module_id {
        select = select.filter(enrollment::Column::ModuleId.eq(id));
    }
    if let Some(id) = filter.association_id {
        select = select.filter(enrollment::Column::AssociationId.eq(id));
    }
    if let Some(id) = filter.person_id {
        select = select.filter(enrollment::Column::PersonId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(enrollment::Column::Status.eq(status));
    }
    let page = paging::by_unique_key(db, select, enrollment::Column::Id, Order::Asc, page, |e| {
        KeyValue::Uuid(e.id)
    })
    .await?;
    Ok(Page {
        items: views(db, page.items).await?,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// Deletes a mistaken enrolment: one with attendance or assessments is withdrawn instead (409),
/// so no line or score is left without its enrolment.
pub async fn delete(
    tx: &Tx,
    context: &AuditContext,
    id: Uuid,
    expected: &Precondition,
    scope: &CallerScope,
) -> Result<(), DomainError> {
    let current = resource::lock_live::<enrollment::Entity>(tx, id, scope).await?;
    expected.check(current.version)?;
    let lines = super::entity::attendance::Entity::find()
        .filter(super::entity::attendance::Column::EnrollmentId.eq(id))
        .filter(super::entity::attendance::Column::DeletedAt.is_null())
        .count(tx)
        .await?;
    let scores = assessment::Entity::find()
        .filter(assessment::Column::EnrollmentId.eq(id))
        .filter(assessment::Column::DeletedAt.is_null())
        .count(tx)
        .await?;
    if lines + scores > 0 {
        return Err(DomainError::Refused(Refusal::conflict(
            "enrollment_has_records",
            "Enrolment has records",
            format!(
                "the enrolment has {lines} attendance lines and {scores} assessments; withdraw it instead"
            ),
        )));
    }
    resource::soft_delete::<enrollment::Entity>(tx, context, current, expected).await
}

/// Enrolments are edited (their status) through the write layer. Enrolling again
/// after a withdrawal keeps the rules of a new enrolment.
impl resource::Editable for enrollment::Entity {
    type View = Enrollment;
    type Input = EnrollmentStatus;
    type Valid = EnrollmentStatus;

    async fn view(tx: &Tx, row: enrollment::Model) -> Result<Enrollment, DomainError> {
        view(tx, row).await
    }

    fn input(current: &Enrollment) -> EnrollmentStatus {
        current.row.status
    }

    async fn check(
        tx: &Tx,
        current: &Enrollment,
        input: EnrollmentStatus,
        _scope: &CallerScope,
    ) -> Result<EnrollmentStatus, DomainError> {
        if input == EnrollmentStatus::Enrolled && current.row.status != input {
            let person = person::Entity::find_by_id(current.row.person_id)
                .filter(person::Column::DeletedAt.is_null())
                .one(tx)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid("/status", "cannot enrol again: the person was deleted")
                })?;
            if let Some(at) = person.erased_at {
                return Err(crate::privacy::erasure::already_erased(at));
            }
            let module = module::Entity::find_by_id(current.row.module_id)
                .one(tx)
                .await?
                .ok_or(DomainError::NotFound("module"))?;
            let facts = facts(tx, &person, &Module::of(module)?, Some(current.row.id)).await?;
            check_rules(&facts)?;
        }
        Ok(input)
    }

    fn apply(_current: &Enrollment, valid: &EnrollmentStatus, row: &mut enrollment::ActiveModel) {
        row.status = Set(*valid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> EnrolmentFacts {
        EnrolmentFacts {
            is_representative: true,
            association_status: Status::Selected,
            module_code: "M1".into(),
            others_enrolled: 1,
            max_per_association: 2,
        }
    }

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(DomainError::Refused(r)) => r.code,
            Err(_) => "other",
        }
    }

    #[test]
    fn representatives_of_selected_associations_up_to_the_limit() {
        assert_eq!(code(check_rules(&facts())), "ok");
        let active = EnrolmentFacts {
            association_status: Status::Active,
            ..facts()
        };
        assert_eq!(code(check_rules(&active)), "ok");
        let third = EnrolmentFacts {
            others_enrolled: 2,
            ..facts()
        };
        assert_eq!(code(check_rules(&third)), "representative_limit_reached");
        let member = EnrolmentFacts {
            is_representative: false,
            ..facts()
        };
        assert_eq!(code(check_rules(&member)), "not_a_representative");
        let applicant = EnrolmentFacts {
            association_status: Status::Applicant,
            ..facts()
        };
        assert_eq!(code(check_rules(&applicant)), "association_not_selected");
    }

    #[test]
    fn certificate_codes_have_their_shape() {
        let code = certificate_code();
        assert!(is_certificate_code(&code), "{code}");
        assert_ne!(code, certificate_code());
        assert!(!is_certificate_code("ABCD-EFGH-IJK"));
        assert!(!is_certificate_code("abcd-efgh-ijkl"));
    }
}
