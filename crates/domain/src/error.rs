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
    /// The caller's `If-Match` names another version than the current one.
    #[error("stale version: the current version is {current}")]
    Stale {
        /// The version the record has now.
        current: i32,
    },
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
