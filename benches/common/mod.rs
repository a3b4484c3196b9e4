//! What the benchmarks share: the generated associations and the server they run against.

use empower_api::Application;
use empower_api::settings::{Environment, Secret, Settings};
use empower_domain::association::{AddressInput, AssociationInput};

/// Association number `i` of a generated registry: one in ten is a "Réseau des Femmes
/// Solidaires" from Senegal, the others spread over five countries.
#[allow(dead_code)] // the results bench loads the generated data set of `seed-demo --scale`
pub fn input(i: usize) -> AssociationInput {
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

/// Starts our server on a free loopback port over the database at `url`, with one admin, and
/// answers its base URL.
pub async fn serve(url: String, email: &str, password: &str) -> String {
    serve_with(
        url,
        email,
        password,
        empower_api::settings::WebhookSettings::default(),
    )
    .await
}

/// As [`serve`], with these webhook settings (the webhooks bench runs without a worker first).
pub async fn serve_with(
    url: String,
    email: &str,
    password: &str,
    webhooks: empower_api::settings::WebhookSettings,
) -> String {
    let settings = Settings {
        retention: empower_domain::privacy::RetentionPeriods::default(),
        webhooks,
        files_dir: empower_api::settings::default_files_dir(&url),
        database_url: url,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(Secret::new("bench-secret-that-is-at-least-32-bytes-long")),
        jwt_previous_secrets: vec![],
        admin_email: Some(email.into()),
        admin_password: Some(Secret::new(password)),
        cors_origins: vec![],
        environment: Environment::Development,
        iati: empower_api::settings::Iati {
            org_ref: "XX-EMPOWER".into(),
            activity_id: "XX-EMPOWER-DIASPORA-WOMEN".into(),
        },
    };
    let app = Application::build(settings).await.expect("server");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

/// A bare actix-web server with `routes` over `db` on a free loopback port, for the baselines:
/// no auth, no middleware. Answers its base URL.
#[allow(dead_code)] // the soak has no bare baseline
pub fn start_bare(
    db: sea_orm::DatabaseConnection,
    routes: fn(&mut actix_web::web::ServiceConfig),
) -> String {
    let db = actix_web::web::Data::new(db);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new().app_data(db.clone()).configure(routes)
    })
    .bind(("127.0.0.1", 0))
    .expect("bind the bare server");
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}")
}

/// The median and the 95th percentile of `samples`, in milliseconds.
#[allow(dead_code)] // the soak reports memory, not latencies
pub fn percentiles(mut samples: Vec<std::time::Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
    )
}
