//! Completion at programme scale: 10,000 enrolments in module 1 (two representatives of each
//! of 5,000 associations) and 200,000 attendance lines (20 sittings of its 4 days), then
//! completion of every enrolment of the module, computed in SQL.
//!
//! Measured: `completion::of` for the whole module (the domain's one query, no HTTP); a page of
//! enrolments, one enrolment and a page of sessions against a bare actix-web + sea-orm server
//! running the same main queries, completion included (module [`bare`]), alternately, so the
//! ratio of the medians is the figure to read; and the module's whole attendance register.
//!
//! Run with `cargo bench --bench training` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted.

mod common;

use std::time::Instant;

use chrono::{NaiveDate, NaiveTime};
use empower_domain::association::{self, RowOutcome};
use empower_domain::audit::AuditContext;
use empower_domain::person::entity::person;
use empower_domain::policy::CallerScope;
use empower_domain::resource;
use empower_domain::training::completion::{self, Which};
use empower_domain::training::entity::{
    AttendanceStatus, EnrollmentStatus, SessionStatus, attendance, enrollment,
};
use empower_domain::training::sessions::{self, SessionInput};
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

const ASSOCIATIONS: usize = 5_000;
/// Sittings per module day: 5 × 4 days = 20 sessions, so 20 lines per enrolment.
const SITTINGS: usize = 5;
const SAMPLES: usize = 100;
const M1: Uuid = Uuid::from_u128(0x019a_c000_0000_7000_8000_0000_0000_0001);

/// A bare actix-web + sea-orm server: the enrolment page query and the completion query,
/// serialised with serde_json; no auth, middleware, module or assessment lookups.
mod bare {
    use actix_web::error::ErrorInternalServerError;
    use actix_web::{HttpResponse, web};
    use empower_domain::paging::{self, KeyValue, Order, PageRequest};
    use empower_domain::training::completion::{self, Which};
    use empower_domain::training::entity::enrollment;
    use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
    use serde_json::json;
    use uuid::Uuid;

    type Db = web::Data<DatabaseConnection>;

    /// Starts the server on a free loopback port and answers its base URL.
    pub fn start(db: DatabaseConnection) -> String {
        super::common::start_bare(db, routes)
    }

    fn routes(cfg: &mut web::ServiceConfig) {
        cfg.route("/api/v1/enrollments", web::get().to(list_enrollments))
            .route("/api/v1/enrollments/{id}", web::get().to(read_enrollment))
            .route("/api/v1/training-sessions", web::get().to(list_sessions));
    }

    async fn list_enrollments(
        db: Db,
        query: web::Query<std::collections::HashMap<String, String>>,
    ) -> actix_web::Result<HttpResponse> {
        let module: Uuid = query
            .get("module_id")
            .and_then(|m| m.parse().ok())
            .unwrap_or_default();
        let select = enrollment::Entity::find()
            .filter(enrollment::Column::DeletedAt.is_null())
            .filter(enrollment::Column::ModuleId.eq(module));
        let request = PageRequest {
            limit: 200,
            ..PageRequest::default()
        };
        let page = paging::by_unique_key(
            db.get_ref(),
            select,
            enrollment::Column::Id,
            Order::Asc,
            &request,
            |e| KeyValue::Uuid(e.id),
        )
        .await
        .map_err(ErrorInternalServerError)?;
        let ids: Vec<Uuid> = page.items.iter().map(|e| e.id).collect();
        let done = completion::of(db.get_ref(), Which::Enrollments(&ids))
            .await
            .map_err(ErrorInternalServerError)?;
        let items: Vec<_> = page
            .items
            .iter()
            .map(|e| {
                let c = done.get(&e.id).copied().unwrap_or_default();
                json!({"id": e.id, "person_id": e.person_id, "association_id": e.association_id,
                    "module_id": e.module_id, "status": e.status, "attended_days": c.attended_days,
                    "completed_on": c.completed_on, "version": e.version,
                    "created_at": e.created_at, "updated_at": e.updated_at})
            })
            .collect();
        Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": page.next_cursor})))
    }

