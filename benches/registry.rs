//! The registry at programme scale: 10,000 associations imported in one go, 50,000 people, then
//! the latency of a filtered, sorted list page and of single reads, through HTTP.
//!
//! Each endpoint is measured against our server and against a bare actix-web + sea-orm server
//! (module [`bare`]) doing the same main query on the same database, alternately, so that load
//! from elsewhere on a shared machine hits both alike: the ratio of the medians is the figure to
//! read.
//!
//! Run with `cargo bench --bench registry` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted.

mod common;

use std::time::{Duration, Instant};

use empower_domain::association::{self, RowOutcome};
use empower_domain::audit::AuditContext;
use empower_domain::person::{self, Gender, PersonInput};
use empower_domain::policy::CallerScope;

const ASSOCIATIONS: usize = 10_000;
const PEOPLE_PER_ASSOCIATION: usize = 5;
const SAMPLES: usize = 300;
const FILTERED: &str =
    "/api/v1/associations?status=applicant&q=femmes&sort=-updated_at,name&limit=50";
const UNFILTERED: &str = "/api/v1/associations?sort=name&limit=50";

/// One measured endpoint: its latencies on our server and on the bare one.
struct Endpoint {
    what: &'static str,
    ours: Vec<Duration>,
    bare: Vec<Duration>,
}

impl Endpoint {
    fn new(what: &'static str) -> Self {
        Self {
            what,
            ours: Vec::with_capacity(SAMPLES),
            bare: Vec::with_capacity(SAMPLES),
        }
    }
}

/// A bare actix-web + sea-orm server: one handler per measured endpoint, each running the main
/// query of ours through the domain's entities and serialising the rows with serde_json. No auth,
/// no middleware, none of our further lookups (countries, SDGs, consents, the audit row).
mod bare {
    use std::collections::HashMap;

    use actix_web::error::{ErrorBadRequest, ErrorInternalServerError, ErrorNotFound};
    use actix_web::{HttpResponse, web};
    use empower_domain::association::Status;
    use empower_domain::association::entity::association;
    use empower_domain::person::entity::person;
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    use sea_orm::{
        ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    };
    use serde_json::{Value, json};
    use uuid::Uuid;

    type Db = web::Data<DatabaseConnection>;

    /// Starts the server on a free loopback port and answers its base URL.
    pub fn start(db: DatabaseConnection) -> String {
        super::common::start_bare(db, routes)
    }

    fn routes(cfg: &mut web::ServiceConfig) {
        cfg.route("/api/v1/associations", web::get().to(list_associations))
            .route("/api/v1/associations/{id}", web::get().to(read_association))
            .route("/api/v1/people/{id}", web::get().to(read_person));
    }

