//! The programme's rules and data: sea-orm entities, pure rules, and the services that read and
//! write them. No HTTP here: services take a connection and return [`DomainError`].

pub mod association;
pub mod audit;
pub mod changes;
pub mod db;
pub mod demo;
pub mod error;
pub mod files;
pub mod funding;
pub mod idempotency;
pub mod identity;
pub mod localized;
pub mod paging;
pub mod partner;
pub mod person;
pub mod policy;
pub mod privacy;
pub mod reference;
pub mod resource;
pub mod restitution;
pub mod results;
pub mod text;
pub mod time;
pub mod training;
pub mod visibility;
pub mod webhooks;

pub use error::{DomainError, FieldError, Refusal, RefusalKind};
