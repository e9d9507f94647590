//! What every supervisor shares: the installation, where userDirs live, the token key, the admin
//! HTTP client, the spec loader, the watchdog script and the sandbox.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::client::AdminClient;
use super::install::NodeRedInstall;
use super::sandbox::Sandbox;
use super::tokens::{self, Access, TokenKey};
use super::{LaunchSpec, SpecLoader, settings_js};
use crate::db::ids::InstanceId;

/// State shared by all supervisors.
pub(crate) struct Shared {
    pub(crate) install: NodeRedInstall,
    pub(crate) instances_dir: PathBuf,
    pub(crate) tokens: TokenKey,
    pub(crate) http: reqwest::Client,
    pub(crate) loader: SpecLoader,
    pub(crate) watchdog_js: PathBuf,
    pub(crate) sandbox: Sandbox,
    /// Whether Node.js and npm are usable (checked once, in the background: `npm --version`
    /// alone takes ~170 ms and must not delay the server's start).
    pub(crate) node_check: tokio::sync::OnceCell<Result<String, String>>,
    /// How a launch picks its port (tests force collisions through it).
    pub(crate) ports: Mutex<PortChooser>,
}

/// Picks the port a runtime is launched on: one that is free now.
pub type PortChooser = Arc<dyn Fn() -> std::io::Result<u16> + Send + Sync>;

impl Shared {
    pub(crate) fn user_dir(&self, id: &InstanceId) -> PathBuf {
        self.instances_dir.join(id.as_str())
    }

    pub(crate) fn choose_port(&self) -> std::io::Result<u16> {
        let chooser = self.ports.lock().unwrap_or_else(|p| p.into_inner()).clone();
        chooser()
    }

    pub(crate) fn client(&self, id: &InstanceId, port: u16) -> AdminClient {
        let token = self.tokens.token(id, Access::Full);
        AdminClient::new(
            self.http.clone(),
            port,
            token,
            self.tokens.token(id, Access::Proxy),
        )
    }

    pub(crate) fn render_settings(&self, id: &InstanceId, spec: &LaunchSpec, port: u16) -> String {
        let mut settings = spec.settings.clone();
        settings.port = port;
        settings.admin_token_sha256 = tokens::token_hash(&self.tokens.token(id, Access::Full));
        settings.viewer_token_sha256 =
            Some(tokens::token_hash(&self.tokens.token(id, Access::Read)));
        settings.proxy_secret_sha256 = tokens::token_hash(&self.tokens.token(id, Access::Proxy));
        settings_js::render(&settings)
    }
}
