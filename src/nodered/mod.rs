//! Everything that talks to Node-RED: the runtime driver seam ([`RuntimeDriver`]) and its local
//! driver ([`Runtimes`]): installing Node-RED, running and supervising one process per instance,
//! its admin HTTP API, its credential file format and its generated settings.js.

mod cancel;
pub mod client;
pub mod comms;
pub mod content;
pub mod credentials;
pub mod driver;
pub mod hold;
pub mod install;
mod launch;
mod launch_spec;
mod local;
pub mod logbuf;
mod machine;
pub mod modules;
pub mod npm;
pub mod runtime;
pub mod sandbox;
pub mod settings_js;
mod shared;
pub mod state;
pub mod supervisor;
pub mod tokens;
pub mod userdir;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use self::client::AdminClient;
pub use self::driver::RuntimeDriver;
use self::install::NodeRedInstall;
pub use self::launch_spec::{LaunchSpec, SpecLoader};
use self::runtime::{Command, Runtime};
use self::sandbox::{Sandbox, SandboxMode};
pub use self::shared::PortChooser;
use self::shared::Shared;
use self::state::RuntimeStatus;
use self::supervisor::supervise;
use self::tokens::{Access, TokenKey};
use crate::db::ids::InstanceId;

/// Node-RED's `httpAdminRoot`: the editor and its admin API live under this path of a runtime (and
/// of its instance origin); flows' endpoints cannot claim it (settings.js refuses them there).
pub const EDITOR_PREFIX: &str = "/editor";

/// The header redstage adds to every request it sends a runtime (the proxy, the admin client): its
/// per-runtime secret. The runtime answers nothing without it (settings.js), so a flow cannot
/// reach another instance's admin API or "team members only" endpoints on its loopback port.
pub const PROXY_HEADER: &str = "x-redstage-proxy";

/// Where runtimes live and how they are reached.
pub struct RuntimesConfig {
    /// Directory holding the Node-RED installation (shared between servers and tests).
    pub node_red_dir: PathBuf,
    /// Directory holding one userDir per instance.
    pub instances_dir: PathBuf,
    /// Server key the admin tokens derive from.
    pub tokens: TokenKey,
    /// Loads what a runtime starts with.
    pub loader: SpecLoader,
    /// Whether runtimes and npm must, may or must not run sandboxed (probed when first needed).
    pub sandbox: SandboxMode,
    /// How npm is run (its registry), for redstage's npm and the runtimes' palette managers.
    pub npm: npm::NpmConfig,
    /// Where every runtime's state changes are announced.
    pub events: crate::events::Events,
}

/// All runtimes of this server.
pub struct Runtimes {
    shared: Arc<Shared>,
    handles: Mutex<HashMap<InstanceId, Arc<Runtime>>>,
    /// Supervisors run on the runtime that built this (the server's main one), not on whichever
    /// HTTP worker happened to start an instance.
    tasks: tokio::runtime::Handle,
    events: crate::events::Events,
}

