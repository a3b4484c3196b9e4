//! The request context every response goes through: a request id, problem details for every
//! error (whoever produced it), and the cause of every 5xx in the log with that id.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use uuid::Uuid;

use crate::problem::{PROBLEM_JSON, Problem, problem_for_status};

/// Longest request target (path and query) read, in bytes. Longer ones get a 414 problem here;
/// beyond 64 KiB actix itself refuses them (a bodiless 400) before any middleware runs.
pub const URI_LIMIT: usize = 8 * 1024;
/// Largest total size of a request's headers read, in bytes (actix's own limit is 128 KiB).
pub const HEADERS_LIMIT: usize = 16 * 1024;
/// Most headers a request may carry (actix's own limit is 96).
const HEADERS_COUNT: usize = 64;

/// Header carrying the request id, in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Marks an error response whose body a standard fixes (RFC 6749 token errors): the request
/// context leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub struct KeepErrorBody;

/// The id of the request being served, in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Takes a caller's request id when it is sane (1-128 visible ASCII characters without
/// separators), otherwise makes a UUID v7.
fn request_id_from(headers: &header::HeaderMap) -> String {
    headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| {
            (1..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned)
}

/// What is wrong with a request's head (its target and headers), if anything.
fn refused_head(req: &ServiceRequest) -> Option<crate::problem::ApiError> {
    use crate::problem::{ApiError, ProblemItem};
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > URI_LIMIT {
        return Some(ApiError::UriTooLong { limit: URI_LIMIT });
    }
    let headers = req.headers();
    let size: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if size > HEADERS_LIMIT || headers.len() > HEADERS_COUNT {
        return Some(ApiError::HeadersTooLarge {
            limit: HEADERS_LIMIT,
        });
    }
    control_in_path(req).map(|c| {
        ApiError::InvalidParameter(vec![ProblemItem::parameter(
            "path",
            empower_domain::text::never_text_rule(c),
        )])
    })
}

/// A decoded path that holds a character no path segment may hold (NUL, other controls).
fn control_in_path(req: &ServiceRequest) -> Option<char> {
    empower_domain::text::first_never_text(&percent_decode(req.path()))
}

/// `%XX` sequences decoded (invalid UTF-8 is replaced, so it is caught as a bad segment by
/// the extractors, not here).
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Outermost middleware (inside the access log): request id in, request id out, problems out.
/// `HEAD` is served as `GET` (the connection sends the headers, `Content-Length` and `ETag`
/// included, without the body).
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request_id_from(req.headers());
    req.extensions_mut().insert(RequestId(id.clone()));
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let path = req.path().to_owned();
    if let Some(error) = refused_head(&req) {
        let mut res = req.into_response(error.error_response());
        res = into_problem(res.map_into_boxed_body(), &id).await;
        if let Ok(value) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(REQUEST_ID, value);
        }
        return Ok(res);
    }
    let mut res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        // An inner middleware refused the request (CORS, say): the request is gone, so answer
        // through an error that renders the problem itself.
        Err(err) => {
            let status = err.as_response_error().status_code();
            if status.is_server_error() {
                log::error!("request_id={id} {path} failed: {err:?}");
            }
            let mut problem = problem_for_status(status);
            problem.instance = Some(path);
            problem.request_id = Some(id.clone());
            return Err(RenderedProblem { problem, id }.into());
        }
    };
    let status = res.status();
    if status.is_server_error() {
        let cause = res
            .response()
            .error()
            .map_or_else(|| status.to_string(), |e| format!("{e:?}"));
        log::error!(
            "request_id={id} {} {} failed: {cause}",
            res.request().method(),
            res.request().path()
        );
    }
    let keep = res.response().extensions().contains::<KeepErrorBody>();
    if (status.is_client_error() || status.is_server_error()) && !keep {
        res = into_problem(res, &id).await;
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

/// A problem already complete with instance and request id, for errors raised before a
/// response exists.
#[derive(Debug)]
struct RenderedProblem {
    problem: Problem,
    id: String,
}

impl std::fmt::Display for RenderedProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.problem.title, self.problem.status)
    }
}

impl ResponseError for RenderedProblem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .insert_header((REQUEST_ID, self.id.clone()))
            .body(serde_json::to_vec(&self.problem).unwrap_or_default())
    }
}

