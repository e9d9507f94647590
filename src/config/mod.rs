//! Configuration: built-in defaults < optional TOML file < `REDSTAGE_*` environment < command-line flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

mod cli;

use crate::auth::store::SessionLimits;
use crate::nodered::sandbox::SandboxMode;

pub use cli::Cli;

/// The optional configuration file; every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    admin_user: Option<String>,
    admin_password: Option<String>,
    secure_cookies: Option<bool>,
    node_red_dir: Option<PathBuf>,
    public_url: Option<String>,
    instance_domain: Option<String>,
    instance_url: Option<String>,
    trusted_proxies: Option<String>,
    proxy_body_limit_mb: Option<u64>,
    proxy_timeout_secs: Option<u64>,
    proxy_hold_secs: Option<u64>,
    proxy_hold_queue: Option<usize>,
    sandbox: Option<String>,
    session_idle_hours: Option<u64>,
    session_max_days: Option<u64>,
    npm_registry: Option<String>,
}

/// Effective settings, passed into `Application::build`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Socket address to bind, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// Directory holding `redstage.sqlite`, `session.key` and the runtimes.
    pub data_dir: PathBuf,
    /// Administrator to create when the database has no users (both or neither).
    pub admin: Option<AdminAccount>,
    /// Whether the session cookie carries the `Secure` attribute.
    pub secure_cookies: bool,
    /// Where Node-RED is installed; `None` = `<data_dir>/node-red`.
    pub node_red_dir: Option<PathBuf>,
    /// The platform's URL as browsers reach it; `None` = the listening address.
    pub public_url: Option<String>,
    /// Instances are served on `{label}.{instance_domain}`.
    pub instance_domain: String,
    /// Instance URL template with `{label}`; `None` = the platform's scheme and port.
    pub instance_url: Option<String>,
    /// Peers whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Limits of the instance-origin proxy.
    pub proxy: ProxyLimits,
    /// Whether runtimes and npm run sandboxed.
    pub sandbox: SandboxMode,
    /// How long platform sessions live.
    pub sessions: SessionLimits,
    /// The npm registry every npm run uses (validated, ending in `/`); `None` = npm's default.
    pub npm_registry: Option<String>,
}

/// Limits of the instance-origin proxy.
#[derive(Debug, Clone, Copy)]
pub struct ProxyLimits {
    /// Largest request body streamed to a runtime, in bytes.
    pub max_body: u64,
    /// How long a runtime may take to start answering.
    pub timeout: std::time::Duration,
    /// How flow requests are held while redstage deploys to or restarts their runtime.
    pub hold: crate::nodered::hold::HoldLimits,
}

impl Default for ProxyLimits {
    fn default() -> Self {
        Self {
            max_body: 100 * 1024 * 1024,
            timeout: std::time::Duration::from_secs(120),
            hold: Default::default(),
        }
    }
}

/// Credentials for the first administrator, from configuration.
#[derive(Clone)]
pub struct AdminAccount {
    /// User name of the administrator.
    pub username: String,
    /// Plain password; hashed before it is stored.
    pub password: String,
}

