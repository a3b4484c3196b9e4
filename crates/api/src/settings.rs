//! Typed settings, read once from `EMPOWER_*` environment variables, with laptop-friendly defaults.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use empower_domain::privacy::RetentionPeriods;
use empower_domain::privacy::retention::MAX_MONTHS;
use empower_domain::webhooks::address::{AddressPolicy, Network};

/// Where the software runs; production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's or tester's machine: random secrets and a generated admin are fine.
    Development,
    /// A real deployment: secrets must be given.
    Production,
}

/// A value that must never appear in logs: `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Shortest accepted JWT signing secret, in bytes (HS256 wants at least its hash size).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `EMPOWER_DATABASE_URL`: a SQLite file (default `./empower.db`) or `postgres://...`.
    pub database_url: String,
    /// `EMPOWER_BIND`: address and port to listen on (default `127.0.0.1:8080`; port 0 picks one).
    pub bind: String,
    /// `EMPOWER_JWT_SECRET`: signs access tokens; required in production, random otherwise.
    pub jwt_secret: Option<Secret>,
    /// `EMPOWER_JWT_PREVIOUS_SECRETS`: earlier signing secrets whose tokens stay valid during a
    /// rotation (comma-separated).
    pub jwt_previous_secrets: Vec<Secret>,
    /// `EMPOWER_ADMIN_EMAIL`: the first admin, created when there is no user yet.
    pub admin_email: Option<String>,
    /// `EMPOWER_ADMIN_PASSWORD`: that admin's password.
    pub admin_password: Option<Secret>,
    /// `EMPOWER_CORS_ORIGINS`: browser origins allowed to call the API (none by default).
    pub cors_origins: Vec<String>,
    /// `EMPOWER_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `EMPOWER_FILES_DIR`: where uploaded files (restitution evidence) are kept; default
    /// `files` beside the SQLite file, or `./files` with PostgreSQL.
    pub files_dir: PathBuf,
    /// `EMPOWER_IATI_ORG_REF` and `EMPOWER_IATI_ACTIVITY_ID`: the identifiers the IATI results
    /// export reports under.
    pub iati: Iati,
    /// `EMPOWER_RETENTION_CLOSED_MONTHS` (default 12) and `EMPOWER_RETENTION_CONTACT_MONTHS`
    /// (default 36): how long people of closed associations, and the contact data of completed
    /// ones, are kept (`empower retention`).
    pub retention: RetentionPeriods,
    /// `EMPOWER_WEBHOOK_*`: the delivery worker and where it may send.
    pub webhooks: WebhookSettings,
}

/// How webhooks are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `EMPOWER_WEBHOOK_WORKER`: `on` (default) runs the delivery worker in this process; `off`
    /// leaves sending to other processes on the same database.
    pub worker: bool,
    /// `EMPOWER_WEBHOOK_TIMEOUT_SECONDS` (1-60, default 10): how long a receiver may take.
    pub timeout: Duration,
    /// `EMPOWER_WEBHOOK_RETRY_BASE_MS` (10-3600000, default 10000): the first retry's wait,
    /// doubled at each retry (13 retries: about 23 hours at the default).
    pub retry_base: Duration,
    /// `EMPOWER_WEBHOOK_POLL_MS` (10-60000, default 1000): how often an idle worker looks for
    /// due deliveries.
    pub poll: Duration,
    /// `EMPOWER_WEBHOOK_ALLOWED_NETWORKS`: comma-separated blocks (`10.20.0.0/16`, `fd00::/8`)
    /// that webhooks may reach although they are not public. None by default.
    pub allowed_networks: Vec<Network>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            worker: true,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            allowed_networks: Vec::new(),
        }
    }
}

impl WebhookSettings {
    /// Where webhooks may go in `environment`: public addresses, the allowed networks, and in
    /// development loopback too.
    pub fn policy(&self, environment: Environment) -> AddressPolicy {
        AddressPolicy {
            allow_loopback: environment == Environment::Development,
            allowed_networks: self.allowed_networks.clone(),
        }
    }
}

