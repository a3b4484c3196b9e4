//! Building and running the server: `Application::build` binds (port 0 in tests) and reports
//! its port; `run_until_stopped` serves until SIGTERM or Ctrl-C, letting in-flight requests finish.
//! `Application::build_observed` does the same and shows every SQL statement the server runs to
//! an observer (the tests count the queries a request costs).

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Condition, Logger, from_fn};
use actix_web::{App, web};
use empower_domain::db;
use empower_domain::files::FileStore;
use empower_domain::identity::user::{self, Bootstrap};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::jwt::TokenKeys;
use crate::extract::{json_config, path_config, payload_config};
use crate::memo::Memo;
use crate::middleware::request_context;
use crate::openapi::{self, OPENAPI_PATH};
use crate::routes::{self, RouteTable};
use crate::settings::{Environment, Secret, Settings};
use crate::state::AppState;

/// Email of the admin made on a fresh development database when none is configured.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@empower.local";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] db::DbErr),
    /// The first admin could not be created, or the files directory cannot be used.
    #[error("start-up: {0}")]
    Bootstrap(#[from] empower_domain::DomainError),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address from `EMPOWER_BIND`.
        address: String,
        /// Why.
        source: std::io::Error,
    },
}

/// One SQL statement the server ran, as shown to the observer of
/// [`Application::build_observed`].
#[derive(Debug, Clone, Copy)]
pub struct ObservedQuery<'a> {
    /// The statement's SQL, with placeholders for its values.
    pub sql: &'a str,
    /// How long it took.
    pub elapsed: std::time::Duration,
    /// Whether it failed.
    pub failed: bool,
}

/// Sees every SQL statement the server runs through sea-orm (its metric callback), on every
/// connection of the pool and in every transaction, from the first migration on.
type QueryObserver = Box<dyn Fn(&ObservedQuery<'_>) + Send + Sync>;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    worker: Option<crate::webhooks::Worker>,
}

impl Application {
    /// Opens and migrates the database, makes sure someone can log in, and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with(settings, None).await
    }

    /// As [`Application::build`], with `observer` shown every SQL statement the server runs.
    pub async fn build_observed(
        settings: Settings,
        observer: impl Fn(&ObservedQuery<'_>) + Send + Sync + 'static,
    ) -> Result<Self, StartupError> {
        Self::build_with(settings, Some(Box::new(observer))).await
    }

    async fn build_with(
        settings: Settings,
        observer: Option<QueryObserver>,
    ) -> Result<Self, StartupError> {
        let mut db = db::connect(&settings.database_url).await?;
        if let Some(observer) = observer {
            // Set before the connection is cloned anywhere: clones share the callback.
            db.set_metric_callback(move |info| {
                observer(&ObservedQuery {
                    sql: &info.statement.sql,
                    elapsed: info.elapsed,
                    failed: info.failed,
                });
            });
        }
        db::migrate_up(&db).await?;
        log::info!(
            "database: {} (migrated)",
            db::describe(&settings.database_url)
        );
        bootstrap_admin(&db, &settings).await?;
        let files = FileStore::new(&settings.files_dir);
        sweep_files(&db, &files).await?;

        let jwt_secret = settings.jwt_secret.clone().unwrap_or_else(|| {
            log::warn!(
                "EMPOWER_JWT_SECRET is not set: using a random secret; tokens will not survive a restart"
            );
            Secret::new(empower_domain::identity::password::generate() + &empower_domain::identity::password::generate())
        });
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;

        let api = openapi::document();
        let routes = web::Data::new(RouteTable::from_openapi(&api));
        let contract = web::Bytes::from(openapi::to_json(&openapi::contract_of(&api)));
        let tokens = TokenKeys::new(&jwt_secret, &settings.jwt_previous_secrets);
        let webhook_policy = settings.webhooks.policy(settings.environment);
        let worker = if settings.webhooks.worker {
            Some(
                crate::webhooks::Worker::new(
                    db.clone(),
                    settings.webhooks.clone(),
                    webhook_policy.clone(),
                )
                .map_err(|e| {
                    StartupError::Bootstrap(empower_domain::DomainError::Internal(format!(
                        "webhook sender: {e}"
                    )))
                })?,
            )
        } else {
            log::info!("webhooks: no delivery worker in this process (EMPOWER_WEBHOOK_WORKER=off)");
            None
        };
        let wake = web::Data::new(
            worker
                .as_ref()
                .map(crate::webhooks::Worker::wake)
                .unwrap_or_default(),
        );
        let state = web::Data::new(AppState {
            webhook_policy,
            db,
            tokens,
            files,
            iati: settings.iati.clone(),
            retention: settings.retention,
            public_results: Memo::new(1),
            results_reports: Memo::new(16),
        });
        let cors_origins = settings.cors_origins.clone();
        let server = crate::server::run(listener, move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(routes::configure)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(wake.clone())
                .app_data(routes.clone())
                .app_data(json_config())
                .app_data(path_config())
                .app_data(payload_config())
                .service(web::redirect("/swagger-ui", openapi::SWAGGER_UI_PATH).permanent())
                .route(
                    OPENAPI_PATH,
                    web::get().to({
                        let contract = contract.clone();
                        move || {
                            let contract = contract.clone();
                            async move {
                                actix_web::HttpResponse::Ok()
                                    .content_type("application/json")
                                    .body(contract)
                            }
                        }
                    }),
                )
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}")
                        .config(Config::new([OPENAPI_PATH]).persist_authorization(true)),
                )
                .default_service(web::to(routes::fallback))
                .wrap(from_fn(crate::webhooks::wake_after_writes))
                .wrap(from_fn(crate::conditional::lists))
                .wrap(from_fn(crate::idempotency::idempotency))
                .wrap(from_fn(crate::auth::caller::authenticate_request))
                .wrap(Condition::new(
                    !cors_origins.is_empty(),
                    cors(&cors_origins),
                ))
                .wrap(from_fn(request_context))
                .wrap(Logger::new(
                    "%a \"%r\" %s %b %Dms request_id=%{x-request-id}o",
                ))
        })
        .map_err(|source| StartupError::Bind {
            address: settings.bind.clone(),
            source,
        })?;

        log::info!("Empower API listening on http://{address}/api/v1");
        log::info!("Swagger UI: http://{address}{}", openapi::SWAGGER_UI_PATH);
        log::info!("OpenAPI contract: http://{address}{OPENAPI_PATH}");
        Ok(Self {
            port: address.port(),
            server,
            worker,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; on SIGTERM or Ctrl-C, in-flight requests finish first, then the
    /// webhook worker's in-flight deliveries (or they return to the queue).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self.worker.map(crate::webhooks::Worker::spawn);
        let served = self.server.await;
        if let Some(worker) = worker {
            worker.stop().await;
        }
        served
    }
}

