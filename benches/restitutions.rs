//! Restitutions at programme scale: 2,000 associations (`BENCH_ASSOCIATIONS`), each with a
//! representative who completed module M3 (its 2 days attended), and 10 restitutions each in
//! every status (20,000 rows, a fifth of them validated).
//!
//! Measured: a page of validated restitutions, one restitution and a page filtered by module
//! against a bare actix-web + sea-orm server running the same main queries (module [`bare`]),
//! alternately, so the ratio of the medians is the figure to read; the CSV export of every
//! validated restitution; and 5 MiB PDF evidence uploads (multipart) and downloads.
//!
//! Run with `cargo bench --bench restitutions` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted.

mod common;

use std::time::Instant;

use chrono::{Days, NaiveDate, NaiveTime};
use empower_domain::association::{self, RowOutcome};
use empower_domain::audit::AuditContext;
use empower_domain::person::entity::person;
use empower_domain::policy::CallerScope;
use empower_domain::resource::{self, json_text};
use empower_domain::restitution::entity::restitution;
use empower_domain::restitution::{LocationKind, RestitutionStatus};
use empower_domain::training::entity::{
    AttendanceStatus, EnrollmentStatus, SessionStatus, attendance, enrollment,
};
use empower_domain::training::sessions::{self, SessionInput};
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

const DEFAULT_ASSOCIATIONS: usize = 2_000;
const PER_ASSOCIATION: usize = 10;
const SAMPLES: usize = 100;
const UPLOADS: usize = 20;
const FILE_BYTES: usize = 5 * 1024 * 1024;
const M3: Uuid = Uuid::from_u128(0x019a_c000_0000_7000_8000_0000_0000_0003);
const EMAIL: &str = "bench@empower.local";
const PASSWORD: &str = "a bench passphrase nobody guesses";
const BOUNDARY: &str = "empower-bench-boundary";

/// A bare actix-web + sea-orm server: the restitution list's page query (live rows of live
/// associations, status or module filter, by id, limit + 1) and the read by id, serialised with
/// serde_json; no auth, middleware or paging cursor.
mod bare {
    use std::collections::HashMap;

    use actix_web::error::{ErrorBadRequest, ErrorInternalServerError, ErrorNotFound};
    use actix_web::{HttpResponse, web};
    use empower_domain::restitution::RestitutionStatus;
    use empower_domain::restitution::entity::restitution;
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
        cfg.route("/api/v1/restitutions", web::get().to(list))
            .route("/api/v1/restitutions/{id}", web::get().to(read));
    }

    async fn list(
        db: Db,
        query: web::Query<HashMap<String, String>>,
    ) -> actix_web::Result<HttpResponse> {
        let mut select = restitution::Entity::find()
            .filter(restitution::Column::DeletedAt.is_null())
            .filter(
                restitution::Column::AssociationId
                    .in_subquery(empower_domain::association::live_ids()),
            );
        if let Some(status) = query.get("status") {
            let status: RestitutionStatus =
                serde_json::from_value(Value::String(status.clone())).map_err(ErrorBadRequest)?;
            select = select.filter(restitution::Column::Status.eq(status));
        }
        if let Some(module) = query.get("module_id") {
            let module: Uuid = module.parse().map_err(ErrorBadRequest)?;
            select = select.filter(restitution::Column::ModuleIds.like(format!("%\"{module}\"%")));
        }
        let limit: u64 = match query.get("limit") {
            Some(limit) => limit.parse::<u64>().map_err(ErrorBadRequest)?.min(200),
            None => 50,
        };
        let rows = select
            .order_by_asc(restitution::Column::Id)
            .limit(limit + 1)
            .all(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?;
        let items = rows
            .iter()
            .take(limit as usize)
            .map(to_json)
            .collect::<actix_web::Result<Vec<Value>>>()?;
        Ok(HttpResponse::Ok().json(json!({ "items": items })))
    }

    async fn read(db: Db, id: web::Path<Uuid>) -> actix_web::Result<HttpResponse> {
        let row = restitution::Entity::find_by_id(*id)
            .filter(restitution::Column::DeletedAt.is_null())
            .one(db.get_ref())
            .await
            .map_err(ErrorInternalServerError)?
            .ok_or_else(|| ErrorNotFound("restitution"))?;
        Ok(HttpResponse::Ok().json(to_json(&row)?))
    }

    /// The row, its JSON lists read as ours reads them.
    fn to_json(r: &restitution::Model) -> actix_web::Result<Value> {
        let list =
            |s: &str| serde_json::from_str::<Vec<Value>>(s).map_err(ErrorInternalServerError);
        let a = [
            r.attendees_women,
            r.attendees_men,
            r.attendees_other,
            r.attendees_undisclosed,
        ];
        Ok(json!({"id": r.id, "association_id": r.association_id,
            "module_ids": list(&r.module_ids)?, "facilitator_ids": list(&r.facilitator_ids)?,
            "planned_on": r.planned_on, "held_on": r.held_on,
            "location": {"kind": r.location_kind, "city": r.city, "postal_code": r.postal_code,
                "country": r.country},
            "language": r.language, "topics": list(&r.topics)?,
            "attendees": {"women": a[0], "men": a[1], "other": a[2], "undisclosed": a[3]},
            "attendees_total": a.iter().sum::<i32>(), "youth_attendees": r.youth_attendees,
            "notes": r.notes, "status": r.status, "version": r.version,
            "created_at": r.created_at, "updated_at": r.updated_at}))
    }
}

