//! Table models and their queries: plain `fn(&mut Conn, ..) -> QueryResult<T>` functions.

pub mod applications;
pub mod audit;
pub mod deployments;
pub mod editor;
pub mod env_vars;
pub mod instance_settings;
pub mod instances;
pub mod labels;
pub mod members;
pub mod pipelines;
pub mod sessions;
pub mod snapshots;
pub mod stages;
pub mod teams;
pub mod users;

use diesel::result::{Error as DieselError, QueryResult};

use crate::domain::roles::Role;

/// Parse a role column; an unknown value is data corruption, reported as a deserialization error.
pub(crate) fn parse_role(raw: &str) -> QueryResult<Role> {
    raw.parse().map_err(|_| {
        DieselError::DeserializationError(format!("unknown role {raw:?} in team_members").into())
    })
}
