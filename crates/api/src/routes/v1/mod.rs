//! `/api/v1`: one module per area of the programme.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod api_clients;
pub mod associations;
pub mod audit_log;
pub mod auth;
pub mod changes;
pub mod deliverables;
pub mod edit;
pub mod funding;
pub mod partners;
pub mod people;
pub mod privacy;
pub mod public;
pub mod reference;
pub mod restitutions;
pub mod results;
pub mod training;
pub mod users;
pub mod webhooks;

/// Registers every `/api/v1` operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(reference::configure)
        .configure(auth::configure)
        .configure(users::configure)
        .configure(api_clients::configure)
        .configure(webhooks::configure)
        .configure(audit_log::configure)
        .configure(associations::configure)
        .configure(people::configure)
        .configure(privacy::configure)
        .configure(funding::configure)
        .configure(partners::configure)
        .configure(training::configure)
        .configure(restitutions::configure)
        .configure(deliverables::configure)
        .configure(results::configure)
        .configure(public::configure)
        .configure(changes::configure);
}

pub use empower_domain::localized::LocalizedText;