/// The IATI identifiers of the results export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iati {
    /// The reporting organisation's IATI identifier (default `XX-EMPOWER`, a placeholder to set).
    pub org_ref: String,
    /// The activity's IATI identifier, which starts with the organisation's (default
    /// `<org_ref>-DIASPORA-WOMEN`).
    pub activity_id: String,
}

/// The placeholder organisation identifier, until `EMPOWER_IATI_ORG_REF` is set.
pub const DEFAULT_IATI_ORG_REF: &str = "XX-EMPOWER";

/// `files` in the directory of a SQLite database file; `./files` for anything else.
pub fn default_files_dir(database_url: &str) -> PathBuf {
    let url = empower_domain::db::normalise_url(database_url);
    let path = url
        .strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(':'));
    match path.and_then(|p| Path::new(p).parent()) {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join("files"),
        _ => PathBuf::from("./files"),
    }
}

/// A setting that cannot be used, named by its variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct SettingsError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let environment = match get("EMPOWER_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(SettingsError {
                    variable: "EMPOWER_ENV",
                    problem: format!("must be `development` or `production`, not `{other}`"),
                });
            }
        };
        let jwt_secret = get("EMPOWER_JWT_SECRET").map(Secret::new);
        match &jwt_secret {
            Some(secret) if secret.expose().len() < MIN_JWT_SECRET_BYTES => {
                return Err(SettingsError {
                    variable: "EMPOWER_JWT_SECRET",
                    problem: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
                });
            }
            None if environment == Environment::Production => {
                return Err(SettingsError {
                    variable: "EMPOWER_JWT_SECRET",
                    problem: "is required when EMPOWER_ENV=production".into(),
                });
            }
            _ => {}
        }
        let jwt_previous_secrets: Vec<Secret> = get("EMPOWER_JWT_PREVIOUS_SECRETS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Secret::new)
                    .collect()
            })
            .unwrap_or_default();
        if jwt_previous_secrets
            .iter()
            .any(|s| s.expose().len() < MIN_JWT_SECRET_BYTES)
        {
            return Err(SettingsError {
                variable: "EMPOWER_JWT_PREVIOUS_SECRETS",
                problem: format!("each secret must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            });
        }
        let cors_origins = get("EMPOWER_CORS_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let database_url = get("EMPOWER_DATABASE_URL").unwrap_or_else(|| "./empower.db".into());
        let org_ref = get("EMPOWER_IATI_ORG_REF").unwrap_or_else(|| DEFAULT_IATI_ORG_REF.into());
        let activity_id =
            get("EMPOWER_IATI_ACTIVITY_ID").unwrap_or_else(|| format!("{org_ref}-DIASPORA-WOMEN"));
        for (variable, value) in [
            ("EMPOWER_IATI_ORG_REF", &org_ref),
            ("EMPOWER_IATI_ACTIVITY_ID", &activity_id),
        ] {
            let plain = value.len() <= 100
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
            if !plain {
                return Err(SettingsError {
                    variable,
                    problem: "must be at most 100 letters, digits, `-`, `_`, `.` or `/`".into(),
                });
            }
        }
        if !activity_id.starts_with(&org_ref) {
            return Err(SettingsError {
                variable: "EMPOWER_IATI_ACTIVITY_ID",
                problem: format!("must start with the organisation identifier `{org_ref}`"),
            });
        }
        let defaults = RetentionPeriods::default();
        let months = |variable: &'static str, default: u32| match get(variable) {
            None => Ok(default),
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=MAX_MONTHS).contains(m))
                .ok_or(SettingsError {
                    variable,
                    problem: format!(
                        "must be a number of months from 1 to {MAX_MONTHS}, not `{value}`"
                    ),
                }),
        };
        let retention = RetentionPeriods {
            closed_months: months("EMPOWER_RETENTION_CLOSED_MONTHS", defaults.closed_months)?,
            contact_months: months("EMPOWER_RETENTION_CONTACT_MONTHS", defaults.contact_months)?,
        };
        let webhooks = webhook_settings(&get)?;
        Ok(Self {
            webhooks,
            retention,
            iati: Iati {
                org_ref,
                activity_id,
            },
            files_dir: get("EMPOWER_FILES_DIR")
                .map_or_else(|| default_files_dir(&database_url), PathBuf::from),
            database_url,
            bind: get("EMPOWER_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret,
            jwt_previous_secrets,
            admin_email: get("EMPOWER_ADMIN_EMAIL"),
            admin_password: get("EMPOWER_ADMIN_PASSWORD").map(Secret::new),
            cors_origins,
            environment,
        })
    }
}

