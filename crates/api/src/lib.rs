//! Empower's HTTP layer: actix-web routes under `/api/v1`, problem details, the OpenAPI contract
//! and Swagger UI. No SQL here: handlers call the domain's services.

pub mod auth;
pub mod cli;
pub mod conditional;
pub mod documents;
pub mod extract;
pub mod http;
pub mod idempotency;
pub mod language;
pub mod memo;
pub mod middleware;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod schema;
pub mod server;
pub mod settings;
pub mod startup;
pub mod state;
pub mod webhooks;

pub use problem::ApiError;
pub use settings::Settings;
pub use startup::Application;
