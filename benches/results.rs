//! The results framework over the performance data set: 10,000 associations
//! (`BENCH_ASSOCIATIONS`; the rest scales with it), 20,000 enrolments, 200,000 attendance
//! lines, 20,000 restitutions, and funding applications, partners, deliverables and
//! dissemination records so that every metric counts something: the generated data set of
//! `empower seed-demo --scale N` (`empower_domain::demo::scale`).
//!
//! Measured: each computed indicator's total and breakdowns alone (module [`probe`]); then the
//! results report as JSON, IATI XML and CSV, the public results, an indicator's values by a
//! dimension, and the close of a reporting period, each against a bare actix-web + sea-orm
//! server making the same domain calls without auth, ETags or problem details (module
//! [`bare`]), alternately, so the ratio of the medians is the figure to read.
//!
//! Run with `cargo bench --bench results` (SQLite in a temporary file). `BENCH_SAMPLES` sets
//! the requests of each kind (default 20). Asserted: both servers answer the same values, and
//! every computed indicator counts something.

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "results/bare.rs"]
mod bare;
#[path = "results/probe.rs"]
mod probe;

const DEFAULT_ASSOCIATIONS: usize = 10_000;
const DEFAULT_SAMPLES: usize = 20;
const EMAIL: &str = "bench@empower.local";
const PASSWORD: &str = "a bench passphrase nobody guesses";
/// The seeded indicators R1.1.2 (representatives who completed M1) and R1.2.2 (restitution
/// attendees).
const R112: &str = "019ac100-0000-7000-8000-000000010005";
const R122: &str = "019ac100-0000-7000-8000-00000001000a";
/// The period closed: the programme's year 2026.
const YEAR: (&str, &str) = ("2026-01-01", "2026-12-31");

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|n| n.parse().expect("a number"))
        .unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let body: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// One request: its time, status and body.
async fn send(request: reqwest::RequestBuilder) -> (Duration, reqwest::StatusCode, Vec<u8>) {
    let started = Instant::now();
    let response = request.send().await.expect("request");
    let status = response.status();
    let body = response.bytes().await.expect("body").to_vec();
    (started.elapsed(), status, body)
}

/// A measured kind of request: ours and bare times, and the last bodies' sizes.
struct Measured {
    what: String,
    ours: Vec<Duration>,
    bare: Vec<Duration>,
    bytes: (usize, usize),
}

/// `samples` GETs of `path` from each server, alternately; ours as admin.
async fn measure(
    client: &reqwest::Client,
    (base, bare): (&str, &str),
    what: &str,
    path: &str,
    accept: &str,
    samples: usize,
) -> Measured {
    let token = login(client, base).await;
    let ours_get = || {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .header("Accept", accept)
    };
    let bare_get = || client.get(format!("{bare}{path}")).header("Accept", accept);
    let mut m = Measured {
        what: what.to_owned(),
        ours: Vec::new(),
        bare: Vec::new(),
        bytes: (0, 0),
    };
    for i in 0..samples {
        let (o, b);
        if i.is_multiple_of(2) {
            o = send(ours_get()).await;
            b = send(bare_get()).await;
        } else {
            b = send(bare_get()).await;
            o = send(ours_get()).await;
        }
        assert!(
            o.1.is_success() && b.1.is_success(),
            "{what}: {} / {}",
            o.1,
            b.1
        );
        m.ours.push(o.0);
        m.bare.push(b.0);
        m.bytes = (o.2.len(), b.2.len());
    }
    m
}