    /// `association::list`'s page query: live rows, status, `q` as a substring of the folded
    /// search text, the sort keys then the id, limit + 1.
    async fn list_associations(
        db: Db,
        query: web::Query<HashMap<String, String>>,
    ) -> actix_web::Result<HttpResponse> {
        let mut select =
            association::Entity::find().filter(association::Column::DeletedAt.is_null());
        if let Some(status) = query.get("status") {
            let status: Status =
                serde_json::from_value(Value::String(status.clone())).map_err(ErrorBadRequest)?;
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
        let mut id_desc = false;
        for key in query.get("sort").map_or("name", String::as_str).split(',') {
            let (name, desc) = key.strip_prefix('-').map_or((key, false), |k| (k, true));
            let column = match name {
                "name" => association::Column::NameKey,
                "created_at" => association::Column::CreatedAt,
                "updated_at" => association::Column::UpdatedAt,
                _ => return Err(ErrorBadRequest("sort")),
            };
            select = if desc {
                select.order_by_desc(column)
            } else {
                select.order_by_asc(column)
            };
            id_desc = desc;
        }
        select = if id_desc {
            select.order_by_desc(association::Column::Id)
        } else {
            select.order_by_asc(association::Column::Id)
        };
        let limit: u64 = match query.get("limit") {
            Some(limit) => limit.parse().map_err(ErrorBadRequest)?,
            None => 50,
        };
        let rows = select
            .limit(limit + 1)
            .all(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?;
        let items: Vec<Value> = rows
            .iter()
            .take(limit as usize)
            .map(association_json)
            .collect();
        Ok(HttpResponse::Ok().json(json!({ "items": items })))
    }

    /// `association::get`'s row query: a live association by id.
    async fn read_association(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
        let row = association::Entity::find()
            .filter(association::Column::Id.eq(id.into_inner()))
            .filter(association::Column::DeletedAt.is_null())
            .one(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?
            .ok_or_else(|| ErrorNotFound("association"))?;
        Ok(HttpResponse::Ok().json(association_json(&row)))
    }

    /// `person::get`'s row query: a live person by id.
    async fn read_person(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
        let row = person::Entity::find()
            .filter(person::Column::Id.eq(id.into_inner()))
            .filter(person::Column::DeletedAt.is_null())
            .one(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?
            .ok_or_else(|| ErrorNotFound("person"))?;
        Ok(HttpResponse::Ok().json(json!({
            "id": row.id,
            "association_id": row.association_id,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "gender": row.gender,
            "email": row.email,
            "phone": row.phone,
            "role_in_association": row.role_in_association,
            "is_representative": row.is_representative,
            "languages": row.languages,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        })))
    }

    fn association_json(row: &association::Model) -> Value {
        json!({
            "id": row.id,
            "name": row.name,
            "acronym": row.acronym,
            "legal_form": row.legal_form,
            "enterprise_number": row.enterprise_number,
            "founded_year": row.founded_year,
            "member_count": row.member_count,
            "street": row.street,
            "postal_code": row.postal_code,
            "city": row.city,
            "region": row.region,
            "thematic_areas": row.thematic_areas,
            "intervention_regions": row.intervention_regions,
            "woman_led": row.woman_led,
            "contact_email": row.contact_email,
            "contact_phone": row.contact_phone,
            "website": row.website,
            "consent_granted": row.consent_granted,
            "consent_fields": row.consent_fields,
            "consent_recorded_at": row.consent_recorded_at,
            "status": row.status,
            "version": row.version,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        })
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();

    let rows = (0..ASSOCIATIONS).map(|i| Ok(common::input(i))).collect();
    let started = Instant::now();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let outcomes = association::import(&tx, &context, rows, &CallerScope::SYSTEM)
        .await
        .expect("import");
    tx.commit().await.expect("commit");
    let import_time = started.elapsed();
    let ids: Vec<uuid::Uuid> = outcomes
        .iter()
        .filter_map(|o| match o {
            RowOutcome::Created(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), ASSOCIATIONS, "every row created");

    let started = Instant::now();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let mut person_ids = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        for p in 0..PEOPLE_PER_ASSOCIATION {
            let person = PersonInput {
                email: Some(format!("p{p}.{i}@bench.example")),
                languages: vec!["fr".into()],
                ..PersonInput::named(
                    &format!("Person {p}"),
                    &format!("Member {i}"),
                    Gender::Female,
                )
            };
            let made = person::create(&tx, &context, *id, None, &person, &CallerScope::SYSTEM)
                .await
                .expect("person");
            person_ids.push(made.row.id);
        }
    }
    tx.commit().await.expect("commit");
    let people_time = started.elapsed();

    let base = common::serve(
        url,
        "bench@empower.local",
        "a bench passphrase nobody guesses",
    )
    .await;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(
            &serde_json::json!({"email": "bench@empower.local", "password": "a bench passphrase nobody guesses"}),
        )
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();

    let bare = bare::start(db.clone());

    // Both servers answer the same rows: the bare one reproduces our main query.
    let ids_of = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["id"].as_str().expect("id").to_owned())
            .collect()
    };
    for query in [FILTERED, UNFILTERED] {
        let mut pages = Vec::new();
        for server in [&base, &bare] {
            let page: serde_json::Value = client
                .get(format!("{server}{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("json");
            pages.push(ids_of(&page));
        }
        assert!(!pages[0].is_empty(), "{query} finds rows");
        assert_eq!(pages[0], pages[1], "{query}: same rows, same order");
    }

    let timed = |url: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let started = Instant::now();
            let response = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("body");
            started.elapsed()
        }
    };
    let mut endpoints = [
        Endpoint::new("GET /associations?status=applicant&q=femmes&sort=-updated_at,name&limit=50"),
        Endpoint::new("GET /associations?sort=name&limit=50"),
        Endpoint::new("GET /associations/{id}"),
        Endpoint::new("GET /people/{id} (staff: contact data, audited)"),
    ];
    for i in 0..SAMPLES {
        let paths = [
            FILTERED.to_owned(),
            UNFILTERED.to_owned(),
            format!("/api/v1/associations/{}", ids[(i * 31) % ids.len()]),
            format!(
                "/api/v1/people/{}",
                person_ids[(i * 131) % person_ids.len()]
            ),
        ];
        for (endpoint, path) in endpoints.iter_mut().zip(paths) {
            // Alternate which server goes first, so neither always follows the other.
            if i.is_multiple_of(2) {
                endpoint.ours.push(timed(format!("{base}{path}")).await);
                endpoint.bare.push(timed(format!("{bare}{path}")).await);
            } else {
                endpoint.bare.push(timed(format!("{bare}{path}")).await);
                endpoint.ours.push(timed(format!("{base}{path}")).await);
            }
        }
    }
    println!(
        "import of {ASSOCIATIONS} associations (one transaction): {:.2} s",
        import_time.as_secs_f64()
    );
    println!(
        "{} people added: {:.2} s",
        ASSOCIATIONS * PEOPLE_PER_ASSOCIATION,
        people_time.as_secs_f64()
    );
    println!(
        "| request ({SAMPLES} each, sequential, loopback HTTP, alternating) | ours median | ours p95 | bare median | bare p95 | ratio of medians |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for endpoint in endpoints {
        let (ours_p50, ours_p95) = common::percentiles(endpoint.ours);
        let (bare_p50, bare_p95) = common::percentiles(endpoint.bare);
        println!(
            "| {} | {ours_p50:.2} ms | {ours_p95:.2} ms | {bare_p50:.2} ms | {bare_p95:.2} ms | {:.2} |",
            endpoint.what,
            ours_p50 / bare_p50
        );
    }
}
