//! Response helpers shared by every resource: ETags with conditional GET, and list pages with
//! RFC 8288 `Link` headers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use empower_domain::paging::Page;
use serde::Serialize;
use utoipa::ToSchema;

/// A list page as sent: the items, the cursor of the next page, and the total when asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListBody<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Number of matching rows, present only with `include_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// 64-bit FNV-1a: a stable, dependency-free content hash for ETags.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A strong ETag for a response body.
pub fn content_etag(body: &[u8]) -> String {
    format!("\"{:016x}\"", fnv1a(body))
}

/// Whether `If-None-Match` on the request matches `etag` (weak comparison, `*` included).
pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// Whether a response may be stored by caches: never when it holds personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Ordinary data.
    Allowed,
    /// Personal data: `Cache-Control: no-store`.
    NoStore,
    /// What anyone may read without logging in: `Cache-Control: public, max-age=60`.
    Public,
}

impl Caching {
    /// `NoStore` when the answer shows personal data (names, contact data) to this caller.
    pub fn no_store_if(personal: bool) -> Self {
        if personal {
            Self::NoStore
        } else {
            Self::Allowed
        }
    }
}

fn cache_headers(response: &mut actix_web::HttpResponseBuilder, caching: Caching) {
    match caching {
        Caching::Allowed => {}
        Caching::NoStore => {
            response.insert_header((header::CACHE_CONTROL, "no-store"));
        }
        Caching::Public => {
            response.insert_header((header::CACHE_CONTROL, "public, max-age=60"));
        }
    }
}

/// A cacheable answer: `body` of `content_type` with its `ETag` (from the body when `etag` is
/// `None`), `304 Not Modified` when the client has it, the cache headers of `caching`, and
/// `headers` (on the `304` too).
pub fn conditional(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &str,
    etag: Option<String>,
    caching: Caching,
    headers: &[(header::HeaderName, String)],
) -> HttpResponse {
    let etag = etag.unwrap_or_else(|| content_etag(&body));
    let not_modified = none_match(req, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::ETAG, etag));
    cache_headers(&mut response, caching);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.insert_header((name.clone(), value));
        }
    }
    if not_modified {
        return response.finish();
    }
    response.content_type(content_type).body(body)
}

/// A single resource as JSON with its `ETag` (from the body when `etag` is `None`);
/// `304 Not Modified` when the client has it already.
pub fn json_with_etag<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    etag: Option<String>,
    caching: Caching,
) -> HttpResponse {
    let body = serde_json::to_vec(value).unwrap_or_default();
    conditional(req, body, "application/json", etag, caching, &[])
}

/// The request's media type (`Content-Type` without its parameters, lower case), or "".
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A CSV file as Excel opens it: the written records after a UTF-8 byte-order mark.
pub fn csv_for_excel(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, crate::problem::ApiError> {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        writer
            .into_inner()
            .map_err(|e| crate::problem::ApiError::Internal(format!("csv: {e}")))?,
    );
    Ok(bytes)
}

/// A CSV answer to a request that asked for one by `Accept` (the same URL answers JSON): an
/// attachment named `file_name`, its `ETag` from the content (`304` when the client has it),
/// `Vary: Accept`, and `no-store` when it holds personal data.
pub fn csv_download(
    req: &HttpRequest,
    body: Vec<u8>,
    file_name: &str,
    caching: Caching,
) -> HttpResponse {
    conditional(
        req,
        body,
        "text/csv; charset=utf-8",
        None,
        caching,
        &[
            (header::VARY, "Accept".into()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
    )
}

/// `response` with `Vary: Accept`: the same URL answers JSON, CSV or PDF as the client asks.
pub fn vary_accept(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::VARY,
        actix_web::http::header::HeaderValue::from_static("Accept"),
    );
    response
}

/// Whether the client prefers `media` to JSON by `Accept`: `media` is listed with a quality
/// above 0, at least the quality JSON gets (`application/json`, `application/*` or `*/*`).
pub fn prefers(req: &HttpRequest, media: &str) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut media_q: Option<f32> = None;
    let mut json_q: f32 = 0.0;
    for (name, q) in weighted(accept) {
        // A malformed quality is taken for the default, 1.
        let q = q.unwrap_or(1.0);
        if name == media {
            media_q = Some(media_q.map_or(q, |m| m.max(q)));
        } else if matches!(name.as_str(), "application/json" | "application/*" | "*/*") {
            json_q = json_q.max(q);
        }
    }
    media_q.is_some_and(|q| q > 0.0 && q >= json_q)
}