/// Restitution `k` of association number `i`: the five statuses in turn, so a fifth of them
/// validated; places in Belgium, abroad and online.
fn restitution_row(
    i: usize,
    k: usize,
    association_id: Uuid,
    rep: Uuid,
) -> restitution::ActiveModel {
    let n = i * PER_ASSOCIATION + k;
    let status = [
        RestitutionStatus::Planned,
        RestitutionStatus::Reported,
        RestitutionStatus::Validated,
        RestitutionStatus::Returned,
        RestitutionStatus::Cancelled,
    ][k % 5];
    let held = matches!(
        status,
        RestitutionStatus::Reported | RestitutionStatus::Validated | RestitutionStatus::Returned
    );
    let planned_on = if status == RestitutionStatus::Planned {
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("date") + Days::new((n % 120) as u64)
    } else {
        NaiveDate::from_ymd_opt(2026, 4, 1).expect("date") + Days::new((n % 200) as u64)
    };
    let (kind, city, postal_code, country) = match n % 3 {
        0 => (
            LocationKind::Belgium,
            Some("Bruxelles".to_owned()),
            Some(format!("{}", 1000 + (n * 7) % 9000)),
            None,
        ),
        1 => (
            LocationKind::Abroad,
            None,
            None,
            Some(["SN", "MA", "CD", "RW", "CM"][n % 5].to_owned()),
        ),
        _ => (LocationKind::Online, None, None, None),
    };
    let count = |base: usize| if held { (base + n % 13) as i32 } else { 0 };
    restitution::ActiveModel {
        id: Set(Uuid::now_v7()),
        association_id: Set(association_id),
        module_ids: Set(json_text(&[M3])),
        facilitator_ids: Set(json_text(&[rep])),
        planned_on: Set(planned_on),
        held_on: Set(held.then_some(planned_on)),
        location_kind: Set(kind),
        city: Set(city),
        postal_code: Set(postal_code),
        country: Set(country),
        language: Set("fr".into()),
        topics: Set(json_text(&[
            "Consolidation de la paix",
            "Cohésion communautaire",
        ])),
        attendees_women: Set(count(8)),
        attendees_men: Set(count(2) / 3),
        attendees_other: Set(0),
        attendees_undisclosed: Set(i32::from(held && n.is_multiple_of(4))),
        youth_attendees: Set(held.then(|| count(1) / 2)),
        notes: Set(n.is_multiple_of(7).then(|| format!("Restitution {n}"))),
        status: Set(status),
        ..Default::default()
    }
}

/// A `multipart/form-data` body as `tests/api/restitutions` builds it: kind, description, then
/// a 5 MiB PDF whose content differs with `seed`, so every upload has its own hash.
fn upload_body(seed: usize) -> Vec<u8> {
    let mut pdf = format!("%PDF-1.4\n% bench upload {seed}\n").into_bytes();
    pdf.extend((pdf.len()..FILE_BYTES).map(|j| (j.wrapping_mul(31) ^ seed.wrapping_mul(7)) as u8));
    let mut body = Vec::with_capacity(FILE_BYTES + 512);
    for (name, value) in [("kind", "report"), ("description", "bench")] {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    body.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report-{seed}.pdf\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .into_bytes(),
    );
    body.extend_from_slice(&pdf);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    body
}

