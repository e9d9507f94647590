//! The local driver: [`Runtimes`] (one supervised Node-RED process per instance, sandboxed with
//! bubblewrap, its content in a userDir) behind the [`RuntimeDriver`] seam.

use std::collections::{BTreeMap, HashSet};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::sync::watch;
use url::Url;

use super::client::AdminClient;
use super::driver::{DriverResult, RuntimeDriver};
use super::state::RuntimeStatus;
use super::tokens::Access;
use super::{Runtimes, content, modules, userdir};
use crate::db::ids::InstanceId;
use crate::domain::nodes::Nodes;

impl RuntimeDriver for Runtimes {
    fn start(&self, id: &InstanceId) {
        Runtimes::start(self, id);
    }

    fn restart(&self, id: &InstanceId) {
        Runtimes::restart(self, id);
    }

    fn stop<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()> {
        Runtimes::stop(self, id).boxed()
    }

    fn remove<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()> {
        Runtimes::remove(self, id).boxed()
    }

    fn shutdown(&self) -> BoxFuture<'_, ()> {
        Runtimes::shutdown(self).boxed()
    }

    fn kill_now(&self) {
        Runtimes::kill_now(self);
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        Runtimes::spawn(self, task);
    }

    fn status(&self, id: &InstanceId) -> RuntimeStatus {
        Runtimes::status(self, id)
    }

    fn watch(&self, id: &InstanceId) -> watch::Receiver<RuntimeStatus> {
        self.runtime(id).subscribe()
    }

    fn wait_running<'a>(
        &'a self,
        id: &'a InstanceId,
        except_pid: Option<u32>,
    ) -> BoxFuture<'a, (Url, u32)> {
        let runtime = self.runtime(id);
        async move { runtime.wait_running(except_pid).await }.boxed()
    }

    fn launch_env(&self, id: &InstanceId) -> Vec<(String, String)> {
        Runtimes::launch_env(self, id)
    }

    fn logs(&self, id: &InstanceId, after: u64) -> Vec<(u64, String)> {
        self.runtime(id).logs.since(after)
    }

    fn address(&self, id: &InstanceId) -> Option<Url> {
        Runtimes::status(self, id).state.address().cloned()
    }

    fn client(&self, id: &InstanceId) -> Option<AdminClient> {
        Runtimes::client(self, id)
    }

    fn proxy_secret(&self, id: &InstanceId) -> String {
        Runtimes::proxy_secret(self, id)
    }

    fn token(&self, id: &InstanceId, access: Access) -> String {
        Runtimes::token(self, id, access)
    }

    fn read_flows<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, DriverResult<Vec<Value>>> {
        async move { content::flows(&self.user_dir(id)).await }.boxed()
    }

    fn read_nodes<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, DriverResult<Nodes>> {
        async move { content::nodes(&self.user_dir(id)).await }.boxed()
    }

    fn read_credentials<'a>(
        &'a self,
        id: &'a InstanceId,
    ) -> BoxFuture<'a, DriverResult<Option<Value>>> {
        async move { content::credentials_file(&self.user_dir(id)).await }.boxed()
    }

    fn read_modules<'a>(
        &'a self,
        id: &'a InstanceId,
    ) -> BoxFuture<'a, DriverResult<BTreeMap<String, String>>> {
        async move { content::modules(&self.user_dir(id)).await }.boxed()
    }

    fn write_content<'a>(
        &'a self,
        id: &'a InstanceId,
        flows: &'a [Value],
        encrypted_credentials: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>> {
        let dir = self.user_dir(id);
        async move { content::write_content(&dir, flows, encrypted_credentials).await }.boxed()
    }

    fn flows_changed_at(&self, id: &InstanceId) -> Option<i64> {
        content::flows_changed_at(&self.user_dir(id))
    }

    fn install_module<'a>(
        &'a self,
        id: &'a InstanceId,
        module: &'a str,
        version: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>> {
        let dir = self.user_dir(id);
        async move {
            let sandbox = self.sandbox().await;
            modules::install(sandbox, self.npm(), &dir, module, version).await
        }
        .boxed()
    }

    fn uninstall_module<'a>(
        &'a self,
        id: &'a InstanceId,
        module: &'a str,
    ) -> BoxFuture<'a, DriverResult<()>> {
        let dir = self.user_dir(id);
        async move { modules::uninstall(self.sandbox().await, self.npm(), &dir, module).await }
            .boxed()
    }

    fn copy_content<'a>(
        &'a self,
        (from, from_secret): (&'a InstanceId, &'a str),
        (to, to_secret): (&'a InstanceId, &'a str),
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        let (from, to) = (self.user_dir(from), self.user_dir(to));
        let secrets = (from_secret.to_owned(), to_secret.to_owned());
        async move {
            tokio::task::spawn_blocking(move || {
                userdir::copy_user_dir(&from, &to, &secrets.0, &secrets.1)
            })
            .await?
        }
        .boxed()
    }

    fn delete_content<'a>(&'a self, id: &'a InstanceId) -> BoxFuture<'a, ()> {
        let dir = self.user_dir(id);
        let hosts = self.instances_dir().join(format!("{id}.hosts"));
        async move {
            if let Err(error) = tokio::fs::remove_dir_all(&dir).await
                && error.kind() != std::io::ErrorKind::NotFound
            {
                // The instance is gone; its files are swept at the next start.
                tracing::warn!(dir = %dir.display(), %error, "could not delete a deleted instance's files");
            }
            let _ = tokio::fs::remove_file(hosts).await;
        }
        .boxed()
    }

    fn sweep_content(&self, known: HashSet<String>) -> BoxFuture<'_, Vec<String>> {
        let root = self.instances_dir().to_path_buf();
        async move {
            let swept = tokio::task::spawn_blocking(move || userdir::sweep(&root, &known)).await;
            let swept = swept.unwrap_or_default().into_iter();
            swept.map(|p| p.display().to_string()).collect()
        }
        .boxed()
    }

    fn isolation(&self) -> BoxFuture<'_, Result<(), String>> {
        async move {
            let sandbox = Runtimes::sandbox(self).await;
            if sandbox.active() {
                return Ok(());
            }
            Err(sandbox
                .problem
                .clone()
                .unwrap_or_else(|| "it does not work here".into()))
        }
        .boxed()
    }

    fn node_error(&self) -> Option<&str> {
        Runtimes::node_error(self)
    }

    fn check_node(&self) -> BoxFuture<'_, &Result<String, String>> {
        Runtimes::check_node(self).boxed()
    }
}
