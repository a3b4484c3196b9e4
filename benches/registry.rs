//! The registry at programme scale: 10,000 associations imported in one go, 50,000 people, then
//! the latency of a filtered, sorted list page and of single reads, through HTTP.
//!
//! Run with `cargo bench --bench registry` (SQLite in a temporary file). Figures are printed;
//! nothing is asserted.

use std::time::{Duration, Instant};

use empower_api::Application;
use empower_api::settings::{Environment, Secret, Settings};
use empower_domain::association::{self, AddressInput, AssociationInput, RowOutcome};
use empower_domain::audit::AuditContext;
use empower_domain::person::{self, Gender, PersonInput};
use empower_domain::policy::CallerScope;

const ASSOCIATIONS: usize = 10_000;
const PEOPLE_PER_ASSOCIATION: usize = 5;
const SAMPLES: usize = 300;

fn input(i: usize) -> AssociationInput {
    let (name, country) = if i.is_multiple_of(10) {
        (format!("Réseau des Femmes Solidaires {i:05}"), "SN")
    } else {
        (
            format!("Association de la Diaspora {i:05}"),
            ["MA", "CD", "RW", "FR", "CM"][i % 5],
        )
    };
    AssociationInput {
        acronym: Some(format!("A{i}")),
        founded_year: Some(1990 + (i % 30) as i32),
        member_count: Some((i % 200) as i64),
        address: AddressInput {
            street: Some(format!("Rue {i}")),
            postal_code: Some(format!("{}", 1000 + (i * 7) % 9000)),
            city: Some("Bruxelles".into()),
        },
        sdgs: vec![1 + (i % 17) as i32],
        thematic_areas: vec!["education".into()],
        woman_led: !i.is_multiple_of(3),
        ..AssociationInput::de_facto(&name, &[country])
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
    )
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();

    let rows = (0..ASSOCIATIONS).map(|i| Ok(input(i))).collect();
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
    db.close().await.ok();

    let settings = Settings {
        database_url: url,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(Secret::new("bench-secret-that-is-at-least-32-bytes")),
        jwt_previous_secrets: vec![],
        admin_email: Some("bench@empower.local".into()),
        admin_password: Some(Secret::new("a bench passphrase nobody guesses")),
        cors_origins: vec![],
        environment: Environment::Development,
    };
    let app = Application::build(settings).await.expect("server");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
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

    let timed = |path: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let started = Instant::now();
            let response = client
                .get(path)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("body");
            started.elapsed()
        }
    };
    let mut list = Vec::new();
    let mut list_unfiltered = Vec::new();
    let mut read = Vec::new();
    let mut read_person = Vec::new();
    for i in 0..SAMPLES {
        list.push(timed(format!("{base}/api/v1/associations?status=applicant&q=femmes&sort=-updated_at,name&limit=50")).await);
        list_unfiltered.push(timed(format!("{base}/api/v1/associations?sort=name&limit=50")).await);
        read.push(
            timed(format!(
                "{base}/api/v1/associations/{}",
                ids[(i * 31) % ids.len()]
            ))
            .await,
        );
        read_person.push(
            timed(format!(
                "{base}/api/v1/people/{}",
                person_ids[(i * 131) % person_ids.len()]
            ))
            .await,
        );
    }
    let line = |what: &str, samples: Vec<Duration>| {
        let (p50, p95) = percentiles(samples);
        println!("| {what} | {p50:.2} ms | {p95:.2} ms |");
    };
    println!(
        "import of {ASSOCIATIONS} associations (one transaction): {:.2} s",
        import_time.as_secs_f64()
    );
    println!(
        "{} people added: {:.2} s",
        ASSOCIATIONS * PEOPLE_PER_ASSOCIATION,
        people_time.as_secs_f64()
    );
    println!("| request ({SAMPLES} each, sequential, loopback HTTP) | median | p95 |");
    println!("| --- | --- | --- |");
    line(
        "GET /associations?status=applicant&q=femmes&sort=-updated_at,name&limit=50",
        list,
    );
    line("GET /associations?sort=name&limit=50", list_unfiltered);
    line("GET /associations/{id}", read);
    line(
        "GET /people/{id} (staff: contact data, audited)",
        read_person,
    );
}