#[tokio::main]
async fn main() {
    let associations_wanted: usize = std::env::var("BENCH_ASSOCIATIONS")
        .ok()
        .map(|n| n.parse().expect("BENCH_ASSOCIATIONS is a number"))
        .unwrap_or(DEFAULT_ASSOCIATIONS);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();

    let started = Instant::now();
    let rows = (0..associations_wanted)
        .map(|i| Ok(common::input(i)))
        .collect();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let associations: Vec<Uuid> = association::import(&tx, &context, rows, &CallerScope::SYSTEM)
        .await
        .expect("import")
        .iter()
        .filter_map(|o| match o {
            RowOutcome::Created(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(associations.len(), associations_wanted, "every row created");
    let (mut people, mut enrolments, mut reps) = (Vec::new(), Vec::new(), Vec::new());
    for (i, association_id) in associations.iter().enumerate() {
        let (person_id, enrollment_id) = (Uuid::now_v7(), Uuid::now_v7());
        people.push(person::ActiveModel {
            id: Set(person_id),
            association_id: Set(*association_id),
            first_name: Set("Representative".into()),
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
            id: Set(enrollment_id),
            person_id: Set(person_id),
            association_id: Set(*association_id),
            module_id: Set(M3),
            status: Set(EnrollmentStatus::Enrolled),
            certificate_code: Set(format!("R{:04}-{:04}-0003", i / 10_000, i % 10_000)),
            completed_on: Set(None),
            ..Default::default()
        });
        reps.push((person_id, enrollment_id));
    }
    resource::insert_many::<person::Entity>(&tx, &context, people)
        .await
        .expect("people");
    resource::insert_many::<enrollment::Entity>(&tx, &context, enrolments)
        .await
        .expect("enrolments");
    // M3's two days, one held session each, every representative present at both.
    let mut lines = Vec::with_capacity(reps.len() * 2);
    for day in 1..=2 {
        let session = sessions::create(
            &tx,
            &context,
            &SessionInput {
                module_id: M3,
                day_number: day,
                date: NaiveDate::from_ymd_opt(2026, 3, 1 + day as u32).expect("date"),
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
        for ((person_id, enrollment_id), association_id) in reps.iter().zip(&associations) {
            lines.push(attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                session_id: Set(session.row.id),
                enrollment_id: Set(*enrollment_id),
                person_id: Set(*person_id),
                association_id: Set(*association_id),
                status: Set(AttendanceStatus::Present),
                arrived_late: Set(false),
                ..Default::default()
            });
        }
    }
    let line_count = lines.len();
    resource::insert_many::<attendance::Entity>(&tx, &context, lines)
        .await
        .expect("attendance");
    let mut restitutions = Vec::with_capacity(associations.len() * PER_ASSOCIATION);
    for (i, (association_id, (rep, _))) in associations.iter().zip(&reps).enumerate() {
        for k in 0..PER_ASSOCIATION {
            restitutions.push(restitution_row(i, k, *association_id, *rep));
        }
    }
    let ids: Vec<(Uuid, RestitutionStatus)> = restitutions
        .iter()
        .map(|r| (*r.id.as_ref(), *r.status.as_ref()))
        .collect();
    resource::insert_many::<restitution::Entity>(&tx, &context, restitutions)
        .await
        .expect("restitutions");
    tx.commit().await.expect("commit");
    let setup = started.elapsed();
    let validated = ids
        .iter()
        .filter(|(_, s)| *s == RestitutionStatus::Validated)
        .count();

    let base = common::serve(url, EMAIL, PASSWORD).await;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let bare = bare::start(db.clone());

    let by_status = "/api/v1/restitutions?status=validated&limit=50".to_owned();
    let by_module = format!("/api/v1/restitutions?module_id={M3}&limit=200");
    // Both servers answer the same rows in the same order.
    for (query, expected) in [
        (&by_status, validated.min(50)),
        (&by_module, ids.len().min(200)),
    ] {
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
            let items = page["items"].as_array().expect("items").clone();
            pages.push(items.iter().map(|i| i["id"].clone()).collect::<Vec<_>>());
        }
        assert_eq!(pages[0].len(), expected, "{query}");
        assert_eq!(pages[0], pages[1], "{query}: same rows, same order");
    }

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
            let body = response.bytes().await.expect("body");
            (started.elapsed(), body)
        }
    };
    let one = format!("/api/v1/restitutions/{}", ids[ids.len() / 2].0);
    let requests = [
        ("GET /restitutions?status=validated&limit=50", by_status),
        ("GET /restitutions/{id}", one),
        ("GET /restitutions?module_id=…&limit=200", by_module),
    ];
    let mut measured = Vec::new();
    for (what, path) in &requests {
        let (mut ours, mut bare_times) = (Vec::new(), Vec::new());
        for i in 0..SAMPLES {
            let (o, b) = (format!("{base}{path}"), format!("{bare}{path}"));
            if i.is_multiple_of(2) {
                ours.push(timed(o, "application/json").await.0);
                bare_times.push(timed(b, "application/json").await.0);
            } else {
                bare_times.push(timed(b, "application/json").await.0);
                ours.push(timed(o, "application/json").await.0);
            }
        }
        measured.push((*what, ours, bare_times));
    }

    let (mut export, mut csv_rows) = (Vec::new(), 0);
    for _ in 0..10 {
        let url = format!("{base}/api/v1/restitutions?status=validated");
        let (took, body) = timed(url, "text/csv").await;
        export.push(took);
        csv_rows = body
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            .saturating_sub(1);
    }
    assert_eq!(
        csv_rows, validated,
        "one CSV line per validated restitution"
    );

    // Uploads: one per planned restitution, each body built before the clock starts.
    let planned: Vec<Uuid> = ids
        .iter()
        .filter(|(_, s)| *s == RestitutionStatus::Planned)
        .map(|(id, _)| *id)
        .step_by(7)
        .take(UPLOADS)
        .collect();
    assert_eq!(planned.len(), UPLOADS, "enough planned restitutions");
    let (mut uploads, mut evidence) = (Vec::new(), None);
    for (seed, restitution_id) in planned.iter().enumerate() {
        let body = upload_body(seed);
        let started = Instant::now();
        let response = client
            .post(format!(
                "{base}/api/v1/restitutions/{restitution_id}/evidence"
            ))
            .bearer_auth(&token)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status().as_u16(), 201, "upload");
        let created: serde_json::Value = response.json().await.expect("json");
        uploads.push(started.elapsed());
        evidence.get_or_insert((
            *restitution_id,
            created["id"].as_str().expect("id").to_owned(),
        ));
    }
    let (restitution_id, evidence_id) = evidence.expect("one upload");
    let file = format!("{base}/api/v1/restitutions/{restitution_id}/evidence/{evidence_id}/file");
    let mut downloads = Vec::new();
    for _ in 0..UPLOADS {
        let (took, body) = timed(file.clone(), "application/pdf").await;
        assert_eq!(body.len(), FILE_BYTES, "the whole file");
        assert!(body.starts_with(b"%PDF-1.4\n"), "the file as uploaded");
        downloads.push(took);
    }

    println!(
        "command: BENCH_ASSOCIATIONS={associations_wanted} cargo bench --bench restitutions (release, SQLite in a temp file)"
    );
    println!(
        "setup: {associations_wanted} associations, {} representatives who completed M3 ({line_count} attendance lines), {} restitutions ({validated} validated): {:.1} s",
        reps.len(),
        ids.len(),
        setup.as_secs_f64()
    );
    println!();
    println!(
        "| request ({SAMPLES} each, sequential, loopback HTTP, alternating) | ours median | ours p95 | bare median | bare p95 | ratio of medians |"
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
    println!();
    println!("| operation | runs | median | p95 | throughput at median |");
    println!("| --- | --- | --- | --- | --- |");
    let (p50, p95) = common::percentiles(export);
    println!(
        "| GET /restitutions?status=validated as CSV ({csv_rows} rows) | 10 | {p50:.1} ms | {p95:.1} ms | {:.0} rows/s |",
        csv_rows as f64 / (p50 / 1000.0)
    );
    let mb = FILE_BYTES as f64 / 1e6;
    for (what, samples) in [
        (
            "POST /restitutions/{id}/evidence (5 MiB PDF, multipart)",
            uploads,
        ),
        (
            "GET /restitutions/{id}/evidence/{eid}/file (5 MiB)",
            downloads,
        ),
    ] {
        let (p50, p95) = common::percentiles(samples);
        println!(
            "| {what} | {UPLOADS} | {p50:.1} ms | {p95:.1} ms | {:.0} MB/s |",
            mb / (p50 / 1000.0)
        );
    }
}
