//! How every npm that redstage starts is configured: the Node-RED installer, the module installs
//! for locked palettes, and the runtimes' own palette manager (Node-RED runs npm with the
//! runtime's environment). All of them use the one registry of `REDSTAGE_NPM_REGISTRY` (npm's
//! default when unset) and nothing else: no audit, funding or update-notifier requests.

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
    use super::NpmConfig;

    #[test]
    fn the_registry_is_set_only_when_configured() {
        let default = NpmConfig::default().env();
        assert!(default.iter().all(|(key, _)| *key != "npm_config_registry"));
        assert!(default.contains(&("npm_config_update_notifier", "false".to_owned())));
        let mirror = NpmConfig::new(Some("http://127.0.0.1:4873/".into())).env();
        assert!(mirror.contains(&("npm_config_registry", "http://127.0.0.1:4873/".to_owned())));
    }
}
