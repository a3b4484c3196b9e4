//! What anyone reads without logging in: the live repertoire of the associations and the
//! published deliverables, with nothing personal and nothing an association or a person did
//! not consent to publish. Every answer may be cached for a minute by anyone
//! (`Cache-Control: public, max-age=60`) and carries an `ETag` of its content, so a consent
//! withdrawn changes it.

pub mod deliverables;
pub mod repertoire;
pub mod results;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use empower_domain::paging::Page;
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::{Caching, ListBody, conditional, next_link};
use crate::problem::ApiError;

/// Registers the public operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(repertoire::list_public_repertoire)
        .service(deliverables::list_public_deliverables)
        .service(deliverables::get_public_deliverable)
        .service(deliverables::get_public_calendar)
        .service(results::get_public_results);
}

/// A public answer: `body` of `content_type`, its content `ETag` (`304` when the client has
/// it), public caching for a minute, and what it varies on.
pub fn answer(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &str,
    content_language: Option<String>,
    link: Option<String>,
) -> HttpResponse {
    let mut headers = vec![(header::VARY, "Accept, Accept-Language".to_owned())];
    headers.extend(content_language.map(|l| (header::CONTENT_LANGUAGE, l)));
    headers.extend(link.map(|l| (header::LINK, l)));
    conditional(req, body, content_type, None, Caching::Public, &headers)
}

/// A public JSON value.
pub fn json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    content_language: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("json: {e}")))?;
    Ok(answer(
        req,
        body,
        "application/json",
        content_language,
        None,
    ))
}

/// A public page, with its `Link` to the next.
pub fn page<T: Serialize>(
    req: &HttpRequest,
    page: Page<T>,
    content_language: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let link = next_link(req, page.next_cursor.as_deref());
    let body = serde_json::to_vec(&ListBody {
        items: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
    .map_err(|e| ApiError::Internal(format!("json: {e}")))?;
    Ok(answer(
        req,
        body,
        "application/json",
        content_language,
        link,
    ))
}
