//! How an instance's records become what its runtime starts with (settings.js input and
//! environment), loaded fresh on every start so that saved settings apply after a restart.

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Map;

use crate::db::Db;
use crate::db::ids::InstanceId;
use crate::db::models::env_vars::{self, EnvVar};
use crate::db::models::instance_settings::{self, InstanceSettings};
use crate::db::models::instances::{self, Instance};
use crate::domain::endpoints::EndpointAccess;
use crate::domain::mounts;
use crate::domain::origins::Origins;
use crate::nodered::settings_js::{
    CodeEditor, EditorSettings, HttpNodeAuth, LogLevel, NodeRedSettings, PaletteSettings,
    SecuritySettings,
};
use crate::nodered::{LaunchSpec, SpecLoader};

pub use crate::nodered::content::FLOW_FILE;

/// How a runtime reaches redstage by name: with instances on `*.localhost` (which glibc does not
/// resolve), its sandbox's hosts file points its own origin's name at redstage's listener, so
/// flows can call their own endpoints the way any client does.
#[derive(Debug, Clone)]
pub struct ServerNames {
    /// The origins.
    pub origins: Origins,
    /// Where redstage listens (loopback when it listens on every address).
    pub address: IpAddr,
}

impl ServerNames {
    fn for_instance(&self, instance: &Instance) -> Vec<(String, String)> {
        if !self.origins.instances_on_localhost() {
            return Vec::new();
        }
        let address = self.address.to_string();
        vec![(address, self.origins.instance_host(&instance.label))]
    }
}

/// A loader reading instance records from `db`.
pub fn loader(db: Db, names: ServerNames) -> SpecLoader {
    Arc::new(move |id: InstanceId| {
        let (db, names) = (db.clone(), names.clone());
        Box::pin(async move {
            let loaded = db
                .run(move |conn| {
                    let instance = instances::find(conn, &id)?;
                    let settings = instance_settings::get(conn, &id)?;
                    let env = env_vars::list(conn, &id)?;
                    Ok((instance, settings, env))
                })
                .await;
            loaded
                .map(|(instance, settings, env)| {
                    let mut spec = launch_spec(&instance, &settings, &env);
                    spec.hosts = names.for_instance(&instance);
                    spec
                })
                .map_err(|e| format!("cannot load the instance's settings: {e}"))
        })
    })
}

/// Map records to the runtime's settings. Token hashes and port are the supervisor's to fill in.
pub fn launch_spec(instance: &Instance, settings: &InstanceSettings, env: &[EnvVar]) -> LaunchSpec {
    let title = if settings.editor_title.trim().is_empty() {
        instance.name.clone()
    } else {
        settings.editor_title.clone()
    };
    // Basic auth applies only while it is the chosen endpoint access (the user and hash are kept
    // when another is chosen, so that choosing it again needs no new password).
    let basic = settings.endpoint_access() == EndpointAccess::Basic;
    let http_node_auth = match (&settings.http_auth_user, &settings.http_auth_pass_hash) {
        (Some(user), Some(hash)) if basic => Some(HttpNodeAuth {
            user: user.clone(),
            pass_bcrypt: hash.clone(),
        }),
        _ => None,
    };
    let node_red = NodeRedSettings {
        port: 0,
        flow_file: FLOW_FILE.into(),
        credential_secret: instance.credential_secret.clone(),
        admin_token_sha256: String::new(),
        viewer_token_sha256: None,
        proxy_secret_sha256: String::new(),
        log_level: LogLevel::Info,
        editor: EditorSettings {
            disabled: !settings.editor_enabled,
            code_editor: if settings.code_editor == "ace" {
                CodeEditor::Ace
            } else {
                CodeEditor::Monaco
            },
            title: Some(title),
        },
        palette: PaletteSettings {
            allow_install: settings.palette_allow_install,
            deny_list: settings
                .palette_deny_list
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            function_external_modules: true,
        },
        security: SecuritySettings { http_node_auth },
        function_global_context: Map::new(),
    };
    LaunchSpec {
        node_red_version: instance.node_red_version.clone(),
        settings: node_red,
        env: process_env(env),
        hosts: Vec::new(),
        // Checked when an administrator saved them; a line that no longer reads is left out.
        mounts: mounts::parse(&settings.sandbox_mounts)
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.path, m.writable))
            .collect(),
    }
}

/// The process environment an instance's variables give its runtime. Keys without a value are
/// not set at all: env.get() answers undefined, as for a missing key.
pub fn process_env(vars: &[EnvVar]) -> Vec<(String, String)> {
    vars.iter()
        // Names the runtime's own start depends on never reach it, whatever an old row holds.
        .filter(|v| crate::domain::env::reserved(&v.key).is_none())
        .filter_map(|v| v.value.clone().map(|value| (v.key.clone(), value)))
        .collect()
}
