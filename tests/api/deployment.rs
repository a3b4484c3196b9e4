//! No Docker engine runs on the build machines: check the deployment files' wiring instead.

use yaml_rust2::{Yaml, YamlLoader};

const COMPOSE: &str = include_str!("../../docker-compose.yml");
const DOCKERFILE: &str = include_str!("../../Dockerfile");

fn compose() -> Yaml {
    YamlLoader::load_from_str(COMPOSE)
        .expect("docker-compose.yml is YAML")
        .into_iter()
        .next()
        .expect("one document")
}

fn env(service: &Yaml, name: &str) -> Option<String> {
    match &service["environment"] {
        Yaml::Hash(map) => map
            .get(&Yaml::String(name.into()))
            .and_then(|v| v.as_str().map(str::to_owned)),
        Yaml::Array(list) => list
            .iter()
            .filter_map(Yaml::as_str)
            .find_map(|entry| entry.strip_prefix(&format!("{name}=")).map(str::to_owned)),
        _ => None,
    }
}

#[test]
fn compose_runs_postgres_16_with_a_volume_and_a_healthcheck() {
    let doc = compose();
    let db = &doc["services"]["db"];
    assert!(
        db["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("postgres:16"))
    );
    let test = &db["healthcheck"]["test"];
    let test_text = format!("{test:?}");
    assert!(test_text.contains("pg_isready"), "{test_text}");
    let volume = db["volumes"][0].as_str().expect("a volume");
    let (name, target) = volume.split_once(':').expect("name:target");
    assert_eq!(target, "/var/lib/postgresql/data");
    assert!(
        !doc["volumes"][name].is_badvalue(),
        "volume {name} is declared"
    );
}

#[test]
fn the_api_waits_for_a_healthy_database_and_points_at_it() {
    let doc = compose();
    let api = &doc["services"]["api"];
    assert_eq!(
        api["depends_on"]["db"]["condition"].as_str(),
        Some("service_healthy")
    );
    let url = env(api, "EMPOWER_DATABASE_URL").expect("EMPOWER_DATABASE_URL");
    assert!(url.starts_with("postgres://"), "{url}");
    let host = url
        .rsplit_once('@')
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split([':', '/']).next())
        .expect("a host");
    assert_eq!(host, "db", "the URL's host is the database service");
    let db = &doc["services"]["db"];
    let user = env(db, "POSTGRES_USER").expect("POSTGRES_USER");
    let database = env(db, "POSTGRES_DB").expect("POSTGRES_DB");
    assert!(url.contains(&format!("//{user}:")), "{url} uses {user}");
    assert!(
        url.ends_with(&format!("/{database}")),
        "{url} names {database}"
    );

    assert_eq!(env(api, "EMPOWER_BIND").as_deref(), Some("0.0.0.0:8080"));
    assert_eq!(env(api, "EMPOWER_ENV").as_deref(), Some("production"));
    assert!(env(api, "EMPOWER_JWT_SECRET").is_some());
    // Uploaded files live on a volume of their own, not in the container.
    let files = env(api, "EMPOWER_FILES_DIR").expect("EMPOWER_FILES_DIR");
    let volumes = format!("{:?}", api["volumes"]);
    assert!(
        volumes.contains(&format!(":{files}")),
        "{files} is a volume: {volumes}"
    );
    let ports = format!("{:?}", api["ports"]);
    assert!(ports.contains("8080:8080"), "{ports}");
    assert!(format!("{:?}", api["healthcheck"]["test"]).contains("/health/ready"));
}

#[test]
fn the_image_is_multi_stage_slim_and_runs_as_a_non_root_user() {
    let stages = DOCKERFILE
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .count();
    assert!(stages >= 2, "multi-stage");
    let user = DOCKERFILE
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    assert_ne!(user.trim(), "root");
    assert!(DOCKERFILE.contains("slim"));
    assert!(DOCKERFILE.contains("EXPOSE 8080"));
}
