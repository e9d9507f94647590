//! Extra node modules put straight into an instance's userDir with npm, the way Node-RED's own
//! palette manager installs them, for runtimes whose palette does not let the editor install
//! (then Node-RED has no `POST /nodes`): the runtime loads them at its next start. Also the
//! palette deny list, which such an install must honour as Node-RED would.

use std::path::Path;
use std::time::Duration;

use super::npm::{NpmConfig, passed_through};
use super::sandbox::{Mounts, Sandbox};
use crate::domain::npm;

/// How long one npm install or uninstall may take.
const NPM_WITHIN: Duration = Duration::from_secs(300);

/// `npm install module@version` in `user_dir` (in the instance's sandbox, from `config`'s registry),
/// saved to its package.json; why not, when the spec is not a registry package, or npm's message
/// on failure.
pub async fn install(
    sandbox: &Sandbox,
    config: &NpmConfig,
    user_dir: &Path,
    module: &str,
    version: &str,
) -> Result<(), String> {
    npm::package_name(module)?;
    npm::version(version)?;
    let spec = match version {
        "" => module.to_owned(),
        version => format!("{module}@{version}"),
    };
    let args = ["install", "--save-prefix=~", "--engine-strict", "--", &spec];
    run_npm(sandbox, config, user_dir, &args).await
}

/// `npm uninstall module` in `user_dir` (in the instance's sandbox), removed from its package.json.
pub async fn uninstall(
    sandbox: &Sandbox,
    config: &NpmConfig,
    user_dir: &Path,
    module: &str,
) -> Result<(), String> {
    npm::package_name(module)?;
    run_npm(sandbox, config, user_dir, &["uninstall", "--", module]).await
}

async fn run_npm(
    sandbox: &Sandbox,
    config: &NpmConfig,
    user_dir: &Path,
    args: &[&str],
) -> Result<(), String> {
    let mounts = Mounts {
        user_dir,
        read_only: Vec::new(),
        extra: &[],
        hosts: None,
    };
    let run = sandbox
        .command("npm", &mounts)
        .args([
            "--save",
            "--omit=dev",
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            "--loglevel=error",
        ])
        .args(args)
        .current_dir(user_dir)
        // Never the server's own environment (it may hold secrets): what npm needs to reach the
        // registry, and the userDir as its home (its cache goes there).
        .env_clear()
        .envs(passed_through())
        .env("HOME", user_dir)
        // After the server's own npm_config_*: the configured registry wins.
        .envs(config.env())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(NPM_WITHIN, run)
        .await
        .map_err(|_| format!("npm did not finish within {} s", NPM_WITHIN.as_secs()))?
        .map_err(|e| format!("npm could not be started ({e})"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(lines[lines.len().saturating_sub(4)..].join(" / "))
}

/// The entry of a palette deny list (`name`, `name@range`, `prefix-*`, `@scope/*`) that denies
/// `module` at `version`, if any. A range that cannot be read denies (safe side).
pub fn denied_by<'a>(deny_list: &'a [String], module: &str, version: &str) -> Option<&'a str> {
    deny_list.iter().map(|entry| entry.trim()).find(|entry| {
        // The range starts at the last '@' that does not open a scope.
        let (name, range) = match entry.rfind('@').filter(|at| *at > 0) {
            Some(at) => (&entry[..at], Some(&entry[at + 1..])),
            None => (*entry, None),
        };
        let named = match name.strip_suffix('*') {
            Some(prefix) => module.starts_with(prefix),
            None => name == module,
        };
        named && range.is_none_or(|range| in_range(range, version))
    })
}

/// Whether `version` is in the npm `range` (unreadable ranges and versions count as in it).
fn in_range(range: &str, version: &str) -> bool {
    let (Ok(version), Ok(range)) = (
        semver::Version::parse(version),
        // npm separates comparators with spaces, the semver crate with commas.
        semver::VersionReq::parse(&range.split_whitespace().collect::<Vec<_>>().join(", ")),
    ) else {
        return true;
    };
    range.matches(&version)
}

#[cfg(test)]
mod tests {
    use super::denied_by;

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| (*e).to_owned()).collect()
    }

    #[test]
    fn names_prefixes_scopes_and_ranges() {
        let deny = list(&["node-red-contrib-*", "node-red-node-random@<0.4", "@acme/*"]);
        assert_eq!(
            denied_by(&deny, "node-red-contrib-foo", "1.0.0"),
            Some("node-red-contrib-*")
        );
        assert_eq!(denied_by(&deny, "node-red-node-random", "0.4.1"), None);
        assert_eq!(
            denied_by(&deny, "node-red-node-random", "0.3.9"),
            Some("node-red-node-random@<0.4")
        );
        assert_eq!(denied_by(&deny, "@acme/nodes", "2.0.0"), Some("@acme/*"));
        assert_eq!(denied_by(&deny, "node-red-dashboard", "3.6.0"), None);
        let exact = list(&["node-red-node-random"]);
        assert!(denied_by(&exact, "node-red-node-random", "0.4.1").is_some());
        assert!(denied_by(&exact, "node-red-node-random-extra", "1.0.0").is_none());
        let unreadable = list(&["node-red-node-random@not a range"]);
        assert!(denied_by(&unreadable, "node-red-node-random", "0.4.1").is_some());
    }
}