/// Allows the configured browser origins; with none configured, no cross-origin access.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::IF_NONE_MATCH,
        ])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .expose_headers(["etag", "link", "location", "x-request-id", "retry-after"])
        .max_age(3600)
}

/// Ties the files directory to this database (refusing one that holds another database's
/// files), then removes what a crash can leave in it: a file whose row never committed, an old
/// temporary file.
async fn sweep_files(db: &db::Db, files: &FileStore) -> Result<(), StartupError> {
    files.bind(db::installation_id(db).await?).await?;
    let tx = db::begin_write(db).await?;
    let swept = files.sweep(&tx).await?;
    tx.commit().await?;
    log::info!(
        "files: {} (swept {} partial and {} orphaned file(s))",
        files.dir().display(),
        swept.partial,
        swept.orphans
    );
    Ok(())
}

/// Makes sure someone can log in on a fresh database.
async fn bootstrap_admin(db: &db::Db, settings: &Settings) -> Result<(), StartupError> {
    let (email, password, generated) = match (&settings.admin_email, &settings.admin_password) {
        (Some(email), Some(password)) => (email.clone(), password.expose().to_owned(), false),
        _ if settings.environment == Environment::Production => {
            if user::count(db).await? == 0 {
                log::warn!(
                    "no user exists: set EMPOWER_ADMIN_EMAIL and EMPOWER_ADMIN_PASSWORD, or run `empower create-admin --email ...`"
                );
            }
            return Ok(());
        }
        (email, _) => (
            email
                .clone()
                .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.to_owned()),
            empower_domain::identity::password::generate(),
            true,
        ),
    };
    match user::bootstrap_admin(db, &email, &password).await? {
        Bootstrap::AlreadyHasUsers => {}
        Bootstrap::Created { email } if generated => log::warn!(
            "created the first admin: email {email}, password {password} (shown once: log in with it and keep it safe)"
        ),
        Bootstrap::Created { email } => log::info!(
            "created the first admin {email} with the password from EMPOWER_ADMIN_PASSWORD"
        ),
    }
    Ok(())
}
