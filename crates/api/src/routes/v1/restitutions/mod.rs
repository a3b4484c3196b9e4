//! Restitutions: the cascade sessions associations run for their members, reported with
//! evidence and reviewed by programme staff.

mod csv;
pub mod evidence;
pub mod schema;
pub mod transitions;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use empower_domain::restitution::{self as restitutions, RestitutionFilter, RestitutionStatus};
use empower_domain::{db, files::FileStore};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use self::schema::{RestitutionBody, RestitutionPatch, RestitutionView};
use crate::auth::Caller;
use crate::extract::{ApiJson, IfMatch, ListQuery, MergePatch, NoQuery, PageParams, version_etag};
use crate::http::{
    Caching, ListBody, csv_download, json_with_etag, page_response, prefers, vary_accept, written,
};
use crate::problem::ApiError;
use crate::routes::v1::edit::{Fields, merge_patch};
use crate::state::AppState;

/// Registers the restitution operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_restitutions)
        .service(create_restitution)
        .service(get_restitution)
        .service(update_restitution)
        .service(delete_restitution)
        .service(transitions::list_restitution_transitions)
        .service(transitions::get_restitution_transition)
        .service(transitions::create_restitution_transition)
        .service(evidence::list_restitution_evidence)
        .service(evidence::create_restitution_evidence)
        .service(evidence::get_restitution_evidence)
        .service(evidence::delete_restitution_evidence)
        .service(evidence::get_restitution_evidence_file);
}

/// The location of a restitution.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/restitutions/{id}")
}

/// Filters of the restitution list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RestitutionQuery {
    /// Only this association's.
    pub association_id: Option<Uuid>,
    /// Only those covering this module.
    pub module_id: Option<Uuid>,
    /// Only in this status (`reported`: pending review; `validated`: counted).
    pub status: Option<RestitutionStatus>,
    /// Only those dated on or after this day (the day held, or else the day planned).
    pub from: Option<NaiveDate>,
    /// Only those dated on or before this day (the day held, or else the day planned).
    pub to: Option<NaiveDate>,
}

impl From<&RestitutionQuery> for RestitutionFilter {
    fn from(q: &RestitutionQuery) -> Self {
        Self {
            association_id: q.association_id,
            module_id: q.module_id,
            status: q.status,
            from: q.from,
            to: q.to,
        }
    }
}

/// List restitutions.
///
/// Oldest first, paginated; a caller bound to an association sees its own only. With
/// `Accept: text/csv`, every matching restitution (not paged) as a CSV file that opens in Excel
/// (UTF-8 with a byte-order mark).
#[utoipa::path(
    tag = "restitutions",
    operation_id = "list_restitutions",
    params(RestitutionQuery, PageParams),
    responses(
        (status = 200, description = "A page of restitutions, or all of them as CSV", content(
            (ListBody<RestitutionView> = "application/json"),
            (String = "text/csv", example = "id,association_id,status,planned_on,held_on,location,city,postal_code,country,language,module_ids,facilitator_ids,topics,attendees_women,attendees_men,attendees_other,attendees_undisclosed,attendees_total,youth_attendees,notes,version,updated_at\n0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d8e,0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d00,validated,2026-11-21,2026-11-21,belgium,Liège,4000,,fr,019ac000-0000-7000-8000-000000000001,0190f5a4-7c1e-7d2a-9b1e-3f4a5b6c7d01,The project cycle,14,2,0,1,17,5,,4,2026-11-25T10:00:00Z\n"),
        )),
        (status = 400, description = "A query parameter is invalid (`to` before `from`, say)"),
    )
)]
#[get("/restitutions")]
pub async fn list_restitutions(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<RestitutionQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = RestitutionFilter::from(&query.filter);
    let scope = caller.scope();
    if prefers(&req, "text/csv") {
        let rows = restitutions::all(&state.db, &filter, &scope).await?;
        let body = csv::restitutions_csv(rows.into_iter().map(RestitutionView::from))?;
        return Ok(csv_download(
            &req,
            body,
            "restitutions.csv",
            Caching::Allowed,
        ));
    }
    let page = restitutions::list(&state.db, &filter, &query.page, &scope).await?;
    Ok(vary_accept(page_response(
        &req,
        page.map(RestitutionView::from),
        Caching::Allowed,
    )))
}

