//! Who may log in: user accounts, their roles, password hashing, and the bootstrap admin.

pub mod password;
pub mod user;

pub use user::Role;
