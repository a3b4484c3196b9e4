//! The association registry: the profile ([`profile`]), selection ([`selection`]), publication
//! consent ([`consent`]) and spreadsheets ([`files`]), with their shapes in [`schema`].

pub mod consent;
pub mod files;
pub mod profile;
pub mod schema;
pub mod selection;

use utoipa_actix_web::service_config::ServiceConfig;

pub use self::schema::{AssociationBody, AssociationView};

/// Registers the association operations (fixed paths before `{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(files::export_associations)
        .service(files::import_associations)
        .service(profile::list_associations)
        .service(profile::create_association)
        .service(profile::get_association)
        .service(profile::put_association)
        .service(profile::update_association)
        .service(profile::delete_association)
        .service(selection::list_association_transitions)
        .service(selection::get_association_transition)
        .service(selection::create_association_transition)
        .service(selection::get_association_eligibility)
        .service(consent::list_publication_consent_changes);
}