/// Rewrites an error response as problem details: ours get `instance` and `request_id`;
/// anyone else's (actix's, a middleware's) are replaced by the problem for their status, keeping
/// their headers (`Allow`, `WWW-Authenticate`, `Retry-After`).
async fn into_problem(res: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    let (req, response) = res.into_parts();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    let status = response.status();
    let (mut head, body) = response.into_parts();
    let mut problem = if is_problem {
        to_bytes(body)
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Problem>(&bytes).ok())
            .unwrap_or_else(|| problem_for_status(status))
    } else {
        problem_for_status(status)
    };
    problem
        .instance
        .get_or_insert_with(|| req.path().to_owned());
    problem.request_id.get_or_insert_with(|| id.to_owned());
    head.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    head.headers_mut().remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    ServiceResponse::new(req, head.set_body(BoxBody::new(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(percent_decode("/a%20b/%00"), "/a b/\u{0}");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("/%zz"), "/%zz");
    }

    #[test]
    fn sane_request_ids_are_kept_and_others_replaced() {
        let mut headers = header::HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id_from(&headers), "abc-123");
        headers.insert(REQUEST_ID, HeaderValue::from_static("bad id with spaces"));
        assert_ne!(request_id_from(&headers), "bad id with spaces");
        assert_eq!(request_id_from(&header::HeaderMap::new()).len(), 36);
    }
}

/// The request context over real actix services: body errors (which the v1 routes of the
/// foundation do not exercise yet), 500s, and the format of errors produced by others.
#[cfg(test)]
mod service_tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use serde_json::Value;

    use super::request_context;
    use crate::extract::{BODY_LIMIT, json_config, payload_config};
    use crate::problem::ApiError;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Login {
        email: String,
    }

    async fn echo(_body: web::Json<Login>) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    async fn boom() -> Result<HttpResponse, ApiError> {
        Err(ApiError::Internal(
            "connection string postgres://secret@db".into(),
        ))
    }

    async fn bare_conflict() -> HttpResponse {
        HttpResponse::Conflict().body("plain text from somewhere else")
    }

    async fn call(req: test::TestRequest) -> (u16, String, Value) {
        let app = test::init_service(
            App::new()
                .app_data(json_config())
                .app_data(payload_config())
                .route("/echo", web::post().to(echo))
                .route("/boom", web::get().to(boom))
                .route("/conflict", web::get().to(bare_conflict))
                .wrap(from_fn(request_context)),
        )
        .await;
        let res = test::call_service(&app, req.to_request()).await;
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(res.headers().contains_key("x-request-id"));
        let body: Value =
            serde_json::from_slice(&test::read_body(res).await).unwrap_or(Value::Null);
        (status, content_type, body)
    }

    #[actix_web::test]
    async fn malformed_json_is_a_400_problem() {
        let (status, content_type, body) = call(
            test::TestRequest::post()
                .uri("/echo")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"email\": "),
        )
        .await;
        assert_eq!(
            (status, content_type.as_str()),
            (400, "application/problem+json")
        );
        assert_eq!(body["code"], "malformed_body");
        assert_eq!(body["instance"], "/echo");
        assert!(body["request_id"].is_string());
    }

    #[actix_web::test]
    async fn an_unknown_field_is_a_400_naming_it() {
        let (status, _, body) = call(
            test::TestRequest::post()
                .uri("/echo")
                .set_json(serde_json::json!({"email": "a@b.be", "role": "admin"})),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["pointer"], "/role");
    }

    #[actix_web::test]
    async fn another_media_type_is_a_415_problem() {
        let (status, content_type, body) = call(
            test::TestRequest::post()
                .uri("/echo")
                .insert_header(("content-type", "text/plain"))
                .set_payload("email=a@b.be"),
        )
        .await;
        assert_eq!(
            (status, content_type.as_str()),
            (415, "application/problem+json")
        );
        assert_eq!(body["code"], "unsupported_media_type");
    }

    #[actix_web::test]
    async fn an_oversized_body_is_a_413_problem() {
        let big = format!("{{\"email\": \"{}\"}}", "x".repeat(BODY_LIMIT));
        let (status, content_type, body) = call(
            test::TestRequest::post()
                .uri("/echo")
                .insert_header(("content-type", "application/json"))
                .set_payload(big),
        )
        .await;
        assert_eq!(
            (status, content_type.as_str()),
            (413, "application/problem+json")
        );
        assert_eq!(body["code"], "payload_too_large");
    }

    #[actix_web::test]
    async fn a_500_says_nothing_of_its_cause() {
        let (status, content_type, body) = call(test::TestRequest::get().uri("/boom")).await;
        assert_eq!(
            (status, content_type.as_str()),
            (500, "application/problem+json")
        );
        assert_eq!(body["code"], "internal_error");
        assert!(!body.to_string().contains("secret"), "{body}");
    }

    #[actix_web::test]
    async fn errors_produced_elsewhere_are_rewritten_as_problems() {
        let (status, content_type, body) = call(test::TestRequest::get().uri("/conflict")).await;
        assert_eq!(
            (status, content_type.as_str()),
            (409, "application/problem+json")
        );
        assert_eq!(body["code"], "conflict");
        assert!(!body.to_string().contains("plain text"));
    }
}