impl std::fmt::Debug for AdminAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminAccount")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Settings {
    /// Defaults for a data directory, as used by tests and by `load`.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: data_dir.into(),
            admin: None,
            secure_cookies: false,
            node_red_dir: None,
            public_url: None,
            instance_domain: "localhost".into(),
            instance_url: None,
            trusted_proxies: Vec::new(),
            proxy: ProxyLimits::default(),
            sandbox: SandboxMode::Auto,
            sessions: SessionLimits::default(),
            npm_registry: None,
        }
    }

    /// Merge defaults, the optional file and the command line (which already folded in the environment).
    pub fn load(cli: Cli) -> anyhow::Result<Self> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        // Paths in the file are relative to the file's own directory, not to where redstage runs.
        let file_dir = cli
            .config
            .as_deref()
            .map(absolute)
            .transpose()?
            .and_then(|path| path.parent().map(Path::to_path_buf));
        let from_file = |path: PathBuf| match &file_dir {
            Some(dir) => dir.join(path),
            None => path,
        };
        let mut settings = Self::with_data_dir("./data");
        if let Some(bind) = cli.bind.or(file.bind) {
            settings.bind = bind;
        }
        if let Some(dir) = cli.data_dir.or(file.data_dir.map(from_file)) {
            settings.data_dir = dir;
        }
        settings.secure_cookies = cli.secure_cookies.or(file.secure_cookies).unwrap_or(false);
        settings.node_red_dir = cli.node_red_dir.or(file.node_red_dir.map(from_file));
        settings.public_url = cli.public_url.or(file.public_url);
        if let Some(domain) = cli.instance_domain.or(file.instance_domain) {
            settings.instance_domain = domain.trim().trim_matches('.').to_ascii_lowercase();
        }
        settings.instance_url = cli.instance_url.or(file.instance_url);
        if let Some(list) = cli.trusted_proxies.or(file.trusted_proxies) {
            settings.trusted_proxies = parse_proxies(&list)?;
        }
        if let Some(mb) = cli.proxy_body_limit_mb.or(file.proxy_body_limit_mb) {
            settings.proxy.max_body = mb.saturating_mul(1024 * 1024);
        }
        if let Some(secs) = cli.proxy_timeout_secs.or(file.proxy_timeout_secs) {
            settings.proxy.timeout = std::time::Duration::from_secs(secs.max(1));
        }
        if let Some(secs) = cli.proxy_hold_secs.or(file.proxy_hold_secs) {
            settings.proxy.hold.max_wait = std::time::Duration::from_secs(secs);
        }
        if let Some(queue) = cli.proxy_hold_queue.or(file.proxy_hold_queue) {
            settings.proxy.hold.queue = queue;
        }
        if let Some(mode) = cli.sandbox.or(file.sandbox) {
            settings.sandbox = SandboxMode::parse(&mode).with_context(|| {
                format!("REDSTAGE_SANDBOX is {mode:?}: use auto, required or off")
            })?;
        }
        if let Some(hours) = cli.session_idle_hours.or(file.session_idle_hours) {
            settings.sessions.idle = std::time::Duration::from_secs(hours.max(1) * 3600);
        }
        if let Some(days) = cli.session_max_days.or(file.session_max_days) {
            settings.sessions.absolute = std::time::Duration::from_secs(days.max(1) * 86_400);
        }
        settings.npm_registry = cli
            .npm_registry
            .or(file.npm_registry)
            .filter(|raw| !raw.trim().is_empty())
            .map(|raw| crate::domain::npm::registry_url(&raw))
            .transpose()
            .map_err(|why| anyhow::anyhow!("REDSTAGE_NPM_REGISTRY: {why}"))?;
        let user = cli.admin_user.or(file.admin_user);
        let password = cli.admin_password.or(file.admin_password);
        settings.admin = match (user, password) {
            (Some(username), Some(password)) => Some(AdminAccount { username, password }),
            (None, None) => None,
            _ => anyhow::bail!(
                "set both REDSTAGE_ADMIN_USER and REDSTAGE_ADMIN_PASSWORD, or neither"
            ),
        };
        settings.data_dir = absolute(&settings.data_dir)?;
        settings.node_red_dir = settings.node_red_dir.as_deref().map(absolute).transpose()?;
        Ok(settings)
    }

    /// Create the data directory if it is missing, then make every path canonical (absolute, no
    /// `..`, no symlinks), once at startup: runtimes and npm run with other working directories,
    /// so nothing handed to a child process may be relative.
    pub fn resolve_paths(&mut self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        self.data_dir = self.data_dir.canonicalize().with_context(|| {
            format!(
                "cannot resolve the data directory {}",
                self.data_dir.display()
            )
        })?;
        if let Some(dir) = &self.node_red_dir {
            // It may not exist yet (installed on first need): canonical where it does.
            self.node_red_dir = Some(dir.canonicalize().or_else(|_| absolute(dir))?);
        }
        Ok(())
    }

    /// Path of the SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("redstage.sqlite")
    }

    /// Directory of the shared Node-RED installation.
    pub fn node_red_dir(&self) -> PathBuf {
        self.node_red_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("node-red"))
    }

    /// Directory holding one Node-RED userDir per instance.
    pub fn instances_dir(&self) -> PathBuf {
        self.data_dir.join("instances")
    }

    /// Path of the key the runtimes' admin tokens derive from.
    pub fn runtime_key_path(&self) -> PathBuf {
        self.data_dir.join("runtime.key")
    }

    /// Path of the persisted session-cookie key.
    pub fn session_key_path(&self) -> PathBuf {
        self.data_dir.join("session.key")
    }
}

/// `10.0.0.1, 192.168.0.0/16, ::1`: addresses (as /32 or /128) and networks.
fn parse_proxies(list: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| format!("REDSTAGE_TRUSTED_PROXIES: {item:?} is not an IP or CIDR"))
        })
        .collect()
}

/// `path` made absolute against the working directory (lexically: it need not exist).
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve the path {}", path.display()))
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid configuration file {}", path.display()))
}

#[cfg(test)]
mod tests;
