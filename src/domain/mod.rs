//! Pure rules of redstage, with no web framework and no database: roles and what they allow,
//! name and slug validation, the last-owner rule.

pub mod env;
pub mod members;
pub mod names;
pub mod roles;
pub mod stages;
