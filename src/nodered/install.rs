//! The pinned Node-RED, installed with npm into a shared directory the first time a runtime needs
//! it. Installation goes to a temporary directory renamed into place, so a half-finished install
//! is never used and concurrent installers (tests, two servers) cannot corrupt each other.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::process::Command;

use super::npm::{NpmConfig, passed_through};

/// The Node-RED version every runtime uses (5.x needs Node >= 22; this machine kind has Node 20).
pub const NODE_RED_VERSION: &str = "4.1.15";
/// Oldest Node.js major version Node-RED 4 supports.
const MIN_NODE_MAJOR: u32 = 18;

/// Where Node-RED lives and how to get it there.
#[derive(Debug, Clone)]
pub struct NodeRedInstall {
    root: PathBuf,
    npm: NpmConfig,
}

impl NodeRedInstall {
    /// Node-RED [`NODE_RED_VERSION`] under `base` (e.g. `<data>/node-red`), installed with `npm`.
    pub fn new(base: &Path, npm: NpmConfig) -> Self {
        Self {
            root: base.join(format!("node-red-{NODE_RED_VERSION}")),
            npm,
        }
    }

    /// The installation's directory (sandboxed runtimes see it read-only).
    pub fn root(&self) -> PathBuf {
        self.root.clone()
    }

    /// How npm is configured for this server (the runtimes' palette managers get it too).
    pub fn npm(&self) -> &NpmConfig {
        &self.npm
    }

    /// Node-RED's entry point.
    pub fn red_js(&self) -> PathBuf {
        self.root.join("node_modules/node-red/red.js")
    }

    /// Whether a complete installation is in place.
    pub fn is_installed(&self) -> bool {
        self.red_js().is_file()
    }

    /// Install if needed; one install at a time per directory in this process. The error is
    /// npm's own message, for the instance page.
    pub async fn ensure(&self) -> Result<(), String> {
        let lock = install_lock(&self.root);
        let _guard = lock.lock().await;
        if self.is_installed() {
            return Ok(());
        }
        let parent = self.root.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let staging = parent.join(format!(
            ".installing-{}-{}",
            NODE_RED_VERSION,
            std::process::id()
        ));
        let _ = tokio::fs::remove_dir_all(&staging).await;
        tracing::info!(dir = %self.root.display(), "installing Node-RED {NODE_RED_VERSION} with npm");
        let output = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-update-notifier",
                "--omit=dev",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&staging)
            .arg(format!("node-red@{NODE_RED_VERSION}"))
            // Not the server's whole environment (it may hold secrets; Node-RED's dependencies
            // run install scripts): what npm needs, and the server user's home for npm's cache.
            .env_clear()
            .envs(passed_through())
            .envs(std::env::var_os("HOME").map(|home| ("HOME", home)))
            .envs(self.npm.env())
            .output()
            .await
            .map_err(|e| format!("npm could not be started ({e}); install Node.js and npm"))?;
        if !output.status.success() {
            let _ = tokio::fs::remove_dir_all(&staging).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "npm install node-red@{NODE_RED_VERSION} failed: {}",
                last_lines(&stderr, 6)
            ));
        }
        if tokio::fs::rename(&staging, &self.root).await.is_err() {
            // Someone else finished first; theirs is as good as ours.
            let _ = tokio::fs::remove_dir_all(&staging).await;
        }
        if self.is_installed() {
            Ok(())
        } else {
            Err(format!(
                "npm finished but {} is missing",
                self.red_js().display()
            ))
        }
    }
}

fn install_lock(root: &Path) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    locks.entry(root.to_path_buf()).or_default().clone()
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" / ")
}

/// Check that Node.js and npm are usable; `Ok(node version)` or a message saying what to install.
pub async fn check_node() -> Result<String, String> {
    let missing = "Node.js and npm are needed to run Node-RED instances: install Node.js 18 or newer \
                   (e.g. `apt-get install nodejs npm`) and restart redstage.";
    let node = Command::new("node")
        .arg("--version")
        .output()
        .await
        .map_err(|_| missing.to_owned())?;
    let version = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < MIN_NODE_MAJOR {
        return Err(format!(
            "Node.js {version} is too old for Node-RED {NODE_RED_VERSION}: install Node.js 18 or newer."
        ));
    }
    let npm = Command::new("npm").arg("--version").output().await;
    if !npm.is_ok_and(|o| o.status.success()) {
        return Err(missing.to_owned());
    }
    Ok(version)
}
