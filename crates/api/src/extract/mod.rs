//! Request extraction that fails in the problem format: JSON bodies and merge patches
//! ([`body`]), allow-listed query parameters ([`query`]), path segments, and `If-Match`
//! ([`precondition`]). Text that no field accepts (NUL and other control characters) is refused
//! here, for every body and parameter, before it can reach the database.

pub mod body;
pub mod precondition;
pub mod query;

use actix_web::error::{JsonPayloadError, PathError};
use actix_web::{HttpRequest, web};
use empower_domain::text::{first_never_text as never_text, never_text_rule as control_rule};

pub use self::body::{
    ApiJson, MergePatch, Patch, apply_merge_patch, deserialize_value, non_null, nullable,
    parse_json,
};
pub use self::precondition::{IfMatch, version_etag};
pub use self::query::{ListQuery, NoParams, NoQuery, PageParams, Params, parse_query};
use crate::problem::{ApiError, ProblemItem};

/// Largest request body accepted by default, in bytes (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Reads a body (or a form field) up to `limit` bytes: more is a 413, a broken stream a 400.
pub async fn read_limited<S, E>(mut stream: S, limit: usize) -> Result<web::Bytes, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedBody {
            detail: format!("the body could not be read: {e}"),
            errors: vec![],
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Media type of JSON bodies.
pub const JSON: &str = "application/json";
/// Media type of JSON merge patches (RFC 7396).
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// JSON bodies: size-limited, `application/json` required, failures as problems.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(true)
        .error_handler(|err, _req| json_error(err).into())
}

/// Maps actix's JSON extraction failures to the problem table.
pub fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType {
            expected: vec![JSON.into()],
        },
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Deserialize(e) => {
            let detail = e.to_string();
            let errors = unknown_field(&detail)
                .map(|name| {
                    vec![ProblemItem::pointer(
                        format!("/{name}"),
                        "is not a field of this resource",
                    )]
                })
                .unwrap_or_default();
            ApiError::MalformedBody { detail, errors }
        }
        other => ApiError::MalformedBody {
            detail: other.to_string(),
            errors: vec![],
        },
    }
}

/// Raw bodies (CSV and the like): size-limited.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(BODY_LIMIT)
}

/// Path segments: a value of the wrong type is a 400 naming the parameter.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| path_error(&err, req).into())
}

fn path_error(err: &PathError, req: &HttpRequest) -> ApiError {
    let PathError::Deserialize(cause) = err else {
        return ApiError::InvalidParameter(vec![ProblemItem::parameter("path", err.to_string())]);
    };
    let names: Vec<&str> = req.match_info().iter().map(|(name, _)| name).collect();
    let name = match names.as_slice() {
        [one] => (*one).to_owned(),
        many => many.join(","),
    };
    ApiError::InvalidParameter(vec![ProblemItem::parameter(
        name,
        describe_parse_error(&cause.to_string()),
    )])
}

/// Pulls the field name out of serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Turns the parser's terse messages into rules a person can act on.
fn describe_parse_error(message: &str) -> String {
    if message.contains("`true` or `false`") {
        "must be `true` or `false`".into()
    } else if message.contains("invalid digit")
        || message.contains("number too large")
        || message.contains("number too small")
        || (message.starts_with("can not parse") && message.contains(" to a i"))
    {
        "must be an integer".into()
    } else if message.starts_with("unknown variant") {
        message.replacen(
            "unknown variant",
            "is not one of the allowed values: got",
            1,
        )
    } else if message.contains("UUID parsing failed") || message.contains("invalid character") {
        "must be a UUID".into()
    } else {
        message.to_owned()
    }
}