/// Reads the `EMPOWER_WEBHOOK_*` settings.
fn webhook_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<WebhookSettings, SettingsError> {
    let defaults = WebhookSettings::default();
    let number =
        |variable: &'static str, min: u64, max: u64| -> Result<Option<u64>, SettingsError> {
            get(variable)
                .map(|value| {
                    value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (min..=max).contains(n))
                        .ok_or(SettingsError {
                            variable,
                            problem: format!(
                                "must be a whole number from {min} to {max}, not `{value}`"
                            ),
                        })
                })
                .transpose()
        };
    let worker = match get("EMPOWER_WEBHOOK_WORKER").as_deref() {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => {
            return Err(SettingsError {
                variable: "EMPOWER_WEBHOOK_WORKER",
                problem: format!("must be `on` or `off`, not `{other}`"),
            });
        }
    };
    let mut allowed_networks = Vec::new();
    for block in get("EMPOWER_WEBHOOK_ALLOWED_NETWORKS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        allowed_networks.push(Network::parse(block).ok_or(SettingsError {
            variable: "EMPOWER_WEBHOOK_ALLOWED_NETWORKS",
            problem: format!("`{block}` is not an address or a block such as 10.20.0.0/16"),
        })?);
    }
    Ok(WebhookSettings {
        worker,
        timeout: number("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", 1, 60)?
            .map_or(defaults.timeout, Duration::from_secs),
        retry_base: number("EMPOWER_WEBHOOK_RETRY_BASE_MS", 10, 3_600_000)?
            .map_or(defaults.retry_base, Duration::from_millis),
        poll: number("EMPOWER_WEBHOOK_POLL_MS", 10, 60_000)?
            .map_or(defaults.poll, Duration::from_millis),
        allowed_networks,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_work_on_a_laptop() {
        let s = settings(&[]).expect("defaults");
        assert_eq!(s.database_url, "./empower.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.environment, Environment::Development);
        assert!(s.jwt_secret.is_none() && s.cors_origins.is_empty());
        assert_eq!(s.files_dir, PathBuf::from("./files"));
        assert_eq!(s.iati.org_ref, DEFAULT_IATI_ORG_REF);
        assert_eq!(s.iati.activity_id, "XX-EMPOWER-DIASPORA-WOMEN");
    }

    #[test]
    fn retention_periods_have_defaults_and_a_range() {
        assert_eq!(
            settings(&[]).expect("defaults").retention,
            RetentionPeriods::default()
        );
        let s = settings(&[("EMPOWER_RETENTION_CLOSED_MONTHS", "6")]).expect("settings");
        assert_eq!(s.retention.closed_months, 6);
        for bad in ["0", "-1", "twelve", "1201"] {
            let e = settings(&[("EMPOWER_RETENTION_CONTACT_MONTHS", bad)]).err();
            assert_eq!(
                e.map(|e| e.variable),
                Some("EMPOWER_RETENTION_CONTACT_MONTHS"),
                "{bad}"
            );
        }
    }

    #[test]
    fn webhook_settings_have_defaults_and_ranges() {
        let s = settings(&[]).expect("defaults");
        assert_eq!(s.webhooks, WebhookSettings::default());
        assert!(s.webhooks.policy(s.environment).allow_loopback);
        assert!(!s.webhooks.policy(Environment::Production).allow_loopback);
        let s = settings(&[
            ("EMPOWER_WEBHOOK_WORKER", "off"),
            ("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", "3"),
            ("EMPOWER_WEBHOOK_RETRY_BASE_MS", "50"),
            ("EMPOWER_WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/16, fd00::/8"),
        ])
        .expect("settings");
        assert!(!s.webhooks.worker);
        assert_eq!(s.webhooks.timeout, Duration::from_secs(3));
        assert_eq!(s.webhooks.retry_base, Duration::from_millis(50));
        assert_eq!(s.webhooks.allowed_networks.len(), 2);
        for (variable, bad) in [
            ("EMPOWER_WEBHOOK_WORKER", "maybe"),
            ("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", "0"),
            ("EMPOWER_WEBHOOK_TIMEOUT_SECONDS", "61"),
            ("EMPOWER_WEBHOOK_RETRY_BASE_MS", "-5"),
            ("EMPOWER_WEBHOOK_POLL_MS", "ten"),
            ("EMPOWER_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/99"),
        ] {
            assert_eq!(
                settings(&[(variable, bad)]).err().map(|e| e.variable),
                Some(variable),
                "{bad}"
            );
        }
    }

    #[test]
    fn iati_identifiers_are_plain_and_nested() {
        let s = settings(&[("EMPOWER_IATI_ORG_REF", "BE-BCE_KBO-0123456749")]).expect("settings");
        assert_eq!(s.iati.activity_id, "BE-BCE_KBO-0123456749-DIASPORA-WOMEN");
        let e = settings(&[("EMPOWER_IATI_ACTIVITY_ID", "OTHER-1")]).err();
        assert_eq!(e.map(|e| e.variable), Some("EMPOWER_IATI_ACTIVITY_ID"));
        let e = settings(&[("EMPOWER_IATI_ORG_REF", "a<b")]).err();
        assert_eq!(e.map(|e| e.variable), Some("EMPOWER_IATI_ORG_REF"));
    }

    #[test]
    fn files_live_beside_the_sqlite_file_unless_told_otherwise() {
        let s = settings(&[(
            "EMPOWER_DATABASE_URL",
            "sqlite:///var/lib/empower/data.db?mode=rwc",
        )])
        .expect("settings");
        assert_eq!(s.files_dir, PathBuf::from("/var/lib/empower/files"));
        let s = settings(&[("EMPOWER_DATABASE_URL", "postgres://u@h/db")]).expect("settings");
        assert_eq!(s.files_dir, PathBuf::from("./files"));
        let s = settings(&[("EMPOWER_FILES_DIR", "/srv/files")]).expect("settings");
        assert_eq!(s.files_dir, PathBuf::from("/srv/files"));
    }

    #[test]
    fn production_requires_a_long_enough_secret() {
        let err = settings(&[("EMPOWER_ENV", "production")]).expect_err("no secret");
        assert_eq!(err.variable, "EMPOWER_JWT_SECRET");
        let err = settings(&[("EMPOWER_JWT_SECRET", "short")]).expect_err("short");
        assert_eq!(err.variable, "EMPOWER_JWT_SECRET");
        let secret = "x".repeat(32);
        assert!(
            settings(&[
                ("EMPOWER_ENV", "production"),
                ("EMPOWER_JWT_SECRET", &secret)
            ])
            .is_ok()
        );
        assert!(settings(&[("EMPOWER_ENV", "staging")]).is_err());
    }

    #[test]
    fn cors_origins_are_a_comma_list_and_secrets_are_redacted() {
        let s = settings(&[
            (
                "EMPOWER_CORS_ORIGINS",
                "https://a.example, https://b.example,",
            ),
            ("EMPOWER_ADMIN_PASSWORD", "hunter2hunter2"),
        ])
        .expect("settings");
        assert_eq!(s.cors_origins, ["https://a.example", "https://b.example"]);
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