/// The items of a header listing values with qualities (`Accept`, `Accept-Language`, RFC 9110
/// §12.4.2): each value lower-cased, with its `q` (1 when absent, `None` when it does not
/// parse). Empty items are skipped.
pub fn weighted(header: &str) -> Vec<(String, Option<f32>)> {
    header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let name = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if name.is_empty() {
                return None;
            }
            let q = pieces
                .map(str::trim)
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            Some((name, q))
        })
        .collect()
}

/// A resource just written: `201 Created` with `Location` (when `location` is given) or
/// `200 OK`, its `ETag`, and the body.
pub fn written<T: Serialize>(
    location: Option<String>,
    etag: String,
    value: &T,
    caching: Caching,
) -> HttpResponse {
    let mut response = match &location {
        Some(location) => {
            let mut r = HttpResponse::Created();
            r.insert_header((header::LOCATION, location.as_str()));
            r
        }
        None => HttpResponse::Ok(),
    };
    response.insert_header((header::ETAG, etag));
    cache_headers(&mut response, caching);
    response.json(value)
}

/// A list page as JSON, with a `Link: <...>; rel="next"` header when there is a next page.
pub fn page_response<T: Serialize>(
    req: &HttpRequest,
    page: Page<T>,
    caching: Caching,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    cache_headers(&mut response, caching);
    if let Some(link) = next_link(req, page.next_cursor.as_deref())
        && let Ok(link) = HeaderValue::from_str(&link)
    {
        response.insert_header((header::LINK, link));
    }
    response.json(ListBody {
        items: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
}

/// The RFC 8288 `Link` to the next page, when there is one.
pub fn next_link(req: &HttpRequest, cursor: Option<&str>) -> Option<String> {
    cursor.map(|cursor| format!("<{}>; rel=\"next\"", next_url(req, cursor)))
}

/// The request's own path and query with `cursor` replaced by the next page's.
pub fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn etags_are_stable_and_conditional_gets_match() {
        assert_eq!(content_etag(b"{}"), content_etag(b"{}"));
        assert_ne!(content_etag(b"{}"), content_etag(b"[]"));
        let etag = content_etag(b"x");
        let req = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, format!("\"other\", W/{etag}")))
            .to_http_request();
        assert!(none_match(&req, &etag));
        let req = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "\"other\""))
            .to_http_request();
        assert!(!none_match(&req, &etag));
    }

    #[test]
    fn next_links_keep_filters_and_replace_the_cursor() {
        let req = TestRequest::with_uri("/api/v1/countries?priority=true&cursor=old&limit=2")
            .to_http_request();
        assert_eq!(
            next_url(&req, "abc"),
            "/api/v1/countries?priority=true&limit=2&cursor=abc"
        );
    }

    fn accepts(value: &str, media: &str) -> bool {
        prefers(
            &TestRequest::default()
                .insert_header((header::ACCEPT, value))
                .to_http_request(),
            media,
        )
    }

    #[test]
    fn weighted_lists_keep_their_qualities() {
        assert_eq!(
            weighted("Text/CSV;q=0.5, fr-BE, , en;q=abc"),
            [
                ("text/csv".to_owned(), Some(0.5)),
                ("fr-be".to_owned(), Some(1.0)),
                ("en".to_owned(), None),
            ]
        );
    }

    #[test]
    fn the_preferred_media_type_wins_and_q_zero_refuses() {
        assert!(accepts("text/csv", "text/csv"));
        assert!(accepts("application/json;q=0.5, text/csv", "text/csv"));
        assert!(!accepts("text/csv;q=0", "text/csv"));
        assert!(!accepts("application/json, text/csv;q=0.5", "text/csv"));
        assert!(!accepts("*/*", "text/csv"));
        assert!(!accepts("application/json", "application/pdf"));
        assert!(accepts("application/pdf, */*;q=0.1", "application/pdf"));
    }
}
