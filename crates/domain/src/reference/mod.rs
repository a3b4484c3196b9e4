//! Reference data seeded by migration: ISO 3166-1 countries (with the donor's priority list)
//! and the 17 Sustainable Development Goals.

pub mod country;
pub mod entity;
pub mod sdg;
