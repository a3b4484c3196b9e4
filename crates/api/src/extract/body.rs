//! JSON bodies and JSON merge patches. Their errors surface when the handler takes the body,
//! not during extraction: a caller who may not call the operation gets 401 or 403, never a
//! verdict on a body it had no right to send. Every problem is reported at once: each unknown
//! field (400), each mistyped or null-but-required field (422), each string with a control
//! character (422).

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{BODY_LIMIT, JSON, MERGE_PATCH, control_rule, never_text, unknown_field};
use crate::problem::{ApiError, ProblemItem};

/// Reads a body of `media_type` (up to [`BODY_LIMIT`]) and checks its content type.
async fn read_body(
    req: HttpRequest,
    payload: Result<web::Bytes, actix_web::Error>,
    media_type: &'static str,
) -> Result<web::Bytes, ApiError> {
    if crate::http::media_type(&req) != media_type {
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

/// Every string (and object key) of `value` holding a control character, by pointer.
pub fn control_characters(value: &Value) -> Vec<ProblemItem> {
    fn walk(value: &Value, pointer: &mut String, found: &mut Vec<ProblemItem>) {
        match value {
            Value::String(text) => {
                if let Some(c) = never_text(text) {
                    found.push(ProblemItem::pointer(pointer.clone(), control_rule(c)));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    walk(item, pointer, found);
                    pointer.truncate(len);
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    match never_text(key) {
                        Some(c) => {
                            found.push(ProblemItem::pointer(pointer.clone(), control_rule(c)))
                        }
                        None => walk(item, pointer, found),
                    }
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(value, &mut String::new(), &mut found);
    found
}

/// Reads bytes as JSON, refusing control characters in any string.
fn read_json(bytes: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedBody {
        detail: format!("the body is not valid JSON: {e}"),
        errors: vec![],
    })?;
    let controls = control_characters(&value);
    if controls.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Validation(controls))
    }
}

/// Turns a JSON body into `T`: unreadable JSON and unknown fields are 400s; a missing,
/// mistyped or control-character-bearing field is a 422 pointing at it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    deserialize_value(read_json(bytes)?)
}

/// What went wrong with one field.
enum Fault {
    Unknown(ProblemItem),
    Missing(ProblemItem),
    Invalid(ProblemItem),
}

/// The JSON pointer of a deserialisation path (`/scopes/1`, `/address/city`).
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

fn fault(err: &serde_path_to_error::Error<serde_json::Error>) -> Fault {
    let message = err.inner().to_string();
    let base = pointer_of(err.path());
    if let Some(name) = unknown_field(&message) {
        // The path already ends in the unknown field's name.
        let pointer = if base.is_empty() {
            format!("/{name}")
        } else {
            base
        };
        return Fault::Unknown(ProblemItem::pointer(
            pointer,
            "is not a field of this resource",
        ));
    }
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        return Fault::Missing(ProblemItem::pointer(
            format!("{base}/{name}"),
            "is required",
        ));
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
    Fault::Invalid(ProblemItem::pointer(pointer, detail))
}

/// Removes the member at `pointer` (an object field) so the next attempt finds the next fault.
fn remove(value: &mut Value, pointer: &str) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(fields)) => fields.remove(&key).is_some(),
        _ => false,
    }
}

/// Turns a JSON value into `T`, naming every field at fault: unknown fields (400) first, then
/// missing, mistyped and null fields (422).
pub fn deserialize_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    let mut value = value;
    let mut unknown: Vec<ProblemItem> = Vec::new();
    let mut invalid: Vec<ProblemItem> = Vec::new();
    for _ in 0..64 {
        let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(done) if unknown.is_empty() && invalid.is_empty() => return Ok(done),
            Ok(_) => break,
            Err(err) => err,
        };
        match fault(&err) {
            Fault::Unknown(item) => {
                let removed = item
                    .pointer
                    .as_deref()
                    .is_some_and(|p| remove(&mut value, p));
                unknown.push(item);
                if !removed {
                    break;
                }
            }
            Fault::Missing(item) => {
                // A field removed after a type error comes back as missing: already reported.
                if !invalid.iter().any(|i| i.pointer == item.pointer) {
                    invalid.push(item);
                }
                break;
            }
            Fault::Invalid(item) => {
                let removed = item
                    .pointer
                    .as_deref()
                    .is_some_and(|p| remove(&mut value, p));
                invalid.push(item);
                if !removed {
                    break;
                }
            }
        }
    }
    if !unknown.is_empty() {
        let detail = match unknown.as_slice() {
            [one] => format!(
                "{} is not a field of this resource",
                one.pointer.as_deref().unwrap_or("/")
            ),
            many => format!("{} fields are not fields of this resource", many.len()),
        };
        return Err(ApiError::MalformedBody {
            detail,
            errors: unknown,
        });
    }
    Err(ApiError::Validation(invalid))
}

