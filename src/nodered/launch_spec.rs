//! What a runtime is started with, and where it comes from (the instance service loads it from
//! the database on every start).

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::settings_js::NodeRedSettings;
use crate::db::ids::InstanceId;

/// What a runtime is started with, loaded fresh from the database on every start.
pub struct LaunchSpec {
    /// Node-RED version (for the log).
    pub node_red_version: String,
    /// settings.js input; `port` and the token hashes are filled in by the supervisor.
    pub settings: NodeRedSettings,
    /// Process environment: the instance's variables that have a value.
    pub env: Vec<(String, String)>,
    /// (address, name) lines the sandbox's hosts file adds to the system's.
    pub hosts: Vec<(String, String)>,
    /// Host folders an administrator gave the sandbox: (path, writable).
    pub mounts: Vec<(PathBuf, bool)>,
}

/// Loads the launch spec of an instance; the error is shown on the instance page.
pub type SpecLoader =
    Arc<dyn Fn(InstanceId) -> BoxFuture<'static, Result<LaunchSpec, String>> + Send + Sync>;
