//! The runtime driver seam: everything that starts, stops, supervises, reaches and changes a
//! runtime goes through [`RuntimeDriver`], so that promotion, the instance service, the
//! instance-origin proxy and the web layer never learn how a runtime runs. Today's one driver is
//! [`super::Runtimes`] (local Node-RED processes in bubblewrap, `local.rs`); docs/runtime-driver.md
//! says what a Kubernetes driver would do behind the same trait.

use std::collections::{BTreeMap, HashSet};

use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::sync::watch;
use url::Url;

use super::client::AdminClient;
use super::state::RuntimeStatus;
use super::tokens::Access;
use crate::db::ids::InstanceId;
use crate::domain::nodes::Nodes;

/// What a driver's content and module operations fail with: a message for the user (it carries
/// no credential values).
pub type DriverResult<T> = Result<T, String>;

/// How runtimes are run. Object-safe: the server holds an `Arc<dyn RuntimeDriver>`.
pub trait RuntimeDriver: Send + Sync {
    /// Bring the runtime up and keep it up (idempotent). Returns at once; progress is in `watch`.
    fn start(&self, id: &InstanceId);
    /// Restart it now (also retries after an error). Returns at once.
    fn restart(&self, id: &InstanceId);
    /// Bring it down; resolves once it is down.
    fn stop<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()>;
    /// Stop it and forget it (the instance is being deleted; its content stays until
    /// [`RuntimeDriver::delete_content`]).
    fn remove<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()>;
    /// Stop every runtime gracefully (server shutdown).
    fn shutdown(&self) -> BoxFuture<'_, ()>;
    /// End every runtime now, without waiting (last resort).
    fn kill_now(&self);
    /// Run `task` where the driver's own long-running work runs (not on an HTTP worker).
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// Its state now (stopped when nothing was ever started).
    fn status(&self, id: &InstanceId) -> RuntimeStatus;
    /// Its state now and every change after.
    fn watch(&self, id: &InstanceId) -> watch::Receiver<RuntimeStatus>;
    /// Resolves once it runs in a process other than `except_pid`: its address and pid. Never
    /// resolves if nobody starts it: bound it.
    fn wait_running<'a>(
        &'a self,
        id: &'a InstanceId,
        except_pid: Option<u32>,
    ) -> BoxFuture<'a, (Url, u32)>;
    /// The environment its current (or last) process was started with, sorted by key.
    fn launch_env(&self, id: &InstanceId) -> Vec<(String, String)>;
    /// Its log lines numbered `after` or later, oldest first.
    fn logs(&self, id: &InstanceId, after: u64) -> Vec<(u64, String)>;

    /// Where its HTTP listener is while it runs (an origin, not a loopback port).
    fn address(&self, id: &InstanceId) -> Option<Url>;
    /// An admin-API client for it while it runs.
    fn client(&self, id: &InstanceId) -> Option<AdminClient>;
    /// The value of [`super::PROXY_HEADER`] it requires.
    fn proxy_secret(&self, id: &InstanceId) -> String;
    /// The admin token of an editor session (or of redstage itself) with `access`.
    fn token(&self, id: &InstanceId, access: Access) -> String;

    /// The flows it last stored (what it runs; none yet: empty).
    fn read_flows<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, DriverResult<Vec<Value>>>;
    /// The same flows kept as the stored text, with light per-node fields (no full parse).
    fn read_nodes<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, DriverResult<Nodes>>;
    /// Its stored credentials file, still encrypted with the instance's secret (none: `None`).
    fn read_credentials<'a>(
        &'a self,
        id: &'a InstanceId,
    ) -> BoxFuture<'a, DriverResult<Option<Value>>>;
    /// The npm modules it has (its package.json dependencies) with their installed versions.
    fn read_modules<'a>(
        &'a self,
        id: &'a InstanceId,
    ) -> BoxFuture<'a, DriverResult<BTreeMap<String, String>>>;
    /// Replace the flows and the (encrypted) credentials of a STOPPED runtime.
    fn write_content<'a>(
        &'a self,
        id: &'a InstanceId,
        flows: &'a [Value],
        encrypted_credentials: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>>;
    /// When its flows were last stored, in unix ms (any deploy); none before it has flows.
    fn flows_changed_at(&self, id: &InstanceId) -> Option<i64>;
    /// Install `module@version` with npm into its content (it loads it at its next start).
    fn install_module<'a>(
        &'a self,
        id: &'a InstanceId,
        module: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>>;
    /// Remove `module` from its content with npm.
    fn uninstall_module<'a>(
        &'a self,
        id: &'a InstanceId,
        module: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>>;
    /// Copy the content of `from` (id, credential secret) to the new `to` (id, secret), its
    /// credentials re-encrypted for the new secret.
    fn copy_content<'a>(
        &'a self,
        from: (&'a InstanceId, &'a str),
        to: (&'a InstanceId, &'a str),
    ) -> BoxFuture<'a, anyhow::Result<()>>;
    /// Delete everything kept for a deleted instance.
    fn delete_content<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()>;
    /// Delete the content of every instance not in `known` (left by a crash); what was deleted.
    fn sweep_content(&self, known: HashSet<String>) -> BoxFuture<'_, Vec<String>>;

    /// Whether runtimes are isolated from the server and from each other (the local driver: its
    /// bubblewrap sandbox works); otherwise why not, in words for administrators.
    fn isolation(&self) -> BoxFuture<'_, Result<(), String>>;
    /// Why runtimes cannot run at all, if that is the case (checked in the background).
    fn node_error(&self) -> Option<&str>;
    /// Check once that runtimes can run; the runtime's version or what to install.
    fn check_node(&self) -> BoxFuture<'_, &Result<String, String>>;
}

/// `path` (with its query) on the runtime at `address`, over HTTP or, with `websocket`, over
/// the matching websocket scheme.
pub fn url_at(address: &Url, websocket: bool, path: &str) -> String {
    let secure = address.scheme() == "https";
    let scheme = match (websocket, secure) {
        (false, false) => "http",
        (false, true) => "https",
        (true, false) => "ws",
        (true, true) => "wss",
    };
    let origin = address.as_str().trim_end_matches('/');
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    format!("{scheme}://{rest}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_at_an_address_keep_its_host_and_port_and_pick_the_scheme() -> Result<(), url::ParseError>
    {
        let local = Url::parse("http://127.0.0.1:4000")?;
        assert_eq!(
            url_at(&local, false, "/a?b=1"),
            "http://127.0.0.1:4000/a?b=1"
        );
        assert_eq!(
            url_at(&local, true, "/editor/comms"),
            "ws://127.0.0.1:4000/editor/comms"
        );
        let pod = Url::parse("https://rt.ns.svc:1880/")?;
        assert_eq!(url_at(&pod, true, "/x"), "wss://rt.ns.svc:1880/x");
        Ok(())
    }
}
