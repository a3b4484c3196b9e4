//! The domain layer's one error type. Database errors are mapped here, once.

use sea_orm::{DbErr, SqlErr};

/// One invalid field: a JSON pointer into the input and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// RFC 6901 pointer to the offending field, such as `/email`.
    pub pointer: String,
    /// The rule that was broken, in plain words.
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer` saying `detail`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// How serious a business refusal is, which decides its HTTP status class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The request conflicts with the current state (409): an illegal transition, a name
    /// confusable with another.
    Conflict,
    /// Well-formed, but a business rule says no (422).
    Unprocessable,
    /// The caller may not do this to this record (403).
    Forbidden,
}

/// A business rule's refusal: a stable `code` clients switch on, a stable `title`, what went
/// wrong this time, and (for transitions) where the record may go instead. A new rule declares
/// its refusal here; the HTTP layer maps every refusal the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Stable `snake_case` identifier.
    pub code: &'static str,
    /// Short summary, stable for the code.
    pub title: &'static str,
    /// The status class.
    pub kind: RefusalKind,
    /// What went wrong this time, for people.
    pub detail: String,
    /// With transitions: the states the record may move to from where it is.
    pub allowed: Option<Vec<String>>,
    /// The fields at fault, when the refusal is about some (`/person_id`).
    pub errors: Vec<FieldError>,
}

impl Refusal {
    /// A refused status change: `from` allows only `allowed`.
    pub fn illegal_transition(from: &str, allowed: Vec<String>) -> Self {
        Self {
            code: "illegal_transition",
            title: "Transition not allowed",
            kind: RefusalKind::Conflict,
            detail: if allowed.is_empty() {
                format!("{from} is final: no transition leaves it")
            } else {
                format!(
                    "from {from} the allowed transitions are to {}",
                    allowed.join(", ")
                )
            },
            allowed: Some(allowed),
            errors: vec![],
        }
    }

    /// A business rule that says no to a well-formed request (422), about the field `pointer`.
    pub fn unprocessable(
        code: &'static str,
        title: &'static str,
        pointer: &str,
        detail: impl Into<String>,
    ) -> Self {
        let detail = detail.into();
        Self {
            code,
            title,
            kind: RefusalKind::Unprocessable,
            errors: vec![FieldError::new(pointer, detail.clone())],
            detail,
            allowed: None,
        }
    }

    /// A request that conflicts with the record's current state (409).
    pub fn conflict(code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            title,
            kind: RefusalKind::Conflict,
            detail: detail.into(),
            allowed: None,
            errors: vec![],
        }
    }
}

/// Everything a domain service can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing does not exist (or the caller may not know it does).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with current state, such as a duplicate natural key.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Well-formed input that breaks field or business rules, one entry per problem.
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// A query parameter the caller sent cannot be used (a cursor this API did not produce),
    /// found once the query runs; `FieldError::pointer` names the parameter.
    #[error("invalid parameter: {}", describe(.0))]
    InvalidParameter(Vec<FieldError>),
    /// The caller's `If-Match` names another version than the current one.
    #[error("stale version: the current version is {current}")]
    Stale {
        /// The version the record has now.
        current: i32,
    },
    /// The caller's `If-Match` names a current version of a record that does not exist yet.
    #[error("the record does not exist, so no version matches")]
    NoCurrentVersion,
    /// The caller's precondition cannot be read (an `If-Match` that is not an entity tag).
    #[error("the precondition is malformed")]
    BadPrecondition,
    /// The caller may not do this (an association-bound caller deleting an association, say).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A business rule refused the request.
    #[error("{}: {}", .0.code, .0.detail)]
    Refused(Refusal),
    /// The database failed; the cause is logged, never shown to a client.
    #[error("database error")]
    Database(#[source] DbErr),
    /// Anything else that should never happen (a hashing failure, say).
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// A single-field validation error.
    pub fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(pointer, detail)])
    }

    /// A query parameter that cannot be used.
    pub fn bad_parameter(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidParameter(vec![FieldError::new(name, detail)])
    }
}

/// "/email must be a valid email address; /password ...", for logs and the command line.
fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.pointer, e.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a record with the same unique value already exists".into())
            }
            _ => Self::Database(err),
        }
    }
}
