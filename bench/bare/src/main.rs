//! The load harness's ceiling (`bench/run.sh`): a bare actix-web + sea-orm server over the same
//! database as ours, running the main query of each measured endpoint through the domain's
//! entities and serialising rows with serde_json. No auth, middleware, ETags, conditional
//! requests, scoping, problem details, audit or change-feed rows; and, for the search, no search
//! index: `q` is the plain `LIKE '%word%'` on the folded search text, the pre-index baseline.
//!
//! Settings: `DATABASE_URL` (as `EMPOWER_DATABASE_URL`) and `BIND` (default 127.0.0.1:18201).
//! The database must have been migrated by our server.

use std::collections::HashMap;

use actix_web::error::{ErrorBadRequest, ErrorInternalServerError, ErrorNotFound};
use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::Utc;
use empower_domain::association::Status;
use empower_domain::association::entity::{association, country_link, sdg_link};
use empower_domain::changes;
use empower_domain::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use empower_domain::person::Gender;
use empower_domain::person::entity::person;
use empower_domain::results::metrics::Period;
use empower_domain::results::report::{self, Breakdowns};
use empower_domain::time::{EARLIEST, brussels_today};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

type Db = web::Data<DatabaseConnection>;
type Params = web::Query<HashMap<String, String>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| std::io::Error::other("DATABASE_URL is required"))?;
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18201".into());
    // The same pool settings as ours (size, WAL, busy timeout).
    let db = empower_domain::db::connect(&url)
        .await
        .map_err(std::io::Error::other)?;
    let db = web::Data::new(db);
    eprintln!("bare server on http://{bind}");
    // actix's `Json` takes `application/merge-patch+json` too (any `+json` suffix).
    HttpServer::new(move || App::new().app_data(db.clone()).configure(routes))
        .bind(bind)?
        .run()
        .await
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live))
        .route("/api/v1/associations", web::get().to(list_associations))
        .route("/api/v1/associations/{id}", web::get().to(read_association))
        .route(
            "/api/v1/associations/{id}",
            web::patch().to(patch_association),
        )
        .route(
            "/api/v1/associations/{id}/people",
            web::post().to(create_person),
        )
        .route("/api/v1/changes", web::get().to(list_changes))
        .route("/api/v1/public/repertoire", web::get().to(repertoire))
        .route("/api/v1/results-report", web::get().to(results_report));
}

fn fail(e: impl std::fmt::Display) -> actix_web::Error {
    ErrorInternalServerError(e.to_string())
}

/// `limit`, as ours reads it: default 50, clamped to the largest page.
fn limit(query: &Params) -> actix_web::Result<u64> {
    Ok(match query.get("limit") {
        Some(limit) => limit
            .parse::<u64>()
            .map_err(ErrorBadRequest)?
            .clamp(1, MAX_LIMIT),
        None => DEFAULT_LIMIT,
    })
}

