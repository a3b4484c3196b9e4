//! A bare actix-web + sea-orm server: the public reads' main queries (the repertoire page with
//! the countries and SDGs of its rows; the published deliverables with their stories; the
//! calendar of a year with its entries and their associations' names, rendered as iCalendar),
//! serialised with serde_json; no auth, middleware, ETag, language negotiation or consent
//! filtering of fields, stories, people or entries.

use std::collections::HashMap;

use actix_web::error::{ErrorBadRequest, ErrorInternalServerError, ErrorNotFound};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use empower_api::documents::calendar::{DaysEvent, render_days};
use empower_domain::association::Status;
use empower_domain::association::entity::{association, country_link, sdg_link};
use empower_domain::localized::LocalizedText;
use empower_domain::visibility::entity::{calendar_entry, story};
use empower_domain::visibility::{DeliverableKind, DeliverableStatus, deliverable};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

type Db = web::Data<DatabaseConnection>;
type Params = web::Query<HashMap<String, String>>;

/// Starts the server on a free loopback port and answers its base URL.
pub fn start(db: DatabaseConnection) -> String {
    super::common::start_bare(db, routes)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/public/repertoire", web::get().to(repertoire))
        .route("/api/v1/public/deliverables", web::get().to(deliverables))
        .route("/api/v1/public/deliverables/{id}", web::get().to(one))
        .route("/api/v1/public/calendar/{year}", web::get().to(calendar));
}

fn limit(query: &Params, default: u64) -> actix_web::Result<u64> {
    Ok(match query.get("limit") {
        Some(limit) => limit.parse::<u64>().map_err(ErrorBadRequest)?.min(200),
        None => default,
    })
}

/// A JSON text column read back.
fn parsed(text: &str) -> actix_web::Result<Value> {
    serde_json::from_str(text).map_err(ErrorInternalServerError)
}

/// Consenting associations not rejected or withdrawn, by name then id, `limit + 1`; with
/// `country`, those whose consent covers their countries and that have this one. Then the
/// countries and SDGs of the page's rows.
async fn repertoire(db: Db, query: Params) -> actix_web::Result<HttpResponse> {
    let limit = limit(&query, 50)?;
    let mut select = association::Entity::find()
        .filter(association::Column::DeletedAt.is_null())
        .filter(association::Column::ConsentGranted.eq(true))
        .filter(association::Column::Status.is_not_in([Status::Rejected, Status::Withdrawn]));
    if let Some(code) = query.get("country") {
        select = select
            .filter(association::Column::ConsentFields.like("%\"countries_of_origin\"%"))
            .filter(
                association::Column::Id.in_subquery(
                    Query::select()
                        .column(country_link::Column::AssociationId)
                        .from(country_link::Entity)
                        .and_where(country_link::Column::CountryCode.eq(code.to_ascii_uppercase()))
                        .to_owned(),
                ),
            );
    }
    let mut rows = select
        .order_by_asc(association::Column::NameKey)
        .order_by_asc(association::Column::Id)
        .limit(limit + 1)
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut countries: HashMap<Uuid, Vec<String>> = HashMap::new();
    for link in country_link::Entity::find()
        .filter(country_link::Column::AssociationId.is_in(ids.clone()))
        .order_by_asc(country_link::Column::CountryCode)
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?
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
        .map_err(ErrorInternalServerError)?
    {
        sdgs.entry(link.association_id).or_default().push(link.sdg);
    }
    let items = rows
        .iter()
        .map(|r| {
            Ok(json!({"id": r.id, "name": r.name, "acronym": r.acronym,
                "legal_form": r.legal_form, "founded_year": r.founded_year, "city": r.city,
                "region": r.region, "countries_of_origin": countries.get(&r.id),
                "sdgs": sdgs.get(&r.id), "thematic_areas": parsed(&r.thematic_areas)?,
                "intervention_regions": r.intervention_regions,
                "member_count": r.member_count, "website": r.website,
                "email": r.contact_email, "phone": r.contact_phone}))
        })
        .collect::<actix_web::Result<Vec<Value>>>()?;
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

/// A deliverable with its stories, every JSON column read back.
fn deliverable_json(d: &deliverable::Model, stories: &[story::Model]) -> actix_web::Result<Value> {
    let stories = stories
        .iter()
        .filter(|s| s.deliverable_id == d.id)
        .map(|s| {
            Ok(json!({"id": s.id, "association_id": s.association_id,
                "title": parsed(&s.title)?, "body": parsed(&s.body)?, "country": s.country,
                "sdgs": parsed(&s.sdgs)?, "quote": s.quote, "image_url": s.image_url}))
        })
        .collect::<actix_web::Result<Vec<Value>>>()?;
    Ok(
        json!({"id": d.id, "kind": d.kind, "title": parsed(&d.title)?,
        "summary": parsed(&d.summary)?, "languages": parsed(&d.languages)?,
        "published_on": d.published_on, "document_url": d.document_url,
        "sdgs": parsed(&d.sdgs)?,  "year": d.year,
        "featured_association_ids": parsed(&d.featured_association_ids)?,
        "stories": stories}),
    )
}

async fn stories_of(db: &Db, ids: Vec<Uuid>) -> actix_web::Result<Vec<story::Model>> {
    story::Entity::find()
        .filter(story::Column::DeliverableId.is_in(ids))
        .filter(story::Column::DeletedAt.is_null())
        .order_by_asc(story::Column::Id)
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)
}