/// A JSON request body (`application/json`).
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

/// A merge patch's typed form: every writable field optional, `null` only where it clears.
pub trait Patch: DeserializeOwned {
    /// JSON pointers of the resource's read-only fields (`/id`, `/version`, `/address/region`...):
    /// naming one is a 400.
    const READ_ONLY: &'static [&'static str];
}

/// A JSON merge patch body (`application/merge-patch+json`, RFC 7396): absent fields are
/// unchanged, `null` clears. Read-only and unknown fields are 400s naming them; a mistyped
/// field, or `null` on a field that cannot be cleared, is a 422. Like [`ApiJson`], its errors
/// surface when the handler takes it.
#[derive(Debug)]
pub struct MergePatch<T>(Result<(T, Value), ApiError>);

impl<T> MergePatch<T> {
    /// The typed patch and the patch document, or why it could not be read.
    pub fn into_inner(self) -> Result<(T, Value), ApiError> {
        self.0
    }

    /// The patch document (checked against `T`), to merge into the current resource.
    pub fn into_document(self) -> Result<Value, ApiError> {
        self.0.map(|(_, document)| document)
    }
}

fn read_patch<T: Patch>(body: &[u8]) -> Result<(T, Value), ApiError> {
    let value = read_json(body)?;
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
    let typed = deserialize_value(value.clone())?;
    Ok((typed, value))
}

impl<T: Patch + 'static> FromRequest for MergePatch<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        deferred_body(req, payload, MERGE_PATCH, read_patch::<T>, MergePatch)
    }
}

/// RFC 7396: objects merge recursively, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
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
    patch: &Value,
) -> Result<B, ApiError> {
    let mut merged =
        serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
    merge(&mut merged, patch);
    deserialize_value(merged)
}

/// For merge-patch fields that `null` clears: absent stays `None`, `null` becomes `Some(None)`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// For optional fields that take no `null` (merge-patch fields that cannot be cleared, body
/// fields that are a value or absent): absent stays `None`, `null` is refused.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match <Option<T> as serde::Deserialize>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "null: give a value or leave the field out",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Body {
        email: String,
        limit: i32,
        #[serde(default)]
        note: Option<String>,
    }

    fn pointers_of(err: &ApiError) -> (u16, Vec<String>) {
        let status = err.parts().0.as_u16();
        let problem = err.problem();
        (
            status,
            problem
                .errors
                .iter()
                .map(|e| e.pointer.clone().unwrap_or_default())
                .collect(),
        )
    }

    #[test]
    fn json_bodies_name_every_field_at_fault() {
        assert!(parse_json::<Body>(br#"{"email": "a", "limit": 1}"#).is_ok());
        let err = parse_json::<Body>(br#"{"email": "a", "limit": 1, "id": 3, "role": 1}"#)
            .expect_err("unknown");
        assert_eq!(pointers_of(&err), (400, vec!["/id".into(), "/role".into()]));
        let err = parse_json::<Body>(br#"{"email": "a"}"#).expect_err("missing");
        assert_eq!(pointers_of(&err), (422, vec!["/limit".into()]));
        let err =
            parse_json::<Body>(br#"{"email": 5, "limit": "x", "note": 3}"#).expect_err("mistyped");
        assert_eq!(
            pointers_of(&err),
            (422, vec!["/email".into(), "/limit".into(), "/note".into()])
        );
        let err = parse_json::<Body>(b"{nope").expect_err("malformed");
        assert_eq!(err.parts().1, "malformed_body");
        let err = parse_json::<Body>(br#"{"email": "a\u0000", "limit": 1, "note": "\u0007"}"#)
            .expect_err("controls");
        assert_eq!(
            pointers_of(&err),
            (422, vec!["/email".into(), "/note".into()])
        );
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
