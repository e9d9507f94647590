//! How every npm that redstage starts is configured: the Node-RED installer, the module installs
//! for locked palettes, and the runtimes' own palette manager (Node-RED runs npm with the
//! runtime's environment). All of them use the one registry of `REDSTAGE_NPM_REGISTRY` (npm's
//! default when unset) and nothing else: no audit, funding or update-notifier requests.

use std::ffi::OsString;

/// The variables of the server's own environment an npm run gets: its path and how to reach a
/// registry (proxies, CA certificates, the server's `npm_config_*`). Nothing else: the server's
/// environment may hold secrets (`REDSTAGE_ADMIN_PASSWORD`, say) that npm and the install
/// scripts of the packages it installs must not see.
pub(crate) fn passed_through() -> Vec<(OsString, OsString)> {
    std::env::vars_os()
        .filter(|(key, _)| npm_may_see(&key.to_string_lossy()))
        .collect()
}

fn npm_may_see(key: &str) -> bool {
    let key_upper = key.to_ascii_uppercase();
    key == "PATH"
        || key.starts_with("npm_config_")
        || matches!(
            key_upper.as_str(),
            "HTTP_PROXY" | "HTTPS_PROXY" | "NO_PROXY" | "NODE_EXTRA_CA_CERTS" | "SSL_CERT_FILE"
        )
}

/// The npm configuration redstage hands to every npm, as `npm_config_*` variables (they win over
/// any `.npmrc` a userDir may hold, and reach the npm that Node-RED itself runs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NpmConfig {
    registry: Option<String>,
}

impl NpmConfig {
    /// npm with `registry` (an already validated URL, see [`crate::domain::npm::registry_url`]),
    /// or npm's default registry.
    pub fn new(registry: Option<String>) -> Self {
        Self { registry }
    }

    /// The configured registry, if any.
    pub fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    /// The variables every npm run (and every runtime) gets.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("npm_config_audit", "false".to_owned()),
            ("npm_config_fund", "false".to_owned()),
            ("npm_config_update_notifier", "false".to_owned()),
        ];
        if let Some(registry) = &self.registry {
            env.push(("npm_config_registry", registry.clone()));
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::{NpmConfig, npm_may_see};

    #[test]
    fn npm_sees_its_path_and_network_settings_only() {
        for key in ["PATH", "npm_config_cache", "HTTPS_PROXY", "no_proxy"] {
            assert!(npm_may_see(key), "{key}");
        }
        for key in [
            "REDSTAGE_ADMIN_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "NODE_OPTIONS",
            "HOME",
        ] {
            assert!(!npm_may_see(key), "{key}");
        }
    }

    #[test]
    fn the_registry_is_set_only_when_configured() {
        let default = NpmConfig::default().env();
        assert!(default.iter().all(|(key, _)| *key != "npm_config_registry"));
        assert!(default.contains(&("npm_config_update_notifier", "false".to_owned())));
        let mirror = NpmConfig::new(Some("http://127.0.0.1:4873/".into())).env();
        assert!(mirror.contains(&("npm_config_registry", "http://127.0.0.1:4873/".to_owned())));
    }
}
