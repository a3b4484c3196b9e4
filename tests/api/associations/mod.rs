//! The association registry: rules, writes, filters, selection, visibility, the change feed.
//!
//! Split by seam: `writes` (create, read, rules, PATCH/PUT/DELETE), `listing` (filters, search,
//! sort, paging), `selection` (transitions, eligibility), `visibility` (association users),
//! `change_feed` (the feed, concurrent writers) and `idempotency` (Idempotency-Key on creates);
//! `fixtures` holds the shared request body and create helper.

mod change_feed;
mod fixtures;
mod idempotency;
mod listing;
mod search;
mod selection;
mod visibility;
mod writes;
