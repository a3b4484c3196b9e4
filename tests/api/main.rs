//! HTTP-level tests of the whole server, one module per area. Each test gets its own database:
//! a temporary SQLite file, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

mod access;
mod admin;
mod associations;
mod cli;
mod concurrency;
mod conditional;
mod conformance;
mod contract;
mod conventions;
mod deployment;
mod errors;
mod files;
mod funding;
mod health;
mod helpers;
mod idempotency;
mod identity;
mod inputs;
mod instances;
mod isolation;
mod migrations;
mod names;
mod people;
mod privacy;
mod privacy_rights;
mod queries;
mod reference;
mod resources;
mod restitutions;
mod results;
mod scale;
mod training;
mod visibility;
mod webhooks;
mod wire;
