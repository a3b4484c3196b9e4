//! Certificates of attendance: what a completed enrolment states, and the public check of a
//! verification code, which tells nothing personal beyond initials.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::enrollments::{self, Enrollment, is_certificate_code};
use super::entity::enrollment;
use super::modules::{self, Module};
use crate::DomainError;
use crate::association::entity::association as association_table;
use crate::error::Refusal;
use crate::person::entity::person;
use crate::policy::CallerScope;

/// What a certificate states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The enrolment it certifies.
    pub enrollment: Enrollment,
    /// The module.
    pub module: Module,
    /// The participant's first name.
    pub first_name: String,
    /// The participant's last name.
    pub last_name: String,
    /// Her association's name.
    pub association_name: String,
    /// The first day attended.
    pub first_day_on: NaiveDate,
    /// The day that completed the module.
    pub completed_on: NaiveDate,
}

/// What anyone may learn from a verification code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The participant's initials, such as `A. N. D.`.
    pub initials: String,
    /// The module.
    pub module: Module,
    /// The day that completed the module.
    pub completed_on: NaiveDate,
}

/// `A. N. F. D.` from "Aïssatou Ndèye Françoise" "Diop".
pub fn initials(first_name: &str, last_name: &str) -> String {
    first_name
        .split_whitespace()
        .chain(last_name.split_whitespace())
        .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_uppercase)
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_completed(enrollment: &Enrollment) -> DomainError {
    DomainError::Refused(Refusal::conflict(
        "not_completed",
        "Module not completed",
        format!(
            "the certificate is issued once the module is completed: {} of the {} days required attended",
            enrollment.completion.attended_days, enrollment.required_days
        ),
    ))
}

/// The certificate of an enrolment the caller may see, once completed.
pub async fn certificate(
    db: &impl ConnectionTrait,
    enrollment_id: Uuid,
    scope: &CallerScope,
) -> Result<Certificate, DomainError> {
    let enrollment = enrollments::get(db, enrollment_id, scope).await?;
    let (Some(first_day_on), Some(completed_on)) = (
        enrollment.completion.first_day_on,
        enrollment.completion.completed_on,
    ) else {
        return Err(not_completed(&enrollment));
    };
    // An erased person's certificates are gone: none names her, none verifies publicly.
    let person = person::Entity::find_by_id(enrollment.row.person_id)
        .one(db)
        .await?
        .filter(|p| p.erased_at.is_none())
        .ok_or(DomainError::NotFound("certificate"))?;
    let association = association_table::Entity::find_by_id(enrollment.row.association_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("association"))?;
    let module = modules::get(db, enrollment.row.module_id, &CallerScope::SYSTEM).await?;
    Ok(Certificate {
        first_name: person.first_name,
        last_name: person.last_name,
        association_name: association.name,
        module,
        first_day_on,
        completed_on,
        enrollment,
    })
}

/// Confirms a verification code: the certificate exists, its enrolment is live and completed.
/// Anything else is "not found", so a code reveals nothing until it is valid.
pub async fn verify(db: &impl ConnectionTrait, code: &str) -> Result<Verification, DomainError> {
    let missing = || DomainError::NotFound("certificate");
    if !is_certificate_code(code) {
        return Err(missing());
    }
    let row = enrollment::Entity::find()
        .filter(enrollment::Column::CertificateCode.eq(code))
        .filter(enrollment::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let certificate = certificate(db, row.id, &CallerScope::SYSTEM)
        .await
        .map_err(|e| match e {
            DomainError::Refused(_) | DomainError::NotFound(_) => missing(),
            other => other,
        })?;
    Ok(Verification {
        initials: initials(&certificate.first_name, &certificate.last_name),
        module: certificate.module,
        completed_on: certificate.completed_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_keep_accents_and_skip_punctuation() {
        assert_eq!(initials("Aïssatou Ndèye Françoise", "Diop"), "A. N. F. D.");
        assert_eq!(initials("Élise", "d'Almeida"), "É. D.");
        assert_eq!(initials("", ""), "");
    }
}