    /// One enrolment by id, with its completion.
    async fn read_enrollment(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
        let row = enrollment::Entity::find_by_id(*id)
            .filter(enrollment::Column::DeletedAt.is_null())
            .one(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?
            .ok_or_else(|| actix_web::error::ErrorNotFound("enrollment"))?;
        let done = completion::of(db.get_ref(), Which::Enrollments(&[row.id]))
            .await
            .map_err(ErrorInternalServerError)?;
        let c = done.get(&row.id).copied().unwrap_or_default();
        Ok(
            HttpResponse::Ok().json(json!({"id": row.id, "person_id": row.person_id,
            "module_id": row.module_id, "status": row.status, "attended_days": c.attended_days,
            "completed_on": c.completed_on, "version": row.version})),
        )
    }

    /// A page of a module's sessions by date, then id.
    async fn list_sessions(
        db: Db,
        query: web::Query<std::collections::HashMap<String, String>>,
    ) -> actix_web::Result<HttpResponse> {
        use empower_domain::training::entity::session;
        use sea_orm::{QueryOrder, QuerySelect};
        let module: Uuid = query
            .get("module_id")
            .and_then(|m| m.parse().ok())
            .unwrap_or_default();
        let rows = session::Entity::find()
            .filter(session::Column::DeletedAt.is_null())
            .filter(session::Column::ModuleId.eq(module))
            .order_by_asc(session::Column::Date)
            .order_by_asc(session::Column::Id)
            .limit(51)
            .all(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?;
        let items: Vec<_> = rows
            .iter()
            .take(50)
            .map(|s| {
                json!({"id": s.id, "module_id": s.module_id, "day_number": s.day_number,
                "date": s.date, "starts_at": s.starts_at, "ends_at": s.ends_at, "venue": s.venue,
                "facilitators": s.facilitators, "capacity": s.capacity, "status": s.status,
                "version": s.version})
            })
            .collect();
        Ok(HttpResponse::Ok().json(json!({"items": items})))
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();
    let scope = CallerScope::SYSTEM;

    let started = Instant::now();
    let rows = (0..ASSOCIATIONS).map(|i| Ok(common::input(i))).collect();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let associations: Vec<Uuid> = association::import(&tx, &context, rows, &scope)
        .await
        .expect("import")
        .iter()
        .filter_map(|o| match o {
            RowOutcome::Created(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut people = Vec::new();
    let mut enrolments = Vec::new();
    for (i, association_id) in associations.iter().enumerate() {
        for r in 0..2 {
            let person_id = Uuid::now_v7();
            people.push(person::ActiveModel {
                id: Set(person_id),
                association_id: Set(*association_id),
                first_name: Set(format!("Representative {r}")),
                last_name: Set(format!("Member {i}")),
                gender: Set(empower_domain::person::Gender::Female),
                email: Set(None),
                phone: Set(None),
                role_in_association: Set(None),
                is_representative: Set(true),
                languages: Set("[\"fr\"]".into()),
                erased_at: Set(None),
                ..Default::default()
            });
            enrolments.push(enrollment::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(person_id),
                association_id: Set(*association_id),
                module_id: Set(M1),
                status: Set(EnrollmentStatus::Enrolled),
                certificate_code: Set(format!("B{:04}-{:04}-{r:04}", i / 10_000, i % 10_000)),
                completed_on: Set(None),
                ..Default::default()
            });
        }
    }
    let enrolment_rows: Vec<(Uuid, Uuid, Uuid)> = enrolments
        .iter()
        .map(|e| {
            (
                *e.id.as_ref(),
                *e.person_id.as_ref(),
                *e.association_id.as_ref(),
            )
        })
        .collect();
    resource::insert_many::<person::Entity>(&tx, &context, people)
        .await
        .expect("people");
    resource::insert_many::<enrollment::Entity>(&tx, &context, enrolments)
        .await
        .expect("enrolments");
    let mut sittings = Vec::new();
    for day in 1..=4 {
        for s in 0..SITTINGS {
            let date =
                NaiveDate::from_ymd_opt(2026, 9, 1 + u32::try_from(day * 5 + s).unwrap_or(0))
                    .expect("date");
            let made = sessions::create(
                &tx,
                &context,
                &SessionInput {
                    module_id: M1,
                    day_number: day as i32,
                    date,
                    starts_at: NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
                    ends_at: NaiveTime::from_hms_opt(16, 30, 0).expect("time"),
                    venue: "Bench hall".into(),
                    facilitators: vec![],
                    guest_partner_ids: vec![],
                    capacity: 500,
                    status: SessionStatus::Held,
                },
            )
            .await
            .expect("session");
            sittings.push(made.row.id);
        }
    }
    // Each enrolment: a line at every sitting; enrolment n is present at one sitting of each of
    // its first 1 + n % 4 days and absent from the others, so a half complete the module.
    let mut lines = Vec::with_capacity(enrolment_rows.len() * sittings.len());
    for (n, (enrollment_id, person_id, association_id)) in enrolment_rows.iter().enumerate() {
        for (k, session_id) in sittings.iter().enumerate() {
            let (day, sitting) = (k / SITTINGS, k % SITTINGS);
            let present = day <= n % 4 && sitting == n % SITTINGS;
            lines.push(attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                session_id: Set(*session_id),
                enrollment_id: Set(*enrollment_id),
                person_id: Set(*person_id),
                association_id: Set(*association_id),
                status: Set(if present {
                    AttendanceStatus::Present
                } else {
                    AttendanceStatus::Absent
                }),
                arrived_late: Set(false),
                ..Default::default()
            });
        }
    }
    let line_count = lines.len();
    resource::insert_many::<attendance::Entity>(&tx, &context, lines)
        .await
        .expect("attendance");
    tx.commit().await.expect("commit");
    let setup = started.elapsed();

    // The whole module's completion, in SQL.
    let mut whole = Vec::with_capacity(20);
    let mut completed = 0;
    for _ in 0..20 {
        let started = Instant::now();
        let done = completion::of(&db, Which::Module(M1))
            .await
            .expect("completion");
        whole.push(started.elapsed());
        completed = done.values().filter(|c| c.completed_on.is_some()).count();
    }

    let base = common::serve(
        url,
        "bench@empower.local",
        "a bench passphrase nobody guesses",
    )
    .await;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "bench@empower.local", "password": "a bench passphrase nobody guesses"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let bare = bare::start(db.clone());
    let page = format!("/api/v1/enrollments?module_id={M1}&limit=200");
    let ids = |server: &str| {
        let (client, token, url) = (client.clone(), token.clone(), format!("{server}{page}"));
        async move {
            let body: serde_json::Value = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("json");
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| {
                    (
                        i["id"].clone(),
                        i["attended_days"].clone(),
                        i["completed_on"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let (ours_rows, bare_rows) = (ids(&base).await, ids(&bare).await);
    assert_eq!(ours_rows.len(), 200);
    assert_eq!(ours_rows, bare_rows, "same rows, same completion");

    let timed = |url: String, accept: &'static str| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let started = Instant::now();
            let response = client
                .get(url)
                .bearer_auth(token)
                .header("Accept", accept)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("body");
            started.elapsed()
        }
    };
    let one = format!("/api/v1/enrollments/{}", enrolment_rows[4_321].0);
    let sittings_page = format!("/api/v1/training-sessions?module_id={M1}&limit=50");
    let requests = [
        ("GET /enrollments?module_id=…&limit=200", page.clone()),
        ("GET /enrollments/{id}", one),
        ("GET /training-sessions?module_id=…&limit=50", sittings_page),
    ];
    let mut measured = Vec::new();
    for (what, path) in &requests {
        let (mut ours, mut bare_times) = (Vec::new(), Vec::new());
        for i in 0..SAMPLES {
            if i.is_multiple_of(2) {
                ours.push(timed(format!("{base}{path}"), "application/json").await);
                bare_times.push(timed(format!("{bare}{path}"), "application/json").await);
            } else {
                bare_times.push(timed(format!("{bare}{path}"), "application/json").await);
                ours.push(timed(format!("{base}{path}"), "application/json").await);
            }
        }
        measured.push((*what, ours, bare_times));
    }
    let mut register = Vec::new();
    for _ in 0..10 {
        register.push(
            timed(
                format!("{base}/api/v1/modules/{M1}/attendance-register"),
                "text/csv",
            )
            .await,
        );
    }

    println!(
        "setup: {ASSOCIATIONS} associations, {} enrolments, {line_count} attendance lines: {:.1} s",
        enrolment_rows.len(),
        setup.as_secs_f64()
    );
    let (p50, p95) = common::percentiles(whole);
    println!(
        "completion of every enrolment of the module (completion::of, SQL, 20 runs): median {p50:.1} ms, p95 {p95:.1} ms; {completed} completed"
    );
    println!(
        "| request ({SAMPLES} each, alternating) | ours median | ours p95 | bare median | bare p95 | ratio of medians |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (what, ours, bare_times) in measured {
        let (ours_p50, ours_p95) = common::percentiles(ours);
        let (bare_p50, bare_p95) = common::percentiles(bare_times);
        println!(
            "| {what} | {ours_p50:.2} ms | {ours_p95:.2} ms | {bare_p50:.2} ms | {bare_p95:.2} ms | {:.2} |",
            ours_p50 / bare_p50
        );
    }
    let (p50, p95) = common::percentiles(register);
    println!(
        "GET /modules/{{id}}/attendance-register as CSV (10,000 rows, 10 runs): median {p50:.0} ms, p95 {p95:.0} ms"
    );
}
