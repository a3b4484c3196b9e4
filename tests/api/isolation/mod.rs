//! A caller bound to an association acts only as its association: another association's
//! records (the association, its people, their consents, its funding applications, its
//! transitions) are "not found" to it, whatever it reads or writes; it never creates,
//! replaces, deletes or imports associations; and the change feed shows it its own only.
//!
//! Bound callers are `association` users and API clients created with an `association_id`.
//! What the access table refuses them outright is a 403 before anything is looked up; what it
//! lets through and is not theirs is a 404, and nothing is written either way.
//!
//! `fixtures` holds the records and callers every test starts from; `another_association` aims
//! reads and writes (every write of the contract) at another association, `own_association`
//! checks what a bound caller may do with its own, `bindings` refuses binding to an association
//! that does not exist, and `feed` checks the change feed.

mod another_association;
mod bindings;
mod feed;
mod fixtures;
mod own_association;