/// Plan a restitution.
///
/// Created `planned`. Every facilitator is a person of the association who completed every
/// module covered (422 `facilitator_not_trained` naming each person and module otherwise), and
/// `held_on`, when given, is not before she completed them (422 `held_before_training`). A
/// caller bound to an association plans its own association's only (another's is 404).
#[utoipa::path(
    tag = "restitutions",
    operation_id = "create_restitution",
    request_body = RestitutionBody,
    responses(
        (status = 201, description = "Planned", body = RestitutionView),
        (status = 404, description = "No such association (or not yours)"),
        (status = 422, description = "A field breaks its rule (`validation_failed`), or a facilitator is not trained (`facilitator_not_trained`, `held_before_training`)"),
    )
)]
#[post("/restitutions")]
pub async fn create_restitution(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<RestitutionBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner()?.into_input();
    let tx = db::begin_write(&state.db).await?;
    let created = restitutions::create(&tx, &caller.audit, &input, &caller.scope()).await?;
    tx.commit().await?;
    Ok(written(
        Some(location(created.row.id)),
        version_etag(created.row.version),
        &RestitutionView::from(created),
        Caching::Allowed,
    ))
}

/// Read a restitution.
///
/// Answers `304` to an `If-None-Match` naming the current version.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "get_restitution",
    params(("id" = Uuid, Path, description = "The restitution's id")),
    responses(
        (status = 200, description = "The restitution", body = RestitutionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such restitution (or not yours)"),
    )
)]
#[get("/restitutions/{id}")]
pub async fn get_restitution(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    _query: NoQuery,
) -> Result<HttpResponse, ApiError> {
    let found = restitutions::get(&state.db, *id, &caller.scope()).await?;
    let etag = version_etag(found.row.version);
    Ok(json_with_etag(
        &req,
        &RestitutionView::from(found),
        Some(etag),
        Caching::Allowed,
    ))
}

/// Update a restitution.
///
/// A JSON merge patch (`application/merge-patch+json`) while the restitution is `planned` or
/// `returned` (409 `restitution_not_editable` otherwise: a validated one is read only). The
/// result must keep every rule of a new one. To switch the kind of location, clear the other
/// kind's fields: `{"location": {"online": true, "city": null, "postal_code": null}}`.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "update_restitution",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    request_body(content = RestitutionPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Updated", body = RestitutionView),
        (status = 404, description = "No such restitution (or not yours)"),
        (status = 409, description = "Not editable in its status (`restitution_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
        (status = 422, description = "A field breaks its rule, or a facilitator is not trained"),
    )
)]
#[patch("/restitutions/{id}")]
pub async fn update_restitution(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: MergePatch<RestitutionPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_document()?;
    let tx = db::begin_write(&state.db).await?;
    let updated =
        merge_patch::<restitutions::Entity, RestitutionBody>(&tx, &caller, *id, &if_match, &patch)
            .await?;
    tx.commit().await?;
    Ok(written(
        None,
        version_etag(updated.row.row.version),
        &RestitutionView::from(updated.row),
        Caching::Allowed,
    ))
}

/// Removes stored files no live row names any more, after the deletion that freed them
/// committed: in a write transaction of its own, so no upload of the same content is between
/// writing it and committing. A failure here leaves the file for the next start's sweep.
pub async fn release_files(db: &db::Db, files: &FileStore, hashes: Vec<String>) {
    if hashes.is_empty() {
        return;
    }
    let (db, files) = (db.clone(), files.clone());
    // Spawned, so a client that hangs up does not stop the removal of personal files halfway;
    // awaited, so the answer comes once they are gone.
    let released = tokio::spawn(async move {
        let tx = db::begin_write(&db).await?;
        for hash in &hashes {
            files.release(&tx, hash).await?;
        }
        tx.commit().await?;
        Ok::<(), empower_domain::DomainError>(())
    })
    .await;
    match released {
        Ok(Ok(())) => {}
        Ok(Err(err)) => log::warn!(
            "files: could not release freed files now, the next start's sweep will: {err}"
        ),
        Err(err) => log::warn!("files: the release stopped: {err}"),
    }
}

/// Delete a restitution.
///
/// While `planned` or `returned` only (409 `restitution_not_editable` otherwise); its evidence
/// goes with it, stored files included. Afterwards reads are 404 and the change feed carries a
/// `delete` for it and for each evidence item.
#[utoipa::path(
    tag = "restitutions",
    operation_id = "delete_restitution",
    params(
        ("id" = Uuid, Path, description = "The restitution's id"),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The version you read (its ETag), such as `\"3\"`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such restitution (or not yours)"),
        (status = 409, description = "Not deletable in its status (`restitution_not_editable`)"),
        (status = 412, description = "`If-Match` names another version"),
    )
)]
#[delete("/restitutions/{id}")]
pub async fn delete_restitution(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let tx = db::begin_write(&state.db).await?;
    let freed = restitutions::delete(&tx, &caller.audit, *id, &if_match.0, &caller.scope()).await?;
    tx.commit().await?;
    release_files(&state.db, &state.files, freed).await;
    Ok(HttpResponse::NoContent().finish())
}
