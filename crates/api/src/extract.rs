//! Request extraction that fails in the problem format: JSON bodies, path segments, and
//! allow-listed query parameters (paging plus each operation's filters).

use std::future::{Ready, ready};

use actix_web::error::{JsonPayloadError, PathError};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use empower_domain::paging::PageRequest;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::problem::{ApiError, ProblemItem, parameter_error};

/// Largest request body accepted by default, in bytes (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

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
            expected: vec!["application/json".into()],
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

/// The paging parameters every list accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page: default 50, at most 200 (larger values are clamped); 0 or less is a 400.
    #[param(minimum = 1, example = 50)]
    pub limit: Option<i64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
    /// Also count every matching row into `total` (costs one more query).
    pub include_total: Option<bool>,
}

const PAGE_KEYS: [&str; 3] = ["limit", "cursor", "include_total"];

/// A list's query: paging parameters plus the operation's filters `F`.
///
/// Every parameter is allow-listed: one the operation does not know, or a value of the wrong
/// type, is a 400 that names it. `F` should use `#[serde(deny_unknown_fields)]`.
#[derive(Debug, Clone)]
pub struct ListQuery<F> {
    /// Paging, validated.
    pub page: PageRequest,
    /// The operation's filters.
    pub filter: F,
}

impl<F: DeserializeOwned> ListQuery<F> {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let (paging, filters): (Vec<_>, Vec<_>) = form_urlencoded::parse(query.as_bytes())
            .partition(|(key, _)| PAGE_KEYS.contains(&key.as_ref()));
        let paging_query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(paging)
            .finish();
        let filter_query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(filters)
            .finish();
        let params: PageParams = parse_query(&paging_query)?;
        let page = PageRequest::new(
            params.limit,
            params.cursor.as_deref(),
            params.include_total.unwrap_or(false),
        )
        .map_err(parameter_error)?;
        Ok(Self {
            page,
            filter: parse_query(&filter_query)?,
        })
    }
}

/// Deserialises a query string, naming the parameter at fault when it fails.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let message = err.inner().to_string();
        let item = if let Some(name) = unknown_field(&message) {
            ProblemItem::parameter(name, "is not a parameter of this operation")
        } else if let Some(name) = message
            .strip_prefix("duplicate field `")
            .and_then(|r| r.split('`').next())
        {
            ProblemItem::parameter(name, "is given more than once")
        } else {
            let path = err.path().to_string();
            let name = if path == "." {
                "query".to_owned()
            } else {
                path
            };
            ProblemItem::parameter(name, describe_parse_error(&message))
        };
        ApiError::InvalidParameter(vec![item])
    })
}

/// Turns the parser's terse messages into rules a person can act on.
fn describe_parse_error(message: &str) -> String {
    if message.contains("`true` or `false`") {
        "must be `true` or `false`".into()
    } else if message.contains("invalid digit")
        || message.contains("number too large")
        || (message.starts_with("can not parse") && message.contains(" to a i"))
    {
        "must be an integer".into()
    } else if message.starts_with("unknown variant") {
        message.replacen(
            "unknown variant",
            "is not one of the allowed values: got",
            1,
        )
    } else {
        message.to_owned()
    }
}

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

/// A query of single-resource operations that take no parameters: anything given is a 400.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Refuses any query parameter on operations that take none.
pub struct NoQuery;

impl FromRequest for NoQuery {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query::<NoParams>(req.query_string()).map(|_| NoQuery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filter {
        priority: Option<bool>,
    }

    fn parameter_of(err: ApiError) -> (String, String) {
        match err {
            ApiError::InvalidParameter(items) => (
                items[0].parameter.clone().unwrap_or_default(),
                items[0].detail.clone(),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn paging_and_filters_parse_together() {
        let q = ListQuery::<Filter>::parse("priority=true&limit=5&include_total=true").expect("ok");
        assert_eq!(q.filter.priority, Some(true));
        assert_eq!(q.page.limit, 5);
        assert!(q.page.include_total);
    }

    #[test]
    fn bad_values_and_unknown_parameters_are_named() {
        let err = ListQuery::<Filter>::parse("priority=maybe").expect_err("bad bool");
        assert_eq!(
            parameter_of(err),
            ("priority".into(), "must be `true` or `false`".into())
        );
        let err = ListQuery::<Filter>::parse("colour=red").expect_err("unknown");
        assert_eq!(parameter_of(err).0, "colour");
        let err = ListQuery::<Filter>::parse("limit=abc").expect_err("bad int");
        assert_eq!(
            parameter_of(err),
            ("limit".into(), "must be an integer".into())
        );
        let err = ListQuery::<Filter>::parse("limit=0").expect_err("zero");
        assert_eq!(parameter_of(err).0, "limit");
        let err = ListQuery::<Filter>::parse("cursor=zzz").expect_err("cursor");
        assert_eq!(parameter_of(err).0, "cursor");
        let err = ListQuery::<Filter>::parse("limit=1&limit=2").expect_err("twice");
        assert_eq!(parameter_of(err).0, "limit");
    }

    #[test]
    fn unknown_fields_are_pulled_from_serde_messages() {
        assert_eq!(
            unknown_field("unknown field `id`, expected `name`"),
            Some("id")
        );
        assert_eq!(unknown_field("expected value at line 1"), None);
    }
}