impl Runtimes {
    /// Set up (nothing starts until asked).
    pub fn new(config: RuntimesConfig) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.instances_dir)?;
        let watchdog_js = config.instances_dir.join("redstage-watchdog.js");
        std::fs::write(&watchdog_js, shared::WATCHDOG_JS)?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(120))
            // Node closes idle keep-alive connections after 5 s; ours must be dropped first, or a
            // request can go out on a socket the runtime is closing (see AdminClient::send).
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()?;
        let shared = Shared {
            install: NodeRedInstall::new(&config.node_red_dir, config.npm),
            instances_dir: config.instances_dir,
            tokens: config.tokens,
            http,
            loader: config.loader,
            watchdog_js,
            sandbox_mode: config.sandbox,
            sandbox: tokio::sync::OnceCell::new(),
            node_check: tokio::sync::OnceCell::new(),
            ports: std::sync::Mutex::new(Arc::new(launch::free_port)),
        };
        Ok(Self {
            shared: Arc::new(shared),
            handles: Mutex::default(),
            tasks: tokio::runtime::Handle::current(),
            events: config.events,
        })
    }

    /// The runtime handle of an instance, creating its supervisor on first use.
    pub fn runtime(&self, id: &InstanceId) -> Arc<Runtime> {
        let mut handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        handles
            .entry(id.clone())
            .or_insert_with(|| {
                let (runtime, rx) = Runtime::new(id.clone());
                self.tasks
                    .spawn(supervise(runtime.clone(), self.shared.clone(), rx));
                self.tasks.spawn(runtime.announce(self.events.clone()));
                runtime
            })
            .clone()
    }

    /// Launch runtimes on the ports `chooser` picks from now on (instead of any free one): tests
    /// use it to hand a runtime a port another process holds.
    pub fn choose_ports_with(&self, chooser: PortChooser) {
        *self.shared.ports.lock().unwrap_or_else(|p| p.into_inner()) = chooser;
    }

    /// Run `task` on the server's main runtime (HTTP workers have their own single-threaded
    /// runtimes that must not own long-running work).
    pub fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(task);
    }

    /// Bring the instance up (and keep it up).
    pub fn start(&self, id: &InstanceId) {
        let _ = self.runtime(id).commands.send(Command::Start);
    }

    /// Restart now (also retries after an error).
    pub fn restart(&self, id: &InstanceId) {
        let _ = self.runtime(id).commands.send(Command::Restart);
    }

    /// Bring the instance down; returns once it is down.
    pub async fn stop(&self, id: &InstanceId) {
        let (ack, done) = oneshot::channel();
        if self.runtime(id).commands.send(Command::Stop(ack)).is_ok() {
            let _ = done.await;
        }
    }

    /// Stop the instance and forget its supervisor (the instance is being deleted).
    pub async fn remove(&self, id: &InstanceId) {
        let runtime = self
            .handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        if let Some(runtime) = runtime {
            let (ack, done) = oneshot::channel();
            if runtime.commands.send(Command::Shutdown(ack)).is_ok() {
                let _ = done.await;
            }
        }
    }

    /// The live status (stopped when nothing was ever started).
    pub fn status(&self, id: &InstanceId) -> RuntimeStatus {
        let handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        handles.get(id).map(|r| r.status()).unwrap_or_default()
    }

    /// The environment the instance's current (or last) process was started with (empty when
    /// none ever was).
    pub fn launch_env(&self, id: &InstanceId) -> Vec<(String, String)> {
        let handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        handles.get(id).map(|r| r.launch_env()).unwrap_or_default()
    }

    /// An admin-API client for a running instance.
    pub fn client(&self, id: &InstanceId) -> Option<AdminClient> {
        let port = self.status(id).state.address()?.port()?;
        Some(self.shared.client(id, port))
    }

    /// The value of [`PROXY_HEADER`] for the instance's runtime.
    pub fn proxy_secret(&self, id: &InstanceId) -> String {
        self.shared.tokens.token(id, Access::Proxy)
    }

    /// The token a member's or viewer's editor session uses through the proxy.
    pub fn token(&self, id: &InstanceId, access: Access) -> String {
        self.shared.tokens.token(id, access)
    }

    /// The HTTP client used for runtimes (the editor proxy shares it: one connection pool).
    pub fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// The instance's Node-RED userDir.
    pub fn user_dir(&self, id: &InstanceId) -> PathBuf {
        self.shared.user_dir(id)
    }

    /// When the instance's runtime (or a restore) last wrote its flows file, in unix ms: the
    /// last deploy of any kind. None before it has flows.
    pub fn flows_changed_at(&self, id: &InstanceId) -> Option<i64> {
        let modified = std::fs::metadata(self.user_dir(id).join("flows.json"))
            .and_then(|m| m.modified())
            .ok()?;
        let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
        i64::try_from(since.as_millis()).ok()
    }

    /// The sandbox runtimes and npm run in (probed the first time it is asked for).
    pub async fn sandbox(&self) -> &Sandbox {
        self.shared.sandbox().await
    }

    /// How npm is configured (its registry).
    pub fn npm(&self) -> &npm::NpmConfig {
        self.shared.install.npm()
    }

    /// The Node-RED installation.
    pub fn install(&self) -> &NodeRedInstall {
        &self.shared.install
    }

    /// Why runtimes cannot run at all (Node.js/npm missing), if that is the case.
    /// (`None` also while the check has not finished: see [`Runtimes::check_node`].)
    pub fn node_error(&self) -> Option<&str> {
        self.shared
            .node_check
            .get()
            .and_then(|r| r.as_ref().err())
            .map(String::as_str)
    }

    /// Check Node.js and npm once; the version or a message saying what to install.
    pub async fn check_node(&self) -> &Result<String, String> {
        self.shared
            .node_check
            .get_or_init(install::check_node)
            .await
    }

    /// Stop every runtime gracefully (server shutdown).
    pub async fn shutdown(&self) {
        let all: Vec<Arc<Runtime>> = self
            .handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, r)| r)
            .collect();
        let waits = all.into_iter().filter_map(|runtime| {
            let (ack, done) = oneshot::channel();
            runtime
                .commands
                .send(Command::Shutdown(ack))
                .ok()
                .map(|_| done)
        });
        futures_util::future::join_all(waits).await;
    }

    /// Kill every runtime process immediately, without waiting (last resort, e.g. tests ending).
    pub fn kill_now(&self) {
        let handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        for pid in handles.values().filter_map(|r| r.pid()) {
            if let Ok(pid) = i32::try_from(pid) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }

    /// Path of the directory holding every userDir.
    pub fn instances_dir(&self) -> &Path {
        &self.shared.instances_dir
    }
}
