//! Allow-listed query parameters: paging plus each operation's typed filters. A parameter the
//! operation does not know, a value of the wrong type, a repeated parameter or a control
//! character is a 400 that names the parameter.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use empower_domain::paging::PageRequest;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use super::{control_rule, describe_parse_error, never_text, unknown_field};
use crate::problem::{ApiError, ProblemItem, parameter_error};

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
/// `F` should use `#[serde(deny_unknown_fields)]`.
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
        guard(query)?;
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

/// Refuses control characters in any parameter name or value.
fn guard(query: &str) -> Result<(), ApiError> {
    let bad: Vec<ProblemItem> = form_urlencoded::parse(query.as_bytes())
        .filter_map(|(key, value)| {
            never_text(&key)
                .or_else(|| never_text(&value))
                .map(|c| ProblemItem::parameter(key.as_ref(), control_rule(c)))
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidParameter(bad))
    }
}

/// Deserialises a query string, naming the parameter at fault when it fails.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    guard(query)?;
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

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

/// An operation's query parameters, allow-listed like a [`ListQuery`]'s filters but without
/// paging: any other parameter is a 400 naming it.
#[derive(Debug, Clone)]
pub struct Params<F>(pub F);

impl<F: DeserializeOwned> FromRequest for Params<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Params))
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
        let err = ListQuery::<Filter>::parse("cursor=%00").expect_err("nul");
        assert_eq!(parameter_of(err).0, "cursor");
        let err = ListQuery::<Filter>::parse("limit=99999999999999999999").expect_err("huge");
        assert_eq!(parameter_of(err).0, "limit");
    }
}
