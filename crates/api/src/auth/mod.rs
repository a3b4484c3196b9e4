//! Authentication and authorization: access tokens, the per-operation access table, and the
//! `Caller` extractor that applies both.

pub mod access;
pub mod caller;
pub mod jwt;

pub use caller::{Caller, Principal};
