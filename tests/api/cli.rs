//! The `empower` binary's subcommands and its graceful shutdown.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::TestDb;

fn empower(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_empower"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EMPOWER_DATABASE_URL", db.url())
        .env("EMPOWER_FILES_DIR", db.files_dir())
        .env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("empower runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn openapi_prints_the_committed_contract() {
    let db = TestDb::new().await;
    let (ok, stdout, _) = run(empower(&db).arg("openapi"));
    assert!(ok);
    assert_eq!(stdout, include_str!("../../openapi/openapi.json"));
}

#[tokio::test]
async fn migrate_up_status_and_down() {
    let db = TestDb::new().await;
    let (ok, stdout, stderr) = run(empower(&db).args(["migrate", "up"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.lines().all(|l| l.starts_with("applied ")),
        "{stdout}"
    );
    let (ok, stdout, _) = run(empower(&db).args(["migrate", "down"]));
    assert!(ok);
    assert_eq!(
        stdout.lines().last().map(|l| l.starts_with("pending ")),
        Some(true)
    );
    let (ok, stdout, _) = run(empower(&db).args(["migrate", "status"]));
    assert!(ok);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("pending ")).count(),
        1
    );
    let (ok, _, _) = run(empower(&db).args(["migrate", "sideways"]));
    assert!(!ok, "unknown actions are refused");
}

