//! Who may log in: user accounts, their roles, password hashing, and the bootstrap admin.

pub mod client;
pub mod entity;
pub mod password;
pub mod refresh;
pub mod scope;
pub mod session;
pub mod throttle;
pub mod user;

pub use user::Role;
