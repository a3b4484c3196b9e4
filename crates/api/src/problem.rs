//! RFC 9457 problem details: the API's one error type and its single table to HTTP.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use empower_domain::{DomainError, FieldError, Refusal, RefusalKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Base of the `type` URIs; `type` is this plus the `code`.
const TYPE_BASE: &str = "https://empower.example/problems/";

/// One problem with one input: a body field (`pointer`) or a query, path or header
/// parameter (`parameter`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemItem {
    /// RFC 6901 JSON pointer into the request body, such as `/enterprise_number`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/email")]
    pub pointer: Option<String>,
    /// Name of the query, path or header parameter at fault, such as `limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(null))]
    pub parameter: Option<String>,
    /// The rule that was broken.
    #[schema(example = "must be a valid email address")]
    pub detail: String,
}

impl ProblemItem {
    /// A problem with a body field.
    pub fn pointer(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer.into()),
            parameter: None,
            detail: detail.into(),
        }
    }

    /// A problem with a query, path or header parameter.
    pub fn parameter(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: Some(name.into()),
            detail: detail.into(),
        }
    }
}

/// An RFC 9457 problem details body, returned with every 4xx and 5xx status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://empower.example/problems/invalid_parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "limit: must be at least 1",
    "instance": "/api/v1/countries",
    "code": "invalid_parameter",
    "request_id": "0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e",
    "errors": [{"parameter": "limit", "detail": "must be at least 1"}]
}))]
pub struct Problem {
    /// URI identifying the problem type; ends in the `code`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary, stable for a given `code`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path that produced the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable `snake_case` identifier that clients switch on.
    pub code: String,
    /// The request id (also in the `X-Request-Id` header), to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// One entry per invalid input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
    /// With `illegal_transition`: the statuses the resource may move to from where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allowed: Option<Vec<String>>,
}

