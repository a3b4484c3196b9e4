//! `If-Match`, read with strong comparison (RFC 9110 §13.1.1): `"3"` names version 3; a weak
//! tag (`W/"3"`) or a tag this API never issued names none, so the write is refused with 412.
//! A value that is not a list of entity tags is malformed (400). Neither is judged here: the
//! handler passes the [`Precondition`] to the domain, which checks it only once the caller is
//! authorised and the record is known to exist (401, 403, 404, then 412, always).

use std::future::{Ready, ready};

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use empower_domain::resource::Precondition;

use crate::problem::ApiError;

/// The caller's precondition on the current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch(pub Precondition);

/// Reads an `If-Match` header value.
pub fn parse(value: Option<&[u8]>) -> Precondition {
    let Some(raw) = value else {
        return Precondition::None;
    };
    let Ok(text) = std::str::from_utf8(raw) else {
        return Precondition::Malformed;
    };
    let text = text.trim();
    // An empty header states no condition, like an absent one.
    if text.is_empty() {
        return Precondition::None;
    }
    if text == "*" {
        return Precondition::Any;
    }
    let mut versions = Vec::new();
    let mut rest = text;
    loop {
        let (weak, tail) = match rest.strip_prefix("W/") {
            Some(tail) => (true, tail),
            None => (false, rest),
        };
        // An opaque tag: a quoted string of visible characters other than `"` (commas included).
        let Some(tail) = tail.strip_prefix('"') else {
            return Precondition::Malformed;
        };
        let Some(end) = tail.find('"') else {
            return Precondition::Malformed;
        };
        let inner = &tail[..end];
        if !inner
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80)
        {
            return Precondition::Malformed;
        }
        // Strong comparison: a weak tag never matches, nor does one we never issued.
        if !weak && let Ok(version) = inner.parse::<i32>() {
            versions.push(version);
        }
        rest = tail[end + 1..].trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let Some(next) = rest.strip_prefix(',') else {
            return Precondition::Malformed;
        };
        rest = next.trim_start_matches([' ', '\t']);
    }
    Precondition::OneOf(versions)
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(header::IF_MATCH).map(|v| v.as_bytes());
        ready(Ok(Self(parse(value))))
    }
}

/// The `ETag` of a versioned resource.
pub fn version_etag(version: i32) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_uses_strong_comparison_and_spots_malformed_values() {
        assert_eq!(parse(None), Precondition::None);
        assert_eq!(parse(Some(b"*")), Precondition::Any);
        assert_eq!(parse(Some(b" ")), Precondition::None);
        assert_eq!(parse(Some(b"\"3\"")), Precondition::version(3));
        assert_eq!(
            parse(Some(b"\"1\", \"4\"")),
            Precondition::OneOf(vec![1, 4])
        );
        assert_eq!(parse(Some(b"W/\"3\"")), Precondition::OneOf(vec![]));
        assert_eq!(parse(Some(b"\"abc\"")), Precondition::OneOf(vec![]));
        assert_eq!(parse(Some(b"3")), Precondition::Malformed);
        assert_eq!(parse(Some(b"not-an-etag")), Precondition::Malformed);
        assert_eq!(parse(Some(b"\"3")), Precondition::Malformed);
        assert_eq!(
            parse(Some(b"W/\"a\"\t,\t\",H\" , \"7\"")),
            Precondition::OneOf(vec![7])
        );
        assert_eq!(parse(Some(b"\"1\",")), Precondition::Malformed);
        assert_eq!(parse(Some(b"\xff")), Precondition::Malformed);
    }
}
