//! Webhooks: partner systems told of every change they may read, instead of polling the feed.
//!
//! A subscription ([`subscription`]) belongs to an API client and hears only what that client
//! could read ([`events`]). Each change writes its deliveries in its own transaction
//! ([`outbox`]); a worker in the server claims and sends them ([`queue`]), signed the Standard
//! Webhooks way ([`signature`]), to addresses the operator allows ([`address`]).

pub mod address;
pub mod entity;
pub mod events;
pub mod outbox;
pub mod queue;
pub mod signature;
pub mod subscription;

pub use entity::{DeliveryKind, DeliveryStatus};