/// Every error the HTTP layer answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not readable JSON of the expected shape.
    #[error("malformed body: {detail}")]
    MalformedBody {
        /// What could not be read.
        detail: String,
        /// The field at fault, when known.
        errors: Vec<ProblemItem>,
    },
    /// A query, path or header parameter has a value this operation does not accept.
    #[error("invalid parameter: {0:?}")]
    InvalidParameter(Vec<ProblemItem>),
    /// No credentials, or credentials that are not valid.
    #[error("unauthorized")]
    Unauthorized,
    /// Login refused: unknown email, wrong password or deactivated account (indistinguishable).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A token was presented but is not valid (expired, tampered, unknown key, revoked subject).
    #[error("invalid token")]
    InvalidToken,
    /// Authenticated, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// Absent, or not the caller's to see.
    #[error("{0} not found")]
    NotFound(String),
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path does accept.
        allow: Vec<String>,
    },
    /// Conflicts with current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// An `Idempotency-Key` reused with another request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still running.
    #[error("idempotency key in flight")]
    IdempotencyKeyInFlight,
    /// A business rule's refusal (an illegal transition, a look-alike name...): its own code,
    /// title and status class, declared by the domain.
    #[error("refused: {}", .0.code)]
    Refused(Refusal),
    /// `If-Match` names another version than the current one: nothing was written.
    #[error("precondition failed")]
    PreconditionFailed,
    /// The body is larger than this operation accepts.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The request line or headers could not be read (refused before routing).
    #[error("malformed request")]
    MalformedRequest,
    /// The request head did not arrive in time (refused before routing).
    #[error("request timeout")]
    RequestTimeout,
    /// The request target (path and query) is longer than the server reads.
    #[error("URI too long")]
    UriTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The request's headers are larger, or more, than the server reads.
    #[error("request headers too large")]
    HeadersTooLarge {
        /// The limit on their total size, in bytes.
        limit: usize,
    },
    /// The body's content type is not one this operation accepts.
    #[error("unsupported media type")]
    UnsupportedMediaType {
        /// The accepted media types.
        expected: Vec<String>,
    },
    /// Well-formed input that breaks field or business rules.
    #[error("validation failed")]
    Validation(Vec<ProblemItem>),
    /// Too many attempts: retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until an attempt may succeed.
        retry_after: u64,
    },
    /// The database is not answering.
    #[error("service unavailable")]
    Unavailable,
    /// A failure the client cannot fix; the cause is logged with the request id, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The status, stable code and stable title: the one table of the API's errors.
    pub fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::MalformedBody { .. } => (
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "Malformed request body",
            ),
            Self::InvalidParameter(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "Invalid parameter",
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            Self::InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token", "Invalid token"),
            Self::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Invalid credentials",
            ),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            Self::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            Self::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
            ),
            Self::IdempotencyKeyInFlight => (
                StatusCode::CONFLICT,
                "idempotency_key_in_flight",
                "Request already in progress",
            ),
            Self::Refused(refusal) => (
                match refusal.kind {
                    RefusalKind::Conflict => StatusCode::CONFLICT,
                    RefusalKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
                    RefusalKind::Forbidden => StatusCode::FORBIDDEN,
                },
                refusal.code,
                refusal.title,
            ),
            Self::Conflict(_) => (
                StatusCode::CONFLICT,
                "conflict",
                "Conflict with current state",
            ),
            Self::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "Version mismatch",
            ),
            Self::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests",
            ),
            Self::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Request body too large",
            ),
            Self::MalformedRequest => (
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "Malformed request",
            ),
            Self::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "Request not received in time",
            ),
            Self::UriTooLong { .. } => (
                StatusCode::URI_TOO_LONG,
                "uri_too_long",
                "Request target too long",
            ),
            Self::HeadersTooLarge { .. } => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
                "Request headers too large",
            ),
            Self::UnsupportedMediaType { .. } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            Self::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Request validation failed",
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "Service unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal server error",
            ),
        }
    }

    /// The problem body for this error (without `instance` and `request_id`, which the
    /// request-context middleware adds).
    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        let (detail, errors) = match self {
            Self::MalformedBody { detail, errors } => (Some(detail.clone()), errors.clone()),
            Self::InvalidParameter(errors) => (Some(summarise(errors)), errors.clone()),
            Self::Validation(errors) => (Some(summarise(errors)), errors.clone()),
            Self::Unauthorized => (Some("a valid bearer token is required".into()), vec![]),
            Self::InvalidCredentials => (
                Some("the email or the password is not right".into()),
                vec![],
            ),
            Self::InvalidToken => (
                Some("the token is expired, malformed, or no longer valid".into()),
                vec![],
            ),
            Self::Forbidden => (Some("your role or scopes do not allow this".into()), vec![]),
            Self::PreconditionFailed => (
                Some("If-Match does not name the current version; read the resource again".into()),
                vec![],
            ),
            Self::TooManyRequests { retry_after } => (
                Some(format!(
                    "too many attempts; retry after {retry_after} seconds"
                )),
                vec![],
            ),
            Self::NotFound(what) => (Some(format!("{what} not found")), vec![]),
            Self::MethodNotAllowed { allow } => (
                Some(format!("this path accepts {}", allow.join(", "))),
                vec![],
            ),
            Self::Conflict(detail) => (Some(detail.clone()), vec![]),
            Self::IdempotencyKeyReused => (
                Some("this Idempotency-Key was used with another request; use a new key".into()),
                vec![],
            ),
            Self::IdempotencyKeyInFlight => (
                Some(
                    "the first request with this Idempotency-Key is still running; retry later"
                        .into(),
                ),
                vec![],
            ),
            Self::Refused(refusal) => (
                Some(refusal.detail.clone()),
                refusal.errors.iter().cloned().map(item).collect(),
            ),
            Self::PayloadTooLarge { limit } => (
                Some(format!("the body must be at most {limit} bytes")),
                vec![],
            ),
            Self::MalformedRequest => (
                Some(
                    "the request line or headers could not be read: a target or header with \
                     characters HTTP does not allow, a missing Host, or more than the server reads"
                        .into(),
                ),
                vec![],
            ),
            Self::RequestTimeout => (
                Some("the request head was not received in time".into()),
                vec![],
            ),
            Self::UriTooLong { limit } => (
                Some(format!("the path and query must be at most {limit} bytes")),
                vec![],
            ),
            Self::HeadersTooLarge { limit } => (
                Some(format!(
                    "the headers must be at most {limit} bytes in all, and at most 64 of them"
                )),
                vec![],
            ),
            Self::UnsupportedMediaType { expected } => (
                Some(format!("send the body as {}", expected.join(" or "))),
                vec![],
            ),
            Self::Unavailable => (Some("the database is not answering".into()), vec![]),
            Self::Internal(_) => (
                Some("an unexpected error occurred; quote the request id when reporting it".into()),
                vec![],
            ),
        };
        Problem {
            type_: format!("{TYPE_BASE}{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            instance: None,
            code: code.into(),
            request_id: None,
            errors,
            allowed: match self {
                Self::Refused(refusal) => refusal.allowed.clone(),
                _ => None,
            },
        }
    }
}

/// "limit: must be at least 1" for one error, "2 inputs are invalid" for more.
fn summarise(errors: &[ProblemItem]) -> String {
    match errors {
        [one] => {
            let place = one
                .pointer
                .as_deref()
                .or(one.parameter.as_deref())
                .unwrap_or("input");
            format!("{place}: {}", one.detail)
        }
        many => format!("{} inputs are invalid", many.len()),
    }
}