#[tokio::test]
async fn create_admin_generates_a_password_once_and_refuses_duplicates() {
    let db = TestDb::new().await;
    let (ok, stdout, stderr) =
        run(empower(&db).args(["create-admin", "--email", "Fatou@Example.BE"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("created admin fatou@example.be"),
        "{stdout}"
    );
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("a generated password");
    assert!(password.len() >= 12);

    let (ok, _, stderr) = run(empower(&db).args(["create-admin", "--email", "fatou@example.be"]));
    assert!(!ok);
    assert!(stderr.contains("already exists"), "{stderr}");

    let (ok, stdout, _) = run(empower(&db)
        .args(["create-admin", "--email", "awa@example.be"])
        .env("EMPOWER_ADMIN_PASSWORD", "chosen-password-123"));
    assert!(ok);
    assert!(
        !stdout.contains("password"),
        "a given password is not printed"
    );

    let (ok, _, stderr) = run(empower(&db).args(["create-admin", "--email", "not-an-email"]));
    assert!(!ok);
    assert!(stderr.contains("email"), "{stderr}");
}

#[tokio::test]
async fn seed_demo_is_idempotent() {
    let db = TestDb::new().await;
    let (ok, stdout, stderr) = run(empower(&db).arg("seed-demo"));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("249 countries (14 priority), 17 SDGs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("demo account created: staff@demo.empower.local"),
        "{stdout}"
    );
    assert!(
        stdout.contains("demo account created: viewer@demo.empower.local"),
        "{stdout}"
    );
    assert!(stdout.contains("password (shown once): "), "{stdout}");
    assert!(stdout.contains("demo associations created: 12"), "{stdout}");
    assert!(
        stdout.contains("demo training sessions scheduled: 10"),
        "{stdout}"
    );
    // Two representatives of each of the three selected or active associations, in each
    // module; attendance with absences, so some have completed and some have not.
    let conn = empower_domain::db::connect(db.url())
        .await
        .expect("connect");
    use empower_domain::training::completion::{self, Which};
    use empower_domain::training::entity::enrollment;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        enrollment::Entity::find()
            .count(&conn)
            .await
            .expect("count"),
        18
    );
    let m2 = uuid::Uuid::from_u128(0x019a_c000_0000_7000_8000_0000_0000_0002);
    let done = completion::of(&conn, Which::Module(m2))
        .await
        .expect("completion");
    let completed = done.values().filter(|c| c.completed_on.is_some()).count();
    assert!(completed > 0 && completed < 6, "{done:?}");
    seeded_deliverables_are_in_every_stage(&conn).await;
    // One paused webhook subscription of a demo partner client, to ping from Swagger UI.
    use empower_domain::webhooks::entity::webhook;
    let hooks = webhook::Entity::find().all(&conn).await.expect("webhooks");
    assert_eq!(hooks.len(), 1);
    assert!(!hooks[0].active);
    assert_eq!(hooks[0].url, empower_domain::demo::webhooks::DEMO_URL);
    conn.close().await.ok();

    let (ok, stdout, _) = run(empower(&db).arg("seed-demo"));
    assert!(ok);
    assert!(
        stdout.contains("249 countries (14 priority), 17 SDGs"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("demo account created"),
        "nothing new the second time: {stdout}"
    );
    assert!(
        stdout.contains("demo training sessions scheduled: 0"),
        "{stdout}"
    );
    let conn = empower_domain::db::connect(db.url())
        .await
        .expect("connect");
    assert_eq!(
        empower_domain::visibility::Entity::find()
            .count(&conn)
            .await
            .expect("count"),
        5,
        "no deliverable seeded twice"
    );
    conn.close().await.ok();
}

/// The demo visibility deliverables: a published repertoire, three briefs (published, in
/// review, sent back to draft) with stories, the published calendar of 2027 with its twelve
/// months, and disseminations of the published ones; written through the use-cases, so the
/// change feed and the audit log have them.
async fn seeded_deliverables_are_in_every_stage(conn: &sea_orm::DatabaseConnection) {
    use DeliverableStatus::{Draft, InReview, Published};
    use empower_domain::paging::PageRequest;
    use empower_domain::visibility::{
        self, Audience, DeliverableFilter, DeliverableKind, DeliverableStatus, disseminations,
        public, stories, transitions,
    };
    use empower_domain::{audit, changes};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let page = PageRequest::default();
    let of = |kind: DeliverableKind| DeliverableFilter {
        kind: Some(kind),
        ..DeliverableFilter::default()
    };
    let list = |kind: DeliverableKind| async move {
        visibility::list(conn, &of(kind), &PageRequest::default(), Audience::All)
            .await
            .expect("deliverables")
            .items
    };

    let repertoire = list(DeliverableKind::Repertoire).await;
    assert_eq!(repertoire.len(), 1);
    assert_eq!(repertoire[0].row.status, Published);
    assert!(repertoire[0].row.published_on.is_some());
    // The twelve demo associations consent; the rejected and the withdrawn one are left out,
    // as from the public repertoire.
    assert_eq!(repertoire[0].featured_association_ids.len(), 10);
    for languages in [&repertoire[0].title, &repertoire[0].summary] {
        assert_eq!(languages.languages(), ["en", "fr", "nl"]);
    }

    let briefs = list(DeliverableKind::Brief).await;
    let statuses: Vec<DeliverableStatus> = briefs.iter().map(|b| b.row.status).collect();
    assert_eq!(statuses, [Published, InReview, Draft]);
    let mut named = 0;
    for brief in &briefs {
        let told = stories::of(conn, brief.row.id).await.expect("stories");
        assert!((1..=3).contains(&told.len()), "{}", told.len());
        for story in &told {
            assert_eq!(story.body.languages(), ["en", "fr", "nl"]);
            assert!(
                ["BF", "SN", "ML", "CM", "CD", "BJ", "BI"].contains(&story.row.country.as_str()),
                "{}",
                story.row.country
            );
            if !story.person_ids.is_empty() {
                assert_eq!(brief.row.status, Published, "the named story is published");
                let consenting = stories::consenting_people(conn, &story.person_ids)
                    .await
                    .expect("consents");
                assert_eq!(consenting.len(), story.person_ids.len());
                named += 1;
            }
        }
    }
    assert_eq!(named, 1, "one story names a person who consents");
    let sent_back = transitions::list(conn, briefs[2].row.id, &page, Audience::All)
        .await
        .expect("moves")
        .items;
    assert_eq!(
        sent_back.iter().map(|t| t.to_status).collect::<Vec<_>>(),
        [InReview, Draft]
    );
    assert!(sent_back[1].comment.is_some(), "changes requested say why");

    let calendars = list(DeliverableKind::Calendar).await;
    assert_eq!(calendars.len(), 1);
    assert_eq!(calendars[0].row.year, Some(2027));
    let calendar = public::calendar(conn, 2027)
        .await
        .expect("the 2027 calendar is public");
    assert_eq!(
        calendar
            .entries
            .iter()
            .map(|(e, _)| e.row.month)
            .collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    // The public reads the three published ones, with every story and month.
    let published = public::list(conn, &DeliverableFilter::default(), &page)
        .await
        .expect("public")
        .items;
    let kinds: Vec<DeliverableKind> = published.iter().map(|p| p.deliverable.row.kind).collect();
    assert_eq!(
        kinds,
        [
            DeliverableKind::Repertoire,
            DeliverableKind::Brief,
            DeliverableKind::Calendar
        ]
    );
    assert_eq!(published[0].featured.len(), 10);
    assert_eq!(published[1].stories.len(), 3);
    assert_eq!(published[2].entries.len(), 12);

    for deliverable in repertoire.iter().chain(&briefs).chain(&calendars) {
        let spread = disseminations::list(conn, deliverable.row.id, &page, Audience::All)
            .await
            .expect("disseminations")
            .items;
        if deliverable.row.status == Published {
            assert!((2..=4).contains(&spread.len()), "{}", spread.len());
        } else {
            assert!(spread.is_empty());
        }
    }

    // Through the use-cases: in the change feed and the audit log.
    let feed = |kind: changes::ResourceType| async move {
        changes::Entity::find()
            .filter(changes::Column::ResourceType.eq(kind))
            .count(conn)
            .await
            .expect("count")
    };
    assert!(feed(changes::ResourceType::Deliverable).await >= 5);
    assert_eq!(feed(changes::ResourceType::DeliverableStory).await, 7);
    assert_eq!(feed(changes::ResourceType::CalendarEntry).await, 12);
    assert_eq!(feed(changes::ResourceType::Dissemination).await, 8);
    let audited = audit::Entity::find()
        .filter(audit::Column::Action.eq("deliverable.created"))
        .count(conn)
        .await
        .expect("count");
    assert_eq!(audited, 5);
}

#[tokio::test]
async fn production_refuses_to_start_without_a_jwt_secret() {
    let db = TestDb::new().await;
    let (ok, _, stderr) = run(empower(&db).arg("serve").env("EMPOWER_ENV", "production"));
    assert!(!ok);
    assert!(stderr.contains("EMPOWER_JWT_SECRET"), "{stderr}");
}

#[tokio::test]
async fn serve_logs_where_things_are_and_stops_gracefully_on_sigterm() {
    let db = TestDb::new().await;
    // The server binds port 0 and says which port it got: no race for a free port.
    let mut child = empower(&db)
        .env("EMPOWER_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    let mut port = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while port.is_none() && std::time::Instant::now() < deadline {
        if let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(100)) {
            port = line
                .split("listening on http://127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .and_then(|p| p.parse::<u16>().ok());
            log.push_str(&line);
            log.push('\n');
        }
    }
    let port = port.unwrap_or_else(|| panic!("the server reports its port: {log}"));
    let client = reqwest::Client::new();
    let ready = client
        .get(format!("http://127.0.0.1:{port}/health/ready"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200);
    assert!(ready, "server became ready");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().expect("wait") {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = exited.expect("the server stopped within 10 s of SIGTERM");
    assert!(status.success(), "clean exit: {status:?}");
    reader.join().expect("log reader");
    for line in lines_rx.try_iter() {
        log.push_str(&line);
        log.push('\n');
    }
    assert!(log.contains("Swagger UI: http://127.0.0.1:"), "{log}");
    assert!(log.contains("database: "), "{log}");
    assert!(
        log.contains("created the first admin: email admin@empower.local, password "),
        "{log}"
    );
}