async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `association::list`'s page query: live rows, the status, `q` as a substring of the folded
/// search text, by name key then id, `limit + 1`. Not the countries and SDGs of the page.
async fn list_associations(db: Db, query: Params) -> actix_web::Result<HttpResponse> {
    let limit = limit(&query)?;
    let mut select = association::Entity::find().filter(association::Column::DeletedAt.is_null());
    if let Some(status) = query.get("status") {
        let status: Status = serde_json::from_value(json!(status)).map_err(ErrorBadRequest)?;
        select = select.filter(association::Column::Status.eq(status));
    }
    if let Some(q) = query
        .get("q")
        .map(|q| empower_domain::text::fold(q))
        .filter(|q| !q.is_empty())
    {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        select = select.filter(
            Expr::col(association::Column::SearchText)
                .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let mut rows = select
        .order_by_asc(association::Column::NameKey)
        .order_by_asc(association::Column::Id)
        .limit(limit + 1)
        .all(db.get_ref())
        .await
        .map_err(fail)?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    let items: Vec<Value> = rows.iter().map(association_json).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

async fn live_association(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> actix_web::Result<association::Model> {
    association::Entity::find_by_id(id)
        .filter(association::Column::DeletedAt.is_null())
        .one(db)
        .await
        .map_err(fail)?
        .ok_or_else(|| ErrorNotFound("association"))
}

/// `association::get`'s row query: a live association by id.
async fn read_association(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
    let row = live_association(db.get_ref(), *id).await?;
    Ok(HttpResponse::Ok().json(association_json(&row)))
}

/// The one field the write mix patches.
#[derive(Deserialize)]
struct AssociationPatch {
    member_count: Option<i32>,
}

/// A write transaction (as ours: `BEGIN IMMEDIATE` on SQLite, the writers' lock on PostgreSQL)
/// reading the live row, setting `member_count`, version + 1. No `If-Match`, no change row.
async fn patch_association(
    db: Db,
    id: web::Path<Uuid>,
    body: web::Json<AssociationPatch>,
) -> actix_web::Result<HttpResponse> {
    let tx = empower_domain::db::begin_write(db.get_ref())
        .await
        .map_err(fail)?;
    let row = live_association(&tx, *id).await?;
    let version = row.version + 1;
    let mut active = row.into_active_model();
    active.member_count = Set(body.member_count);
    active.version = Set(version);
    active.updated_at = Set(Utc::now());
    let row = active.update(&tx).await.map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(HttpResponse::Ok().json(association_json(&row)))
}

/// The fields the write mix sends.
#[derive(Deserialize)]
struct PersonBody {
    first_name: String,
    last_name: String,
    gender: Gender,
    email: Option<String>,
}

/// A write transaction checking the association is live and inserting the person. No consent,
/// audit or change row.
async fn create_person(
    db: Db,
    id: web::Path<Uuid>,
    body: web::Json<PersonBody>,
) -> actix_web::Result<HttpResponse> {
    let body = body.into_inner();
    let tx = empower_domain::db::begin_write(db.get_ref())
        .await
        .map_err(fail)?;
    live_association(&tx, *id).await?;
    let now = Utc::now();
    let row = person::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(*id),
        first_name: Set(body.first_name),
        last_name: Set(body.last_name),
        gender: Set(body.gender),
        email: Set(body.email),
        phone: Set(None),
        role_in_association: Set(None),
        is_representative: Set(false),
        languages: Set("[]".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        erased_at: Set(None),
    }
    .insert(&tx)
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(HttpResponse::Created().json(json!({
        "id": row.id, "association_id": row.association_id, "first_name": row.first_name,
        "last_name": row.last_name, "gender": row.gender, "email": row.email,
        "version": row.version, "created_at": row.created_at, "updated_at": row.updated_at,
    })))
}

/// `changes::list`'s query without the types and scope filters: seq above `after`, oldest
/// first, `limit` rows (clamped as ours).
async fn list_changes(db: Db, query: Params) -> actix_web::Result<HttpResponse> {
    let limit = limit(&query)?;
    let after: i64 = match query.get("after") {
        Some(after) => after.parse().map_err(ErrorBadRequest)?,
        None => 0,
    };
    let rows = changes::Entity::find()
        .filter(changes::Column::Seq.gt(after))
        .order_by_asc(changes::Column::Seq)
        .limit(limit)
        .all(db.get_ref())
        .await
        .map_err(fail)?;
    let last = rows.last().map_or(after, |r| r.seq);
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"seq": r.seq, "type": r.resource_type, "id": r.resource_id, "op": r.op,
                "version": r.version, "changed_at": r.changed_at})
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_after": last})))
}

/// The repertoire's page query (consenting, live, not rejected or withdrawn, by name key then
/// id, `limit + 1`), then the countries and SDGs of its rows. No consent filtering of fields.
async fn repertoire(db: Db, query: Params) -> actix_web::Result<HttpResponse> {
    let limit = limit(&query)?;
    let mut rows = association::Entity::find()
        .filter(association::Column::DeletedAt.is_null())
        .filter(association::Column::ConsentGranted.eq(true))
        .filter(association::Column::Status.is_not_in([Status::Rejected, Status::Withdrawn]))
        .order_by_asc(association::Column::NameKey)
        .order_by_asc(association::Column::Id)
        .limit(limit + 1)
        .all(db.get_ref())
        .await
        .map_err(fail)?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut countries: HashMap<Uuid, Vec<String>> = HashMap::new();
    for link in country_link::Entity::find()
        .filter(country_link::Column::AssociationId.is_in(ids.clone()))
        .order_by_asc(country_link::Column::CountryCode)
        .all(db.get_ref())
        .await
        .map_err(fail)?
    {
        countries
            .entry(link.association_id)
            .or_default()
            .push(link.country_code);
    }
    let mut sdgs: HashMap<Uuid, Vec<i32>> = HashMap::new();
    for link in sdg_link::Entity::find()
        .filter(sdg_link::Column::AssociationId.is_in(ids))
        .order_by_asc(sdg_link::Column::Sdg)
        .all(db.get_ref())
        .await
        .map_err(fail)?
    {
        sdgs.entry(link.association_id).or_default().push(link.sdg);
    }
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"id": r.id, "name": r.name, "acronym": r.acronym,
                "legal_form": r.legal_form, "founded_year": r.founded_year, "city": r.city,
                "region": r.region, "countries_of_origin": countries.get(&r.id),
                "sdgs": sdgs.get(&r.id),
                "thematic_areas": serde_json::from_str::<Value>(&r.thematic_areas).ok(),
                "intervention_regions": r.intervention_regions,
                "member_count": r.member_count, "website": r.website,
                "email": r.contact_email, "phone": r.contact_phone})
        })
        .collect();
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

/// The JSON report over everything up to today: the same domain call as ours.
async fn results_report(db: Db) -> actix_web::Result<HttpResponse> {
    let period = Period {
        from: EARLIEST,
        to: brussels_today(),
    };
    let report = report::build(db.get_ref(), period, Breakdowns::None)
        .await
        .map_err(fail)?;
    let body = serde_json::to_vec(&report).map_err(fail)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

fn association_json(row: &association::Model) -> Value {
    json!({
        "id": row.id, "name": row.name, "acronym": row.acronym, "legal_form": row.legal_form,
        "enterprise_number": row.enterprise_number, "founded_year": row.founded_year,
        "member_count": row.member_count, "street": row.street,
        "postal_code": row.postal_code, "city": row.city, "region": row.region,
        "thematic_areas": row.thematic_areas, "intervention_regions": row.intervention_regions,
        "woman_led": row.woman_led, "contact_email": row.contact_email,
        "contact_phone": row.contact_phone, "website": row.website,
        "consent_granted": row.consent_granted, "consent_fields": row.consent_fields,
        "consent_recorded_at": row.consent_recorded_at, "status": row.status,
        "version": row.version, "created_at": row.created_at, "updated_at": row.updated_at,
    })
}
