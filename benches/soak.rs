//! A soak: the server under a steady mixed load for a long while, watching its memory.
//!
//! The server runs in this process (release build, SQLite in a temporary file), so the
//! process's resident set (`VmRSS` in `/proc/self/status`) is the server's plus the client's
//! (small and steady). A few hundred associations and people are seeded, then ~8 client tasks
//! send, over loopback HTTP, a mix of filtered list pages, single reads, merge patches,
//! creations (some with an `Idempotency-Key`, some of them replays), change-feed polls with
//! the cursor, logins now and then, 404s and 400s. Every 30 s a row is printed: elapsed time,
//! RSS (and its anonymous and file/shared parts), requests, requests/s, errors, and the sizes
//! of the database files. At the end: RSS after the warm-up, at the end, and the growth per
//! 30 s after the warm-up (least-squares slope over the samples). 5xx answers are counted and
//! must be zero; nothing else is asserted.
//!
//! Not run in CI. `cargo bench --bench soak` runs 10 minutes; environment variables:
//! `SOAK_SECONDS` (default 600), `SOAK_WARMUP_SECONDS` (default 60, at most half the run),
//! `SOAK_SAMPLE_SECONDS` (default 30), `SOAK_CLIENTS` (default 8), `SOAK_ASSOCIATIONS`
//! (default 300), `SOAK_PEOPLE_PER_ASSOCIATION` (default 2), and for experiments
//! `SOAK_SQLITE_SOFT_HEAP_LIMIT_KB` (SQLite's process-wide soft heap limit; off by default).
//! For instance `SOAK_SECONDS=60 cargo bench --bench soak`; glibc's allocator can be tuned
//! from the environment too (`MALLOC_ARENA_MAX=2`, `MALLOC_MMAP_THRESHOLD_=1048576`).

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use empower_domain::association::{self, RowOutcome};
use empower_domain::audit::AuditContext;
use empower_domain::person::{self, Gender, PersonInput};
use empower_domain::policy::CallerScope;
use reqwest::StatusCode;
use uuid::Uuid;

const ADMIN_EMAIL: &str = "soak@empower.local";
const ADMIN_PASSWORD: &str = "a soak passphrase nobody guesses";
/// Words for the `q` filter (ASCII, or already percent-encoded).
const WORDS: [&str; 8] = [
    "femmes",
    "diaspora",
    "solidaires",
    "r%C3%A9seau",
    "00",
    "association",
    "12",
    "zzz",
];

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The process's memory, in kB, from `/proc/self/status`.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss: u64,
    anon: u64,
    file: u64,
    shmem: u64,
}

fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
        shmem: field("RssShmem:"),
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn file_mb(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

/// Least-squares slope of `y` over `x`.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return f64::NAN;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(num, den), (x, y)| {
        (num + (x - mx) * (y - my), den + (x - mx) * (x - mx))
    });
    if den == 0.0 { f64::NAN } else { num / den }
}

/// A tiny deterministic generator (xorshift64*): no dependency, same mix on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The request kinds of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ListFiltered,
    ListPaged,
    ReadAssociation,
    ReadPerson,
    Patch,
    CreatePerson,
    CreateIdempotent,
    Replay,
    Changes,
    Login,
    NotFound,
    BadQuery,
}

const KINDS: [Kind; 12] = [
    Kind::ListFiltered,
    Kind::ListPaged,
    Kind::ReadAssociation,
    Kind::ReadPerson,
    Kind::Patch,
    Kind::CreatePerson,
    Kind::CreateIdempotent,
    Kind::Replay,
    Kind::Changes,
    Kind::Login,
    Kind::NotFound,
    Kind::BadQuery,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::ListFiltered => "GET /associations?status=applicant&q=..&limit=50",
            Self::ListPaged => "GET /associations?sort=name&limit=50 (+cursor)",
            Self::ReadAssociation => "GET /associations/{id}",
            Self::ReadPerson => "GET /people/{id}",
            Self::Patch => "PATCH /associations/{id} (merge patch)",
            Self::CreatePerson => "POST /associations/{id}/people",
            Self::CreateIdempotent => "POST .../people with a new Idempotency-Key",
            Self::Replay => "POST .../people replaying a key",
            Self::Changes => "GET /changes (cursor)",
            Self::Login => "POST /auth/login",
            Self::NotFound => "404s (unknown ids, paths)",
            Self::BadQuery => "400s (bad query values)",
        }
    }

    /// Draws a kind: weights out of 1000.
    fn draw(rng: &mut Rng) -> Self {
        let weights = [
            (Self::ListFiltered, 170),
            (Self::ListPaged, 60),
            (Self::ReadAssociation, 160),
            (Self::ReadPerson, 150),
            (Self::Patch, 100),
            (Self::CreatePerson, 50),
            (Self::CreateIdempotent, 50),
            (Self::Replay, 50),
            (Self::Changes, 100),
            (Self::Login, 4),
            (Self::NotFound, 50),
            (Self::BadQuery, 56),
        ];
        let mut pick = rng.below(1000);
        for (kind, weight) in weights {
            if pick < weight {
                return kind;
            }
            pick -= weight;
        }
        Self::ReadAssociation
    }
}

