//! `Idempotency-Key` on every authenticated `POST`: the first response is kept for 24 hours per
//! caller and replayed to a retry with the same key and body; the same key with another body
//! is 422; a retry while the first request still runs is 409, and a first request that died
//! frees its key after a short lease. Written once, for every resource.
//!
//! It runs after authentication and authorisation: a request refused 401 or 403 neither
//! stores nor replays anything, and a replay goes only to the same caller, still allowed.

use std::collections::BTreeMap;

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use empower_domain::idempotency::{self, Begin};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::extract::{BODY_LIMIT, read_limited};
use crate::problem::{ApiError, ProblemItem};
use crate::routes::v1::associations::files::{IMPORT_LIMIT, IMPORT_OPERATION};
use crate::routes::v1::restitutions::evidence::{UPLOAD_LIMIT, UPLOAD_OPERATION};
use crate::routes::{Resolution, RouteTable};
use crate::state::AppState;

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed response.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Headers of the first response that a replay repeats.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::CACHE_CONTROL,
];

fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(error.error_response())
}

fn payload_of(bytes: web::Bytes) -> Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    Payload::from(payload)
}

/// The body limit of the operation a request is for, as its own extractor has it: the import
/// takes 20 MiB, an evidence upload a 10 MiB file and its form, the rest 1 MiB.
fn limit_for(req: &ServiceRequest) -> usize {
    let resolution = req
        .app_data::<web::Data<RouteTable>>()
        .map(|routes| routes.resolve(req.method().as_str(), req.path()));
    match resolution {
        Some(Resolution::Operation(id)) if id == IMPORT_OPERATION => IMPORT_LIMIT,
        Some(Resolution::Operation(id)) if id == UPLOAD_OPERATION => UPLOAD_LIMIT,
        _ => BODY_LIMIT,
    }
}

/// The parts of a body its fingerprint is made of: all of it, except a form's boundary, which a
/// client chooses afresh for each send (so a retried upload is the same request).
fn fingerprinted<'a>(content_type: Option<&str>, body: &'a [u8]) -> Vec<&'a [u8]> {
    let boundary = content_type
        .filter(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
        .and_then(|ct| {
            ct.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
                .map(|b| b.trim_matches('"'))
        })
        .filter(|b| !b.is_empty());
    let Some(boundary) = boundary.map(str::as_bytes) else {
        return vec![body];
    };
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.windows(boundary.len()).position(|w| w == boundary) {
        parts.push(&rest[..at]);
        rest = &rest[at + boundary.len()..];
    }
    parts.push(rest);
    parts
}

fn replay(
    req: ServiceRequest,
    status: u16,
    body: String,
    headers: &str,
) -> ServiceResponse<BoxBody> {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    let kept: BTreeMap<String, String> = serde_json::from_str(headers).unwrap_or_default();
    for (name, value) in kept {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.insert_header((name, value));
        }
    }
    response.insert_header((REPLAYED, "true"));
    req.into_response(response.body(body))
}

/// The middleware.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let caller = req.extensions().get::<Caller>().map(Caller::key);
    let applies = req.method() == Method::POST && req.headers().contains_key(&IDEMPOTENCY_KEY);
    // Public operations (logging in, tokens) and refused requests never get here with a caller.
    let (Some(caller), true) = (caller, applies) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = req
        .headers()
        .get(&IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if !(1..=200).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(refuse(
            req,
            ApiError::InvalidParameter(vec![ProblemItem::parameter(
                "Idempotency-Key",
                "must be 1 to 200 visible ASCII characters",
            )]),
        ));
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let limit = limit_for(&req);
    let body = match read_limited(req.take_payload(), limit).await {
        Ok(body) => body,
        Err(err) => return Ok(refuse(req, err)),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update(b"?");
    hasher.update(req.query_string().as_bytes());
    hasher.update(b"\n");
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    for part in fingerprinted(content_type, &body) {
        hasher.update(part);
    }
    let hash = format!("{:x}", hasher.finalize());
    req.set_payload(payload_of(body));

    match idempotency::begin(&state.db, &caller, &key, &hash).await {
        Err(err) => return Ok(refuse(req, err.into())),
        Ok(Begin::Replay {
            status,
            body,
            headers,
        }) => return Ok(replay(req, status, body, &headers)),
        Ok(Begin::Mismatch) => {
            return Ok(refuse(req, ApiError::IdempotencyKeyReused));
        }
        Ok(Begin::InFlight) => return Ok(refuse(req, ApiError::IdempotencyKeyInFlight)),
        Ok(Begin::Fresh) => {}
    }

    let res = next
        .call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body);
    let res = match res {
        Ok(res) => res,
        Err(err) => {
            let _ = idempotency::abandon(&state.db, &caller, &key).await;
            return Err(err);
        }
    };
    let status = res.status();
    if status.is_server_error() {
        let _ = idempotency::abandon(&state.db, &caller, &key).await;
        return Ok(res);
    }
    let (http_req, response) = res.into_parts();
    let kept: BTreeMap<String, String> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let stored = idempotency::complete(
        &state.db,
        &caller,
        &key,
        status.as_u16(),
        String::from_utf8_lossy(&bytes).into_owned(),
        serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into()),
    )
    .await;
    if let Err(err) = stored {
        log::error!("could not store the response of idempotency key {key}: {err}");
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

#[cfg(test)]
mod tests {
    use super::fingerprinted;

    #[test]
    fn a_forms_boundary_is_not_part_of_its_fingerprint() {
        let form = |b: &str| format!("--{b}\r\ncontent\r\n--{b}--\r\n");
        let (one, two) = (form("aaa"), form("bbbbbb"));
        assert_eq!(
            fingerprinted(Some("multipart/form-data; boundary=aaa"), one.as_bytes()).concat(),
            fingerprinted(
                Some("multipart/form-data; boundary=\"bbbbbb\""),
                two.as_bytes()
            )
            .concat()
        );
        assert_eq!(
            fingerprinted(Some("application/json"), b"{}"),
            vec![&b"{}"[..]]
        );
    }
}
