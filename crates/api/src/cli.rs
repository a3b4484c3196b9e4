//! The `empower` command line: serve (the default), migrate, print the contract, create an admin,
//! load the demo data.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use empower_domain::{db, demo, identity};

use crate::settings::Settings;
use crate::{Application, openapi};

/// Empower: the programme API for African diaspora women's associations in Belgium.
#[derive(Debug, Parser)]
#[command(name = "empower", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (migrates the database first).
    Serve,
    /// Apply, roll back or list the database migrations.
    Migrate {
        /// `up` (default), `down` or `status`.
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
        /// With `down`: how many migrations to roll back (default 1).
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// Print the OpenAPI contract (the bytes of `openapi/openapi.json`).
    Openapi,
    /// Create an admin account; the password comes from EMPOWER_ADMIN_PASSWORD or is generated
    /// and printed once.
    CreateAdmin {
        /// The admin's email (login).
        #[arg(long)]
        email: String,
        /// The name shown in the apps.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Load the fictional demo data set for testers (safe to run twice). New demo accounts get
    /// EMPOWER_DEMO_PASSWORD, or a generated password printed once. With `--scale N`, then the
    /// data set at programme scale for benchmarks: N associations and what they imply.
    SeedDemo {
        /// Also load the generated data set for N associations (1 to 200,000; deterministic:
        /// the same N gives the same data). Loaded once: a second run leaves it as it is.
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
        /// With `--scale`: grow the change feed to at least this many rows (the associations'
        /// edit history), for benchmarks of the feed.
        #[arg(long, value_name = "ROWS", requires = "scale")]
        changes: Option<u64>,
    },
    /// Erase the personal data the retention periods say is due (EMPOWER_RETENTION_CLOSED_MONTHS,
    /// EMPOWER_RETENTION_CONTACT_MONTHS), by the erasure path, each person in a transaction of
    /// her own. Safe to run daily: a second run finds nothing more to do.
    Retention {
        /// List what is due, erase nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// What `migrate` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last `--steps` migrations.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

impl Cli {
    /// Runs the chosen command; errors are printed, never panicked.
    pub async fn run(self) -> ExitCode {
        if let Err(message) = self.execute().await {
            log::error!("{message}");
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
        ExitCode::SUCCESS
    }

    async fn execute(self) -> Result<(), String> {
        let command = self.command.unwrap_or(Command::Serve);
        if let Command::Openapi = command {
            print!("{}", openapi::to_json(&openapi::contract()));
            return Ok(());
        }
        init_logging();
        let settings = Settings::from_env().map_err(|e| e.to_string())?;
        match command {
            Command::Serve => {
                let app = Application::build(settings)
                    .await
                    .map_err(|e| e.to_string())?;
                app.run_until_stopped().await.map_err(|e| e.to_string())
            }
            Command::Migrate { action, steps } => {
                let conn = db::connect(&settings.database_url)
                    .await
                    .map_err(|e| e.to_string())?;
                match action {
                    MigrateAction::Up => db::migrate_up(&conn).await,
                    MigrateAction::Down => db::migrate_down(&conn, Some(steps)).await,
                    MigrateAction::Status => Ok(()),
                }
                .map_err(|e| e.to_string())?;
                for (name, applied) in db::migration_status(&conn)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    println!("{} {name}", if applied { "applied" } else { "pending" });
                }
                Ok(())
            }
            Command::CreateAdmin { email, name } => {
                let conn = db::connect(&settings.database_url)
                    .await
                    .map_err(|e| e.to_string())?;
                db::migrate_up(&conn).await.map_err(|e| e.to_string())?;
                let (password, generated) = match &settings.admin_password {
                    Some(p) => (p.expose().to_owned(), false),
                    None => (identity::password::generate(), true),
                };
                let tx = db::begin_write(&conn).await.map_err(|e| e.to_string())?;
                let user = identity::user::create_admin(&tx, &email, &name, &password)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
                println!("created admin {}", user.email);
                if generated {
                    println!("password (shown once): {password}");
                }
                Ok(())
            }
            Command::Retention { dry_run } => retention(&settings, dry_run).await,
            Command::SeedDemo { scale, changes } => {
                let conn = db::connect(&settings.database_url)
                    .await
                    .map_err(|e| e.to_string())?;
                let (password, generated) = match std::env::var("EMPOWER_DEMO_PASSWORD") {
                    Ok(p) if !p.trim().is_empty() => (p, false),
                    _ => (identity::password::generate(), true),
                };
                let files = empower_domain::files::FileStore::new(&settings.files_dir);
                let summary = demo::seed(&conn, &password, &files)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "demo data ready: {} countries ({} priority), {} SDGs",
                    summary.countries, summary.priority_countries, summary.sdgs
                );
                println!(
                    "demo associations created: {}",
                    summary.created_associations
                );
                println!(
                    "demo training sessions scheduled: {} (with partners, enrolments, attendance and assessments)",
                    summary.scheduled_sessions
                );
                println!(
                    "demo restitutions created: {} (in every status, one with an uploaded PDF)",
                    summary.restitutions
                );
                println!(
                    "demo visibility deliverables created: {} (a published repertoire and calendar, three briefs with stories in every stage, dissemination records)",
                    summary.deliverables
                );
                println!(
                    "demo results created: {} measurements of OO.1 (two totals, two by country), {} reporting periods, {} of them closed with its frozen report (the first half of 2026 closed, the second half open)",
                    summary.measurements, summary.reporting_periods, summary.closed_periods
                );
                for email in &summary.created_users {
                    println!("demo account created: {email}");
                }
                if generated && !summary.created_users.is_empty() {
                    println!("demo accounts' password (shown once): {password}");
                }
                if let Some(n) = scale {
                    let scaled = demo::scale::load(&conn, n, changes)
                        .await
                        .map_err(|e| e.to_string())?;
                    if scaled.associations == 0 {
                        println!(
                            "scale data set already present: nothing loaded ({} changes in the feed)",
                            scaled.changes
                        );
                    } else {
                        println!(
                            "scale data set loaded in {:.1} s: {} associations ({} selected), {} people, {} sessions, {} enrolments, {} attendance lines, {} assessments, {} restitutions, {} funding applications, {} partners, {} deliverables, {} dissemination records; {} changes in the feed",
                            scaled.seconds,
                            scaled.associations,
                            scaled.selected,
                            scaled.people,
                            scaled.sessions,
                            scaled.enrollments,
                            scaled.attendance,
                            scaled.assessments,
                            scaled.restitutions,
                            scaled.funding_applications,
                            scaled.partners,
                            scaled.deliverables,
                            scaled.disseminations,
                            scaled.changes
                        );
                    }
                }
                Ok(())
            }
            Command::Openapi => Ok(()),
        }
    }
}

/// Logs to stderr at `RUST_LOG` (default `info`, with the database drivers quieter).
fn init_logging() {
    let _ = env_logger::Builder::from_env(
        env_logger::Env::default()
            .default_filter_or("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"),
    )
    .try_init();
}

/// `empower retention [--dry-run]`: one line per person due, then what was done.
async fn retention(settings: &Settings, dry_run: bool) -> Result<(), String> {
    use empower_domain::privacy::retention;

    let conn = db::connect(&settings.database_url)
        .await
        .map_err(|e| e.to_string())?;
    db::migrate_up(&conn).await.map_err(|e| e.to_string())?;
    let periods = settings.retention;
    let now = chrono::Utc::now();
    let due = retention::due(&conn, &periods, now)
        .await
        .map_err(|e| e.to_string())?;
    for item in &due.people {
        println!(
            "{} person {} of association {} ({} since {})",
            match item.extent {
                empower_domain::privacy::Extent::Whole => "erase",
                empower_domain::privacy::Extent::Contact => "erase contact data of",
            },
            item.person_id,
            item.association_id,
            item.association_status.as_str(),
            item.since.format("%Y-%m-%d")
        );
    }
    for item in &due.associations {
        println!(
            "erase contact data of association {} (completed since {})",
            item.association_id,
            item.since.format("%Y-%m-%d")
        );
    }
    if dry_run {
        println!(
            "dry run: {} due, {} associations' contact data due, nothing erased",
            due.people.len(),
            due.associations.len()
        );
        return Ok(());
    }
    let done = retention::run(&conn, &periods, now)
        .await
        .map_err(|e| e.to_string())?;
    let files = empower_domain::files::FileStore::new(&settings.files_dir);
    crate::routes::v1::restitutions::release_files(&conn, &files, done.files).await;
    println!(
        "erased: {} people, contact data of {} more and of {} associations",
        done.erased, done.contacts_erased, done.associations_cleared
    );
    for (id, error) in &done.failures {
        println!("failed: {id}: {error}");
    }
    if done.failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} erasures failed and changed nothing; the next run tries them again",
            done.failures.len()
        ))
    }
}
