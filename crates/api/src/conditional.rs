//! Conditional `GET`s of lists, answered from the change feed's position.
//!
//! Every synced write moves the change feed's last sequence number, in commit order (see
//! `empower_domain::changes`). A list of synced records is therefore a function of that number,
//! of who asks (their role, scopes and association), of the request's URL and `Accept`
//! headers, and of the day in Brussels (lists whose defaults are "today"). Its `ETag` is a hash
//! of those; a request whose `If-None-Match` names it is answered `304` after one indexed
//! `MAX(seq)` query, without building the page. The number is read before the page is built,
//! so a write that lands meanwhile can only make the tag older than the page, never newer: a
//! later conditional request then misses and gets the fresh page.
//!
//! Only lists whose content comes from synced tables (and fixed reference data) are listed in
//! [`LISTS`]; lists of accounts, API clients and the audit log (not in the feed), and lists
//! whose every read is audited (people and their consents), are not.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use empower_domain::{changes, time};

use crate::auth::{Caller, Principal};
use crate::problem::{ApiError, ProblemItem};
use crate::routes::RouteTable;
use crate::state::AppState;

/// The list operations answered from the feed's position.
pub const LISTS: [&str; 14] = [
    "list_associations",
    "list_association_transitions",
    "list_changes",
    "list_deliverables",
    "list_enrollments",
    "list_funding_applications",
    "list_indicators",
    "list_modules",
    "list_partners",
    "list_reporting_periods",
    "list_restitutions",
    "list_results",
    "list_training_sessions",
    "list_restitution_transitions",
];

/// Whether `operation` is one of [`LISTS`].
pub fn is_conditional_list(operation: &str) -> bool {
    LISTS.contains(&operation)
}

/// The list's `ETag` (weak: the same content, not necessarily the same bytes) for this caller
/// and request at feed position `seq`.
fn list_etag(req: &ServiceRequest, operation: &str, caller: &Caller, seq: i64) -> String {
    let who = match &caller.principal {
        Principal::User(user) => {
            format!("user:{}:{:?}:{:?}", user.id, user.role, user.association_id)
        }
        Principal::Client { client, scopes } => {
            format!(
                "client:{}:{:?}:{scopes:?}",
                client.id, client.association_id
            )
        }
    };
    let heard = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let key = format!(
        "{seq}\n{}\n{operation}\n{}\n{who}\n{}\n{}",
        time::brussels_today(),
        req.uri(),
        heard(header::ACCEPT),
        heard(header::ACCEPT_LANGUAGE),
    );
    format!("W/{}", crate::http::content_etag(key.as_bytes()))
}

/// Longest `If-None-Match` accepted (a list of a few tags).
const MAX_IF_NONE_MATCH: usize = 200;

/// `If-None-Match` as the contract documents it: printable ASCII, at most 200 characters.
fn check_if_none_match(req: &ServiceRequest) -> Option<ApiError> {
    let bad = req.headers().get_all(header::IF_NONE_MATCH).any(|value| {
        let bytes = value.as_bytes();
        bytes.is_empty()
            || bytes.len() > MAX_IF_NONE_MATCH
            || !bytes.iter().all(|b| (0x20..=0x7e).contains(b))
    });
    bad.then(|| {
        ApiError::InvalidParameter(vec![ProblemItem::parameter(
            "If-None-Match",
            "must be 1 to 200 printable ASCII characters: entity tags such as W/\"3f2a\", or `*`",
        )])
    })
}

/// The middleware; it runs after authentication, so the caller is known.
pub async fn lists(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::GET {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let operation = match RouteTable::operation_of(&req) {
        Some(id) if is_conditional_list(&id) => id,
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    if let Some(problem) = check_if_none_match(&req) {
        return Ok(req.into_response(problem.error_response()));
    }
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let seq = match changes::last_seq(&state.db).await {
        Ok(seq) => seq,
        Err(e) => return Ok(req.into_response(ApiError::from(e).error_response())),
    };
    let etag = list_etag(&req, &operation, &caller, seq);
    if crate::http::none_match(req.request(), &etag) {
        let response = HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    // A representation with a tag of its own (the CSV file of a list) keeps it.
    if response.status().is_success()
        && !response.headers().contains_key(header::ETAG)
        && let Ok(value) = HeaderValue::from_str(&etag)
    {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}