/// Every indicator's code and actual value in a JSON report, depth first.
fn actuals(report: &Value) -> Vec<(String, Value)> {
    fn walk(node: &Value, out: &mut Vec<(String, Value)>) {
        for line in node["indicators"].as_array().into_iter().flatten() {
            let code = line["code"].as_str().expect("code").to_owned();
            out.push((code, line["actual"].clone()));
        }
        for child in node["children"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    for node in report["results"].as_array().expect("results") {
        walk(node, &mut out);
    }
    out
}

/// Both servers answer the same values, and each is real work.
async fn check(client: &reqwest::Client, base: &str, bare: &str) {
    let token = login(client, base).await;
    let get = |url: String, accept: &str, auth: bool| {
        let request = client.get(url).header("Accept", accept);
        if auth {
            request.bearer_auth(&token)
        } else {
            request
        }
    };
    let json = |body: &[u8]| serde_json::from_slice::<Value>(body).expect("json");

    let path = "/api/v1/results-report";
    let ours = json(
        &send(get(format!("{base}{path}"), "application/json", true))
            .await
            .2,
    );
    let theirs = json(
        &send(get(format!("{bare}{path}"), "application/json", false))
            .await
            .2,
    );
    let values = actuals(&ours);
    assert_eq!(values, actuals(&theirs), "same report values");
    assert_eq!(values.len(), 18, "every seeded indicator");
    for (code, actual) in &values {
        if code != "OO.1" {
            assert!(
                actual.as_f64().is_some_and(|v| v > 0.0),
                "{code} counts something: {actual}"
            );
        }
    }
    let shown: Vec<String> = values.iter().map(|(c, v)| format!("{c}={v}")).collect();
    println!("report actuals (ours = bare): {}", shown.join(", "));

    let (_, status, xml) = send(get(format!("{base}{path}"), "application/xml", true)).await;
    let bare_xml = send(get(format!("{bare}{path}"), "application/xml", false))
        .await
        .2;
    let dims = |xml: &[u8]| String::from_utf8_lossy(xml).matches("<dimension ").count();
    assert!(
        status.is_success() && dims(&xml) > 0,
        "IATI with dimensions"
    );
    assert_eq!(dims(&xml), dims(&bare_xml), "same IATI dimensions");
    let (_, _, csv) = send(get(format!("{base}{path}"), "text/csv", true)).await;
    let bare_csv = send(get(format!("{bare}{path}"), "text/csv", false))
        .await
        .2;
    let rows = |b: &[u8]| csv::Reader::from_reader(b).records().count();
    assert_eq!(
        (rows(&csv), rows(&bare_csv)),
        (18, 18),
        "one CSV row per indicator"
    );

    let path = "/api/v1/public/results";
    let ours = json(
        &send(get(format!("{base}{path}"), "application/json", false))
            .await
            .2,
    );
    let theirs = json(
        &send(get(format!("{bare}{path}"), "application/json", false))
            .await
            .2,
    );
    assert_eq!(ours, theirs, "same public results");
    let text = ours.to_string();
    println!(
        "IATI: {} dimension values; public results: {} cells shown \"<5\", {} shown \"x\"",
        dims(&xml),
        text.matches("\"<5\"").count(),
        text.matches("\"x\"").count()
    );

    for (id, by) in [(R112, "country"), (R122, "sex")] {
        let path = format!("/api/v1/indicators/{id}/values?by={by}");
        let ours = json(
            &send(get(format!("{base}{path}"), "application/json", true))
                .await
                .2,
        );
        let theirs = json(
            &send(get(format!("{bare}{path}"), "application/json", false))
                .await
                .2,
        );
        assert_eq!(
            (&ours["value"], &ours["breakdown"]),
            (&theirs["value"], &theirs["breakdown"]),
            "{path}"
        );
        let cells = ours["breakdown"]["cells"].as_array().expect("cells");
        assert!(
            ours["value"].as_f64().is_some_and(|v| v > 0.0) && !cells.is_empty(),
            "{path}"
        );
        let shown: Vec<String> = cells
            .iter()
            .map(|c| format!("{}={}", c["key"], c["value"]))
            .collect();
        println!("{path}: value {}, cells {}", ours["value"], shown.join(" "));
    }
}

/// Creates the reporting period of 2026 named `name` on ours: its id and ETag.
async fn open_period(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
) -> (String, String) {
    let created = client
        .post(format!("{base}/api/v1/reporting-periods"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": name, "start_on": YEAR.0, "end_on": YEAR.1}))
        .send()
        .await
        .expect("create period");
    let status = created.status();
    assert!(status.is_success(), "create period: {status}");
    let etag = created.headers()["etag"].to_str().expect("etag").to_owned();
    let id = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    (id, etag)
}

/// A close holds the writers' lock while it computes: a write sent half a second into one
/// waits for it. Prints how long the close and the write took.
async fn write_during_close(client: &reqwest::Client, base: &str) {
    let token = login(client, base).await;
    let (id, etag) = open_period(client, base, &token, "Bench close").await;
    let close = send(
        client
            .post(format!("{base}/api/v1/reporting-periods/{id}/close"))
            .bearer_auth(&token)
            .header("If-Match", &etag),
    );
    let write = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = Instant::now();
        let created = client
            .post(format!("{base}/api/v1/reporting-periods"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Bench write", "start_on": YEAR.0, "end_on": YEAR.1}))
            .send()
            .await
            .expect("write");
        (started.elapsed(), created.status())
    };
    let (closed, written) = tokio::join!(close, write);
    println!(
        "a write (POST /reporting-periods) sent 0.5 s into a close of {:.1} s answered {} after {:.1} s",
        closed.0.as_secs_f64(),
        written.1,
        written.0.as_secs_f64()
    );
}

/// `samples` reporting periods created then closed on ours (the close timed), and the same
/// computation on the bare server, alternately.
async fn closes(client: &reqwest::Client, (base, bare): (&str, &str), samples: usize) -> Measured {
    let token = login(client, base).await;
    let mut m = Measured {
        what: "POST /reporting-periods/{id}/close (2026; every breakdown, stored)".into(),
        ours: Vec::new(),
        bare: Vec::new(),
        bytes: (0, 0),
    };
    for i in 0..samples {
        let (id, etag) = open_period(client, base, &token, &format!("Bench {i}")).await;
        let ours = || {
            client
                .post(format!("{base}/api/v1/reporting-periods/{id}/close"))
                .bearer_auth(&token)
                .header("If-Match", &etag)
        };
        let theirs = || client.post(format!("{bare}/bare/close?from={}&to={}", YEAR.0, YEAR.1));
        let (o, b);
        if i.is_multiple_of(2) {
            o = send(ours()).await;
            b = send(theirs()).await;
        } else {
            b = send(theirs()).await;
            o = send(ours()).await;
        }
        assert!(
            o.1.is_success() && b.1.is_success(),
            "close: {} / {}",
            o.1,
            b.1
        );
        m.ours.push(o.0);
        m.bare.push(b.0);
        let stored: Value = serde_json::from_slice(&b.2).expect("json");
        m.bytes = (
            o.2.len(),
            stored["stored_bytes"].as_u64().unwrap_or(0) as usize,
        );
    }
    m
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_ASSOCIATIONS", DEFAULT_ASSOCIATIONS);
    let samples = env("BENCH_SAMPLES", DEFAULT_SAMPLES);
    println!("load average at start: {}", load_average());
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let l = empower_domain::demo::scale::load(&db, n, None)
        .await
        .expect("load");
    println!(
        "setup: {} associations ({} selected), {} people, {} sittings, {} enrolments, {} attendance lines, \
         {} assessments, {} restitutions, {} funding applications, {} partners, \
         {} deliverables, {} disseminations: {:.1} s",
        l.associations,
        l.selected,
        l.people,
        l.sessions,
        l.enrollments,
        l.attendance,
        l.assessments,
        l.restitutions,
        l.funding_applications,
        l.partners,
        l.deliverables,
        l.disseminations,
        l.seconds
    );
    println!();
    probe::run(&db).await;

    // Each server gets a pool of its own, opened after the load.
    let bare_db = empower_domain::db::connect(&url).await.expect("connect");
    let base = common::serve(url, EMAIL, PASSWORD).await;
    let bare = bare::start(bare_db);
    let client = reqwest::Client::new();
    check(&client, &base, &bare).await;
    let servers = (base.as_str(), bare.as_str());
    let report = "/api/v1/results-report";
    let mut measured = Vec::new();
    for (what, path, accept) in [
        (
            "GET /results-report (JSON)",
            report.to_owned(),
            "application/json",
        ),
        (
            "GET /results-report (IATI XML: sex, country)",
            report.to_owned(),
            "application/xml",
        ),
        ("GET /results-report (CSV)", report.to_owned(), "text/csv"),
        (
            "GET /public/results (4 dimensions, suppression)",
            "/api/v1/public/results".into(),
            "application/json",
        ),
        (
            "GET /indicators/{R1.1.2}/values?by=country",
            format!("/api/v1/indicators/{R112}/values?by=country"),
            "application/json",
        ),
        (
            "GET /indicators/{R1.2.2}/values?by=sex",
            format!("/api/v1/indicators/{R122}/values?by=sex"),
            "application/json",
        ),
    ] {
        measured.push(measure(&client, servers, what, &path, accept, samples).await);
    }
    measured.push(closes(&client, servers, samples).await);
    write_during_close(&client, &base).await;

    println!();
    println!(
        "command: BENCH_ASSOCIATIONS={n} BENCH_SAMPLES={samples} cargo bench --bench results (release, SQLite in a temp file, loopback HTTP)"
    );
    println!(
        "| request ({samples} each, sequential, alternating) | ours median | ours p95 | bare median | bare p95 | ratio of medians | body ours / bare |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for m in measured {
        let (ours_p50, ours_p95) = common::percentiles(m.ours);
        let (bare_p50, bare_p95) = common::percentiles(m.bare);
        println!(
            "| {} | {ours_p50:.1} ms | {ours_p95:.1} ms | {bare_p50:.1} ms | {bare_p95:.1} ms | {:.2} | {} B / {} B |",
            m.what,
            ours_p50 / bare_p50,
            m.bytes.0,
            m.bytes.1
        );
    }
    println!("(close: ours answers the period, bare the size of the report ours stores)");
    println!("load average at end: {}", load_average());
    if std::env::var_os("BENCH_KEEP_DB").is_some() {
        let kept = dir.keep();
        println!("database kept at {}", kept.join("bench.db").display());
    }
}
