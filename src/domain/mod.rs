//! Pure rules of redstage, with no web framework and no database: roles and what they allow,
//! name and slug validation, the last-owner rule, env-key merging, stage order, and what a push
//! changes in the target's flows.

pub mod endpoints;
pub mod env;
pub mod flows;
pub mod labels;
pub mod members;
pub mod mounts;
pub mod names;
pub mod nodes;
pub mod npm;
pub mod origins;
pub mod paging;
pub mod play;
pub mod restart;
pub mod roles;
pub mod stages;
pub mod states;