/// The problem for a bare status produced outside our handlers (actix's own 404, 405, 413...).
pub fn problem_for_status(status: StatusCode) -> Problem {
    let error = match status.as_u16() {
        400 => ApiError::MalformedBody {
            detail: "the request could not be read".into(),
            errors: vec![],
        },
        401 => ApiError::Unauthorized,
        403 => ApiError::Forbidden,
        404 => ApiError::NotFound("resource".into()),
        405 => ApiError::MethodNotAllowed { allow: vec![] },
        409 => ApiError::Conflict("the request conflicts with current state".into()),
        412 => ApiError::PreconditionFailed,
        429 => ApiError::TooManyRequests { retry_after: 60 },
        413 => ApiError::PayloadTooLarge {
            limit: crate::extract::BODY_LIMIT,
        },
        414 => ApiError::UriTooLong {
            limit: crate::middleware::URI_LIMIT,
        },
        431 => ApiError::HeadersTooLarge {
            limit: crate::middleware::HEADERS_LIMIT,
        },
        415 => ApiError::UnsupportedMediaType {
            expected: vec!["application/json".into()],
        },
        422 => ApiError::Validation(vec![]),
        503 => ApiError::Unavailable,
        500..=599 => ApiError::Internal(String::new()),
        _ => {
            let code = status.canonical_reason().unwrap_or("error");
            return Problem {
                type_: format!("{TYPE_BASE}{}", snake(code)),
                title: code.into(),
                status: status.as_u16(),
                detail: None,
                instance: None,
                code: snake(code),
                request_id: None,
                errors: vec![],
                allowed: None,
            };
        }
    };
    let mut problem = error.problem();
    problem.status = status.as_u16();
    problem
}

fn snake(reason: &str) -> String {
    reason
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::Unauthorized | Self::InvalidCredentials => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::InvalidToken => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""));
            }
            Self::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        response.body(serde_json::to_vec(&problem).unwrap_or_default())
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(what) => Self::NotFound(what.to_owned()),
            DomainError::Conflict(detail) => Self::Conflict(detail),
            DomainError::Stale { .. } | DomainError::NoCurrentVersion => Self::PreconditionFailed,
            DomainError::BadPrecondition => Self::InvalidParameter(vec![ProblemItem::parameter(
                "If-Match",
                "must be `*` or a list of entity tags such as \"3\"",
            )]),
            DomainError::Forbidden(detail) => Self::Refused(Refusal {
                code: "forbidden",
                title: "Not allowed",
                kind: RefusalKind::Forbidden,
                detail,
                allowed: None,
                errors: vec![],
            }),
            DomainError::Refused(refusal) => Self::Refused(refusal),
            DomainError::Invalid(errors) => {
                Self::Validation(errors.into_iter().map(item).collect())
            }
            DomainError::InvalidParameter(errors) => Self::InvalidParameter(
                errors
                    .into_iter()
                    .map(|e| ProblemItem::parameter(e.pointer, e.detail))
                    .collect(),
            ),
            DomainError::Database(db) => Self::Internal(format!("database: {db}")),
            DomainError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<empower_domain::db::DbErr> for ApiError {
    fn from(err: empower_domain::db::DbErr) -> Self {
        DomainError::from(err).into()
    }
}

fn item(error: FieldError) -> ProblemItem {
    ProblemItem::pointer(error.pointer, error.detail)
}

/// Maps a domain error about query parameters (paging, filters) to a 400 naming the parameter.
pub fn parameter_error(err: DomainError) -> ApiError {
    match err {
        DomainError::Invalid(errors) => ApiError::InvalidParameter(
            errors
                .into_iter()
                .map(|e| ProblemItem::parameter(e.pointer.trim_start_matches('/'), e.detail))
                .collect(),
        ),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_problem_with_matching_status_and_type() {
        let errors = [
            ApiError::MalformedBody {
                detail: "x".into(),
                errors: vec![],
            },
            ApiError::InvalidParameter(vec![ProblemItem::parameter("limit", "must be at least 1")]),
            ApiError::Unauthorized,
            ApiError::InvalidToken,
            ApiError::InvalidCredentials,
            ApiError::Forbidden,
            ApiError::PreconditionFailed,
            ApiError::TooManyRequests { retry_after: 5 },
            ApiError::NotFound("country".into()),
            ApiError::MethodNotAllowed {
                allow: vec!["GET".into()],
            },
            ApiError::Conflict("dup".into()),
            ApiError::IdempotencyKeyReused,
            ApiError::IdempotencyKeyInFlight,
            ApiError::Refused(Refusal::illegal_transition("completed", vec![])),
            ApiError::PayloadTooLarge { limit: 10 },
            ApiError::UriTooLong { limit: 10 },
            ApiError::HeadersTooLarge { limit: 10 },
            ApiError::UnsupportedMediaType {
                expected: vec!["application/json".into()],
            },
            ApiError::Validation(vec![]),
            ApiError::Unavailable,
            ApiError::Internal("secret cause".into()),
        ];
        for error in errors {
            let problem = error.problem();
            assert_eq!(problem.status, error.status_code().as_u16());
            assert!(problem.type_.ends_with(&problem.code));
            assert!(!problem.detail.unwrap_or_default().contains("secret cause"));
        }
    }

    #[test]
    fn one_invalid_parameter_is_named_in_the_detail() {
        let problem =
            ApiError::InvalidParameter(vec![ProblemItem::parameter("limit", "must be at least 1")])
                .problem();
        assert_eq!(problem.detail.as_deref(), Some("limit: must be at least 1"));
    }

    #[test]
    fn unknown_statuses_still_get_a_snake_case_code() {
        let problem = problem_for_status(StatusCode::IM_A_TEAPOT);
        assert_eq!(problem.code, "i_m_a_teapot");
        assert_eq!(problem_for_status(StatusCode::NOT_FOUND).code, "not_found");
    }
}