/// Published deliverables (of a kind), by id, `limit + 1`, then their stories.
async fn deliverables(db: Db, query: Params) -> actix_web::Result<HttpResponse> {
    let limit = limit(&query, 50)?;
    let mut select = deliverable::Entity::find()
        .filter(deliverable::Column::DeletedAt.is_null())
        .filter(deliverable::Column::Status.eq(DeliverableStatus::Published));
    if let Some(kind) = query.get("kind") {
        let kind: DeliverableKind =
            serde_json::from_value(Value::String(kind.clone())).map_err(ErrorBadRequest)?;
        select = select.filter(deliverable::Column::Kind.eq(kind));
    }
    let mut rows = select
        .order_by_asc(deliverable::Column::Id)
        .limit(limit + 1)
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let stories = stories_of(&db, rows.iter().map(|d| d.id).collect()).await?;
    let items = rows
        .iter()
        .map(|d| deliverable_json(d, &stories))
        .collect::<actix_web::Result<Vec<Value>>>()?;
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

/// One published deliverable with its stories.
async fn one(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
    let row = deliverable::Entity::find_by_id(*id)
        .filter(deliverable::Column::DeletedAt.is_null())
        .filter(deliverable::Column::Status.eq(DeliverableStatus::Published))
        .one(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?
        .ok_or_else(|| ErrorNotFound("deliverable"))?;
    let stories = stories_of(&db, vec![row.id]).await?;
    Ok(HttpResponse::Ok().json(deliverable_json(&row, &stories)?))
}

fn localized(text: &str) -> actix_web::Result<LocalizedText> {
    serde_json::from_str(text).map_err(ErrorInternalServerError)
}

/// The published calendar of a year, its entries in month order and their associations'
/// names, as iCalendar (one whole-month event per entry).
async fn calendar(db: Db, year: web::Path<i32>) -> actix_web::Result<HttpResponse> {
    let year = *year;
    let row = deliverable::Entity::find()
        .filter(deliverable::Column::Kind.eq(DeliverableKind::Calendar))
        .filter(deliverable::Column::Status.eq(DeliverableStatus::Published))
        .filter(deliverable::Column::Year.eq(year))
        .filter(deliverable::Column::DeletedAt.is_null())
        .order_by_asc(deliverable::Column::Id)
        .one(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?
        .ok_or_else(|| ErrorNotFound("calendar"))?;
    let entries = calendar_entry::Entity::find()
        .filter(calendar_entry::Column::DeliverableId.eq(row.id))
        .filter(calendar_entry::Column::DeletedAt.is_null())
        .order_by_asc(calendar_entry::Column::Month)
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?;
    let names: HashMap<Uuid, String> = association::Entity::find()
        .select_only()
        .column(association::Column::Id)
        .column(association::Column::Name)
        .filter(
            association::Column::Id
                .is_in(entries.iter().map(|e| e.association_id).collect::<Vec<_>>()),
        )
        .into_tuple::<(Uuid, String)>()
        .all(db.get_ref())
        .await
        .map_err(ErrorInternalServerError)?
        .into_iter()
        .collect();
    let mut events = Vec::with_capacity(entries.len());
    for e in &entries {
        let month = u32::try_from(e.month).map_err(ErrorInternalServerError)?;
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| ErrorInternalServerError("month"))?;
        let end = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or_else(|| ErrorInternalServerError("month"))?;
        let caption = localized(&e.caption)?;
        events.push(DaysEvent {
            id: e.id,
            sequence: u32::try_from(e.version - 1).unwrap_or_default(),
            first,
            end,
            summary: localized(&e.headline)?.best().to_owned(),
            description: Some(format!(
                "{}\n\n{}",
                caption.best(),
                names
                    .get(&e.association_id)
                    .map(String::as_str)
                    .unwrap_or_default()
            )),
            updated_at: e.updated_at,
        });
    }
    let text = render_days(localized(&row.title)?.best(), &events);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(text))
}
