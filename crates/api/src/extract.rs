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

/// No parameters (or, in a [`ListQuery`], no filters beyond paging): anything else is a 400.
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

/// Media type of JSON bodies.
pub const JSON: &str = "application/json";
/// Media type of JSON merge patches (RFC 7396).
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// Reads a body of `media_type` (up to [`BODY_LIMIT`]) and checks its content type.
async fn read_body(
    req: HttpRequest,
    payload: Result<web::Bytes, actix_web::Error>,
    media_type: &'static str,
) -> Result<web::Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.as_deref() != Some(media_type) {
        return Err(ApiError::UnsupportedMediaType {
            expected: vec![media_type.into()],
        });
    }
    payload.map_err(|err| {
        if err.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: BODY_LIMIT }
        } else {
            ApiError::MalformedBody {
                detail: "the body could not be read".into(),
                errors: vec![],
            }
        }
    })
}

/// Turns a JSON body into `T`: unreadable JSON and unknown fields are 400s; a missing or
/// mistyped field is a 422 pointing at it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody {
            detail: format!("the body is not valid JSON: {e}"),
            errors: vec![],
        })?;
    deserialize_value(value)
}

/// Turns a JSON value into `T`, naming the field at fault.
pub fn deserialize_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let message = err.inner().to_string();
        let path = err.path().to_string();
        let base = if path == "." {
            String::new()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        if let Some(name) = unknown_field(&message) {
            // The path already ends in the unknown field's name.
            let pointer = if base.is_empty() {
                format!("/{name}")
            } else {
                base
            };
            return ApiError::MalformedBody {
                detail: format!("{pointer} is not a field of this resource"),
                errors: vec![ProblemItem::pointer(
                    pointer,
                    "is not a field of this resource",
                )],
            };
        }
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            return ApiError::Validation(vec![ProblemItem::pointer(
                format!("{base}/{name}"),
                "is required",
            )]);
        }
        let detail = match message.split_once(", expected") {
            Some((got, expected)) => format!("{got}; expected{expected}"),
            None => message,
        };
        let pointer = if base.is_empty() {
            "/".to_owned()
        } else {
            base
        };
        ApiError::Validation(vec![ProblemItem::pointer(pointer, detail)])
    })
}

/// A JSON request body (`application/json`).
///
/// Its errors surface when the handler takes the body ([`ApiJson::into_inner`]), not during
/// extraction: a caller who may not call the operation gets 401 or 403, never a verdict on a
/// body it had no right to send.
#[derive(Debug)]
pub struct ApiJson<T>(Result<T, ApiError>);

impl<T> ApiJson<T> {
    /// The body, or why it could not be read.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

/// The future of a body extractor.
type BodyFuture<W> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<W, ApiError>>>>;

/// Reads a body of `media_type`, parses it with `parse`, and wraps the outcome (success or
/// failure) with `wrap`, so that the handler decides when a body error surfaces.
fn deferred_body<T: 'static, W: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    media_type: &'static str,
    parse: fn(&[u8]) -> Result<T, ApiError>,
    wrap: fn(Result<T, ApiError>) -> W,
) -> BodyFuture<W> {
    let req = req.clone();
    let bytes = web::Bytes::from_request(&req, payload);
    Box::pin(async move {
        let body = match read_body(req, bytes.await, media_type).await {
            Ok(body) => parse(&body),
            Err(err) => Err(err),
        };
        Ok(wrap(body))
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        deferred_body(req, payload, JSON, parse_json::<T>, ApiJson)
    }
}

/// Fields a merge patch must not touch, for the patch body type.
pub trait Patch: DeserializeOwned {
    /// JSON pointers of the resource's read-only fields (`/id`, `/version`, `/address/region`...):
    /// naming one is a 400.
    const READ_ONLY: &'static [&'static str];
}

/// A JSON merge patch body (`application/merge-patch+json`, RFC 7396): absent fields are
/// unchanged, `null` clears. Read-only and unknown fields are 400s naming them. Like
/// [`ApiJson`], its errors surface when the handler takes it.
#[derive(Debug)]
pub struct MergePatch<T>(Result<T, ApiError>);