/// Counters shared by the clients and the sampler.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    server_errors: AtomicU64,
    unexpected: AtomicU64,
    transport: AtomicU64,
    by_kind: [AtomicU64; 12],
    first_problems: Mutex<Vec<String>>,
}

impl Stats {
    fn errors(&self) -> u64 {
        self.server_errors.load(Ordering::Relaxed)
            + self.unexpected.load(Ordering::Relaxed)
            + self.transport.load(Ordering::Relaxed)
    }

    fn problem(&self, text: String) {
        let mut problems = self.first_problems.lock().expect("lock");
        if problems.len() < 20 {
            problems.push(text);
        }
    }
}

struct Shared {
    base: String,
    client: reqwest::Client,
    token: RwLock<String>,
    associations: Vec<Uuid>,
    people: Vec<Uuid>,
    stats: Stats,
}

async fn login(client: &reqwest::Client, base: &str) -> Result<String, String> {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("login: {status} {body}"))
}

/// One client: draws requests from the mix until `deadline`.
async fn client_task(shared: Arc<Shared>, task: usize, deadline: Instant) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((task as u64 + 1) * 0x1000_0001));
    let mut changes_cursor = String::new();
    let mut page_cursor: Option<String> = None;
    let mut created = 0_u64;
    // Keys this task used, with the body sent, for replays.
    let mut keys: Vec<(String, Uuid, serde_json::Value)> = Vec::new();
    let base = shared.base.as_str();
    let client = &shared.client;
    while Instant::now() < deadline {
        let kind = Kind::draw(&mut rng);
        let token = shared.token.read().expect("token").clone();
        let association = shared.associations[rng.below(shared.associations.len())];
        let (request, expected) = match kind {
            Kind::ListFiltered => {
                let word = WORDS[rng.below(WORDS.len())];
                let sort = if rng.below(2) == 0 {
                    "&sort=-updated_at,name"
                } else {
                    ""
                };
                (
                    client.get(format!(
                        "{base}/api/v1/associations?status=applicant&q={word}&limit=50{sort}"
                    )),
                    StatusCode::OK,
                )
            }
            Kind::ListPaged => {
                let cursor = page_cursor
                    .as_deref()
                    .map(|c| format!("&cursor={c}"))
                    .unwrap_or_default();
                (
                    client.get(format!(
                        "{base}/api/v1/associations?sort=name&limit=50{cursor}"
                    )),
                    StatusCode::OK,
                )
            }
            Kind::ReadAssociation => (
                client.get(format!("{base}/api/v1/associations/{association}")),
                StatusCode::OK,
            ),
            Kind::ReadPerson => {
                let person = shared.people[rng.below(shared.people.len())];
                (
                    client.get(format!("{base}/api/v1/people/{person}")),
                    StatusCode::OK,
                )
            }
            Kind::Patch => {
                let patch = if rng.below(2) == 0 {
                    serde_json::json!({"member_count": rng.below(500)})
                } else {
                    serde_json::json!({"contact": {"phone": format!("+32 2 {:03} 45 67", rng.below(1000))}})
                };
                (
                    client
                        .patch(format!("{base}/api/v1/associations/{association}"))
                        .header("content-type", "application/merge-patch+json")
                        .body(patch.to_string()),
                    StatusCode::OK,
                )
            }
            Kind::CreatePerson | Kind::CreateIdempotent => {
                created += 1;
                let body = serde_json::json!({
                    "first_name": "Soak",
                    "last_name": format!("Client {task} n{created}"),
                    "gender": "female",
                    "email": format!("soak{task}.{created}@bench.example"),
                    "languages": ["fr"],
                });
                let mut request = client
                    .post(format!("{base}/api/v1/associations/{association}/people"))
                    .json(&body);
                if kind == Kind::CreateIdempotent {
                    let key = format!("soak-{task}-{created}-{}", Uuid::now_v7());
                    request = request.header("idempotency-key", &key);
                    if keys.len() >= 32 {
                        keys.remove(0);
                    }
                    keys.push((key, association, body));
                }
                (request, StatusCode::CREATED)
            }
            Kind::Replay => {
                let Some((key, association, body)) =
                    keys.get(rng.below(keys.len().max(1))).cloned()
                else {
                    continue;
                };
                (
                    client
                        .post(format!("{base}/api/v1/associations/{association}/people"))
                        .header("idempotency-key", key)
                        .json(&body),
                    StatusCode::CREATED,
                )
            }
            Kind::Changes => (
                client.get(format!(
                    "{base}/api/v1/changes?cursor={changes_cursor}&limit=100"
                )),
                StatusCode::OK,
            ),
            Kind::Login => (
                client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
                StatusCode::OK,
            ),
            Kind::NotFound => {
                let url = match rng.below(3) {
                    0 => format!("{base}/api/v1/associations/{}", Uuid::now_v7()),
                    1 => format!("{base}/api/v1/people/{}", Uuid::now_v7()),
                    _ => format!("{base}/api/v1/nothing-here/{}", rng.below(1_000_000)),
                };
                (client.get(url), StatusCode::NOT_FOUND)
            }
            Kind::BadQuery => {
                let query = match rng.below(4) {
                    0 => "limit=abc".to_owned(),
                    1 => format!("status=bogus{}", rng.below(1000)),
                    2 => "limit=0".to_owned(),
                    _ => format!("sort=nope{}", rng.below(1000)),
                };
                (
                    client.get(format!("{base}/api/v1/associations?{query}")),
                    StatusCode::BAD_REQUEST,
                )
            }
        };
        let request = if kind == Kind::Login {
            request
        } else {
            request.bearer_auth(&token)
        };
        shared.stats.requests.fetch_add(1, Ordering::Relaxed);
        shared.stats.by_kind[kind as usize].fetch_add(1, Ordering::Relaxed);
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                shared.stats.transport.fetch_add(1, Ordering::Relaxed);
                shared
                    .stats
                    .problem(format!("{}: transport: {err}", kind.name()));
                continue;
            }
        };
        let status = response.status();
        let replayed = response.headers().contains_key("idempotent-replayed");
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(err) => {
                shared.stats.transport.fetch_add(1, Ordering::Relaxed);
                shared
                    .stats
                    .problem(format!("{}: body: {err}", kind.name()));
                continue;
            }
        };
        if status.is_server_error() {
            shared.stats.server_errors.fetch_add(1, Ordering::Relaxed);
            shared.stats.problem(format!(
                "{}: {status} {}",
                kind.name(),
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        if status != expected || (kind == Kind::Replay && !replayed) {
            shared.stats.unexpected.fetch_add(1, Ordering::Relaxed);
            shared.stats.problem(format!(
                "{}: {status} (expected {expected}{}) {}",
                kind.name(),
                if kind == Kind::Replay {
                    ", replayed"
                } else {
                    ""
                },
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        match kind {
            Kind::Changes => {
                if let Ok(page) = serde_json::from_slice::<serde_json::Value>(&body)
                    && let Some(next) = page["next_cursor"].as_str()
                {
                    changes_cursor = next.to_owned();
                }
            }
            Kind::ListPaged => {
                page_cursor = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|page| page["next_cursor"].as_str().map(str::to_owned));
            }
            Kind::Login => {
                if let Ok(tokens) = serde_json::from_slice::<serde_json::Value>(&body)
                    && let Some(access) = tokens["access_token"].as_str()
                {
                    *shared.token.write().expect("token") = access.to_owned();
                }
            }
            _ => {}
        }
    }
}

struct Sample {
    elapsed: f64,
    memory: Memory,
    /// The lowest `VmRSS` read (once a second) since the previous sample: transient
    /// allocations (a password check holds 19 MiB while it runs) do not show in it.
    low_rss: u64,
    requests: u64,
}

#[tokio::main]
async fn main() {
    let seconds = env_u64("SOAK_SECONDS", 600).max(2);
    let warmup = env_u64("SOAK_WARMUP_SECONDS", 60).min(seconds / 2);
    let every = env_u64("SOAK_SAMPLE_SECONDS", 30).clamp(1, seconds);
    let clients = env_u64("SOAK_CLIENTS", 8).max(1) as usize;
    let association_count = env_u64("SOAK_ASSOCIATIONS", 300).max(1) as usize;
    let people_per_association = env_u64("SOAK_PEOPLE_PER_ASSOCIATION", 2).max(1) as usize;

    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("soak.db");
    let url = format!("sqlite://{}?mode=rwc", db_path.display());
    let db = empower_domain::db::connect(&url).await.expect("connect");
    empower_domain::db::migrate_up(&db).await.expect("migrate");
    let context = AuditContext::system();
    let rows = (0..association_count)
        .map(|i| Ok(common::input(i)))
        .collect();
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let outcomes = association::import(&tx, &context, rows, &CallerScope::SYSTEM)
        .await
        .expect("import");
    tx.commit().await.expect("commit");
    let associations: Vec<Uuid> = outcomes
        .iter()
        .filter_map(|o| match o {
            RowOutcome::Created(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(associations.len(), association_count, "every row created");
    let tx = empower_domain::db::begin_write(&db).await.expect("tx");
    let mut people = Vec::new();
    for (i, id) in associations.iter().enumerate() {
        for p in 0..people_per_association {
            let person = PersonInput {
                email: Some(format!("p{p}.{i}@soak.example")),
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
            people.push(made.row.id);
        }
    }
    tx.commit().await.expect("commit");
    // An experiment, off by default: SQLite's soft heap limit is process-wide (every connection
    // of the server's pool obeys it), so it caps SQLite's page caches without a server change.
    let soft_heap_limit = env_u64("SOAK_SQLITE_SOFT_HEAP_LIMIT_KB", 0);
    if soft_heap_limit > 0 {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared(&format!(
            "PRAGMA soft_heap_limit = {}",
            soft_heap_limit * 1024
        ))
        .await
        .expect("soft heap limit");
    }
    db.close().await.ok();

    let base = common::serve(url, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let client = reqwest::Client::new();
    let token = login(&client, &base).await.expect("login");

    let shared = Arc::new(Shared {
        base,
        client,
        token: RwLock::new(token),
        associations,
        people,
        stats: Stats::default(),
    });
    println!(
        "soak: {seconds} s, warm-up {warmup} s, a sample every {every} s, {clients} clients; \
         seeded {association_count} associations and {} people; pid {}",
        shared.people.len(),
        std::process::id()
    );
    for name in [
        "MALLOC_ARENA_MAX",
        "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_",
        "GLIBC_TUNABLES",
    ] {
        if let Ok(value) = std::env::var(name) {
            println!("{name}={value}");
        }
    }
    if soft_heap_limit > 0 {
        println!("SQLite soft heap limit: {soft_heap_limit} KiB");
    }
    println!(
        "| elapsed s | RSS MB | lowest RSS MB | anon MB | file MB | shmem MB | requests | req/s | errors (5xx) | db MB | wal MB |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let wal = dir.path().join("soak.db-wal");
    let print_sample = |sample: &Sample, previous: Option<&Sample>, stats: &Stats| {
        let rate = previous.map_or(0.0, |p| {
            (sample.requests - p.requests) as f64 / (sample.elapsed - p.elapsed).max(1e-9)
        });
        println!(
            "| {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.0} | {} ({}) | {:.1} | {:.1} |",
            sample.elapsed,
            mb(sample.memory.rss),
            mb(sample.low_rss),
            mb(sample.memory.anon),
            mb(sample.memory.file),
            mb(sample.memory.shmem),
            sample.requests,
            rate,
            stats.errors(),
            stats.server_errors.load(Ordering::Relaxed),
            file_mb(&db_path),
            file_mb(&wal),
        );
    };

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|task| tokio::spawn(client_task(shared.clone(), task, deadline)))
        .collect();
    let first = memory();
    let mut samples = vec![Sample {
        elapsed: 0.0,
        memory: first,
        low_rss: first.rss,
        requests: 0,
    }];
    print_sample(&samples[0], None, &shared.stats);
    let mut next = Duration::from_secs(every);
    let mut tick = Duration::from_secs(1);
    let mut low_rss = u64::MAX;
    while next <= Duration::from_secs(seconds) {
        tokio::time::sleep_until((started + tick.min(next)).into()).await;
        if tick < next {
            low_rss = low_rss.min(memory().rss);
            tick += Duration::from_secs(1);
            continue;
        }
        let memory = memory();
        let sample = Sample {
            elapsed: started.elapsed().as_secs_f64(),
            memory,
            low_rss: low_rss.min(memory.rss),
            requests: shared.stats.requests.load(Ordering::Relaxed),
        };
        print_sample(&sample, samples.last(), &shared.stats);
        samples.push(sample);
        low_rss = u64::MAX;
        tick = next + Duration::from_secs(1);
        next += Duration::from_secs(every);
    }
    for task in tasks {
        task.await.expect("client task");
    }

    let stats = &shared.stats;
    let elapsed = started.elapsed().as_secs_f64();
    let requests = stats.requests.load(Ordering::Relaxed);
    println!();
    println!("| request kind | count |");
    println!("| --- | ---: |");
    for kind in KINDS {
        println!(
            "| {} | {} |",
            kind.name(),
            stats.by_kind[kind as usize].load(Ordering::Relaxed)
        );
    }
    println!();
    println!(
        "requests: {requests} in {elapsed:.0} s ({:.0}/s); 5xx: {}; other unexpected statuses: {}; transport errors: {}",
        requests as f64 / elapsed,
        stats.server_errors.load(Ordering::Relaxed),
        stats.unexpected.load(Ordering::Relaxed),
        stats.transport.load(Ordering::Relaxed),
    );
    for problem in stats.first_problems.lock().expect("lock").iter() {
        let shown: String = problem.chars().take(300).collect();
        println!("  problem: {shown}");
    }
    let after_warmup = samples
        .iter()
        .find(|s| s.elapsed + 0.5 >= warmup as f64)
        .unwrap_or(&samples[0]);
    let last = samples.last().expect("a sample");
    let series = |f: fn(&Sample) -> u64| -> Vec<(f64, f64)> {
        samples
            .iter()
            .filter(|s| s.elapsed + 0.5 >= warmup as f64)
            .map(|s| (s.elapsed, mb(f(s))))
            .collect()
    };
    let per_30 = |points: Vec<(f64, f64)>| slope(&points) * 30.0;
    println!(
        "RSS after the {warmup} s warm-up (at {:.0} s): {:.1} MB (lowest {:.1}); at the end ({:.0} s): \
         {:.1} MB (lowest {:.1}); growth {:+.1} MB (lowest {:+.1})",
        after_warmup.elapsed,
        mb(after_warmup.memory.rss),
        mb(after_warmup.low_rss),
        last.elapsed,
        mb(last.memory.rss),
        mb(last.low_rss),
        mb(last.memory.rss) - mb(after_warmup.memory.rss),
        mb(last.low_rss) - mb(after_warmup.low_rss),
    );
    println!(
        "growth per 30 s after the warm-up (least squares over {} samples): RSS {:+.3} MB, \
         lowest RSS {:+.3} MB, anon {:+.3} MB, file {:+.3} MB, shmem {:+.3} MB",
        series(|s| s.memory.rss).len(),
        per_30(series(|s| s.memory.rss)),
        per_30(series(|s| s.low_rss)),
        per_30(series(|s| s.memory.anon)),
        per_30(series(|s| s.memory.file)),
        per_30(series(|s| s.memory.shmem)),
    );
    let grown = mb(last.memory.rss) - mb(after_warmup.memory.rss);
    if grown > 0.0 {
        println!(
            "requests per MB of RSS growth after the warm-up: {:.0}",
            (last.requests - after_warmup.requests) as f64 / grown
        );
    }
    // Steps of about 19 MiB are Argon2: each password check allocates 19 MiB (m = 19456 KiB).
    // Held while a login runs, they show in a sample but not in the lowest RSS; kept by
    // glibc in a thread's arena after the check, they show in both until the arena is trimmed.
    let after: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.elapsed + 0.5 >= warmup as f64)
        .collect();
    if after.len() >= 4 {
        let (first, second) = after.split_at(after.len() / 2);
        let floor = |half: &[&Sample]| half.iter().map(|s| s.low_rss).min().unwrap_or(0);
        println!(
            "lowest RSS in the first half after the warm-up: {:.1} MB; in the second half: {:.1} MB",
            mb(floor(first)),
            mb(floor(second)),
        );
    }
    if stats.server_errors.load(Ordering::Relaxed) > 0 {
        println!("FAILED: the server answered 5xx");
    }
}
