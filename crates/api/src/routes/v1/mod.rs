//! `/api/v1`: one module per area of the programme.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod api_clients;
pub mod associations;
pub mod audit_log;
pub mod auth;
pub mod changes;
pub mod funding;
pub mod people;
pub mod reference;
pub mod users;

/// Registers every `/api/v1` operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(reference::configure)
        .configure(auth::configure)
        .configure(users::configure)
        .configure(api_clients::configure)
        .configure(audit_log::configure)
        .configure(associations::configure)
        .configure(people::configure)
        .configure(funding::configure)
        .configure(changes::configure);
}

/// Text in the languages it exists in (Belgium works in French, Dutch and English).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"en": "Senegal", "fr": "Sénégal"}))]
pub struct LocalizedText {
    /// English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    /// French.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// Dutch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nl: Option<String>,
}

impl LocalizedText {
    /// Text known in English and French.
    pub fn en_fr(en: impl Into<String>, fr: impl Into<String>) -> Self {
        Self {
            en: Some(en.into()),
            fr: Some(fr.into()),
            nl: None,
        }
    }
}