impl<T> MergePatch<T> {
    /// The patch, or why it could not be read.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

fn read_patch<T: Patch>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedBody {
            detail: format!("the body is not valid JSON: {e}"),
            errors: vec![],
        })?;
    if !value.is_object() {
        return Err(ApiError::MalformedBody {
            detail: "a merge patch must be a JSON object".into(),
            errors: vec![],
        });
    }
    let read_only: Vec<ProblemItem> = T::READ_ONLY
        .iter()
        .filter(|pointer| value.pointer(pointer).is_some())
        .map(|pointer| ProblemItem::pointer(*pointer, "is read-only"))
        .collect();
    if !read_only.is_empty() {
        return Err(ApiError::MalformedBody {
            detail: "the patch names read-only fields".into(),
            errors: read_only,
        });
    }
    deserialize_value(value)
}

impl<T: Patch + 'static> FromRequest for MergePatch<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        deferred_body(req, payload, MERGE_PATCH, read_patch::<T>, MergePatch)
    }
}

/// RFC 7396: objects merge recursively, `null` removes, anything else replaces.
fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(target), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(
                        target.entry(key.clone()).or_insert(serde_json::Value::Null),
                        value,
                    );
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// Applies a merge patch to a resource's current writable fields and reads the result back,
/// so a patched resource passes exactly the rules of a full write.
pub fn apply_merge_patch<B: serde::Serialize + DeserializeOwned>(
    current: &B,
    patch: &serde_json::Value,
) -> Result<B, ApiError> {
    let mut merged =
        serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
    merge(&mut merged, patch);
    deserialize_value(merged)
}

/// For merge-patch fields: absent stays `None`, `null` becomes `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Collects the problems of a patch's fields, to report them all at once.
#[derive(Debug, Default)]
pub struct PatchProblems(Vec<ProblemItem>);

impl PatchProblems {
    /// A patched field that cannot be cleared: `null` is recorded as a problem on `pointer`.
    pub fn required<T>(&mut self, value: Option<Option<T>>, pointer: &str) -> Option<T> {
        match value {
            Some(None) => {
                self.0.push(ProblemItem::pointer(pointer, "cannot be null"));
                None
            }
            Some(Some(v)) => Some(v),
            None => None,
        }
    }

    /// A 422 with every recorded problem, if any.
    pub fn check(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// The version named by `If-Match` (`"3"` or `W/"3"`), when the header is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(actix_web::http::header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or_default().trim().to_owned());
        ready(match value.as_deref() {
            None | Some("*") => Ok(Self(None)),
            // An ETag we never issued cannot match the current version.
            Some(tag) => tag
                .trim_start_matches("W/")
                .trim_matches('"')
                .parse()
                .map(|v| Self(Some(v)))
                .or(Err(ApiError::PreconditionFailed)),
        })
    }
}

/// The `ETag` of a versioned resource.
pub fn version_etag(version: i32) -> String {
    format!("\"{version}\"")
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

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Body {
        email: String,
        limit: i32,
    }

    fn pointer_of(err: ApiError) -> (u16, String) {
        let status = err.parts().0.as_u16();
        let problem = err.problem();
        (
            status,
            problem.errors[0].pointer.clone().unwrap_or_default(),
        )
    }

    #[test]
    fn json_bodies_name_the_field_at_fault() {
        assert!(parse_json::<Body>(br#"{"email": "a", "limit": 1}"#).is_ok());
        let err =
            parse_json::<Body>(br#"{"email": "a", "limit": 1, "id": 3}"#).expect_err("unknown");
        assert_eq!(pointer_of(err), (400, "/id".into()));
        let err = parse_json::<Body>(br#"{"email": "a"}"#).expect_err("missing");
        assert_eq!(pointer_of(err), (422, "/limit".into()));
        let err = parse_json::<Body>(br#"{"email": 5, "limit": 1}"#).expect_err("mistyped");
        assert_eq!(pointer_of(err), (422, "/email".into()));
        let err = parse_json::<Body>(b"{nope").expect_err("malformed");
        assert_eq!(err.parts().1, "malformed_body");
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
