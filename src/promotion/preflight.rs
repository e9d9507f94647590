//! Step "checking": make sure the target can run the source's flows before anything on it changes.
//! Node types the source itself lacks are refused first. Modules the source has and the target
//! lacks are then installed on the target, each one recorded so that a later failure removes it
//! again: through the admin API (`POST /nodes`, loaded at once) when its palette allows installs,
//! else with npm into its userDir, and the target restarts to load them (its palette setting is
//! about the editor; the deny list is honoured either way). Last, every node type the flows use
//! must be in the target's catalog. A refusal names the module or type and leaves the target's
//! flows, credentials and environment untouched.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use super::deploy::RESTART_WITHIN;
use super::read::{self, Source, Target};
use super::{Ctx, Failure, Job};
use crate::domain::nodes::Nodes;
use crate::nodered::client::NodeRedError;
use crate::nodered::hold::HoldGuard;
use crate::nodered::modules;

/// Modules a promotion installed on its target.
#[derive(Default)]
pub(crate) struct Installed {
    /// Through the admin API: loaded at once, removed with `DELETE /nodes`.
    pub(crate) api: Vec<String>,
    /// With npm into its userDir: loaded at its next start.
    pub(crate) npm: Vec<String>,
}

/// Install the modules the target lacks (recording each in `installed`); the target afterwards,
/// restarted and read again when npm installed any (its flow requests held from the restart on:
/// `hold` keeps them so until the promotion is over).
pub(crate) async fn install_missing(
    ctx: &Ctx,
    source: &Source,
    mut target: Target,
    job: &Job,
    installed: &mut Installed,
    hold: &mut Option<HoldGuard>,
) -> Result<Target, Failure> {
    let name = &job.target.name;
    unknown_to_source(source, &target, &job.source.name)?;
    let missing: Vec<(&String, &String)> = source
        .modules
        .iter()
        .filter(|(module, _)| !target.catalog.modules.contains_key(*module))
        .collect();
    if missing.is_empty() {
        return Ok(target);
    }
    let deny_list: Vec<String> = target
        .settings
        .palette_deny_list
        .lines()
        .map(str::to_owned)
        .collect();
    for (module, version) in &missing {
        if let Some(entry) = modules::denied_by(&deny_list, module, version) {
            return Err(Failure(format!(
                "{name}'s palette denies module {module} {version} (deny list entry \"{entry}\"), \
                 and these flows need it; nothing was changed."
            )));
        }
    }
    let mut by_api = target.settings.palette_allow_install;
    for (module, version) in missing {
        if by_api {
            match install(&target, name, module, version).await? {
                Some(true) => installed.api.push(module.clone()),
                Some(false) => {}
                // The running process refuses (the setting changed but was not applied yet).
                None => by_api = false,
            }
        }
        if !by_api {
            let id = &job.target.id;
            // On disk but not loaded (say, disabled in its palette): not ours to install, nor to
            // remove on a failure; the type check below says what is missing.
            if ctx
                .runtimes
                .read_modules(id)
                .await
                .is_ok_and(|on_disk| on_disk.contains_key(module))
            {
                continue;
            }
            ctx.runtimes
                .install_module(id, module, version)
                .await
                .map_err(|e| could_not_install(name, module, &e))?;
            installed.npm.push(module.clone());
        }
    }
    if installed.npm.is_empty() {
        target.catalog = target
            .client
            .catalog()
            .await
            .map_err(|e| Failure(format!("Could not read the nodes of {name}: {e}.")))?;
        return Ok(target);
    }
    super::run::hold(ctx, job, hold).await;
    load_modules(ctx, job, target, &installed.npm).await
}

/// Restart the target so that it loads the modules npm put into its userDir; it read again.
async fn load_modules(
    ctx: &Ctx,
    job: &Job,
    target: Target,
    modules: &[String],
) -> Result<Target, Failure> {
    let name = &job.target.name;
    if let Some(opening) = target.comms {
        opening.abort();
    }
    ctx.runtimes.restart(&job.target.id);
    let running = ctx.runtimes.wait_running(&job.target.id, Some(target.pid));
    tokio::time::timeout(RESTART_WITHIN, running)
        .await
        .map_err(|_| {
            Failure(format!(
                "{name} did not run again within {} s of the restart that loads {}.",
                RESTART_WITHIN.as_secs(),
                modules.join(", ")
            ))
        })?;
    read::target(ctx, &job.target).await
}

/// Every node type the flows use must be in the target's catalog.
pub(crate) fn check_types(source: &Source, target: &Target, name: &str) -> Result<(), Failure> {
    let absent: Vec<String> = used_types(&source.flows)
        .into_iter()
        .filter(|t| !target.catalog.types.contains(*t))
        .map(
            |t| match source.type_modules.as_ref().and_then(|m| m.get(t)) {
                Some(module) => format!("\"{t}\" (module {module})"),
                None => format!("\"{t}\""),
            },
        )
        .collect();
    if !absent.is_empty() {
        return Err(Failure(format!(
            "{name} does not have the node type{} {} that these flows use; nothing was changed.",
            plural(absent.len()),
            absent.join(", ")
        )));
    }
    Ok(())
}

/// Refuse, before installing anything, types that neither the (running) source nor the target
/// has: no module the source could name provides them, so its own flows wait for them too.
fn unknown_to_source(source: &Source, target: &Target, source_name: &str) -> Result<(), Failure> {
    let Some(known) = &source.type_modules else {
        return Ok(());
    };
    let unknown: Vec<String> = used_types(&source.flows)
        .into_iter()
        .filter(|t| !known.contains_key(*t) && !target.catalog.types.contains(*t))
        .map(|t| format!("\"{t}\""))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let n = unknown.len();
    Err(Failure(format!(
        "{source_name}'s flows use the node type{} {}, which {source_name} does not have either \
         (its flows are waiting for {}). Install the module{} that provide{} {} on {source_name}, \
         or remove those nodes, then try again; nothing was changed.",
        plural(n),
        unknown.join(", "),
        if n == 1 { "it" } else { "them" },
        plural(n),
        if n == 1 { "s" } else { "" },
        if n == 1 { "it" } else { "them" },
    )))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `POST /nodes` one module: whether it was installed now ("already loaded" is fine too), or
/// None when the runtime has no install route (its palette does not allow installs).
async fn install(
    target: &Target,
    name: &str,
    module: &str,
    version: &str,
) -> Result<Option<bool>, Failure> {
    match target.client.install_module(module, version).await {
        Ok(()) => Ok(Some(true)),
        Err(NodeRedError::Status { message, .. }) if message == "Module already loaded" => {
            Ok(Some(false))
        }
        // With installs disabled the route does not exist: the request falls through to the
        // flows' own routes (404, or 401 behind HTTP node authentication).
        Err(NodeRedError::Status { status, message })
            if status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::NOT_FOUND && message != "Module not found") =>
        {
            Ok(None)
        }
        Err(NodeRedError::Status { message, .. }) => Err(could_not_install(name, module, &message)),
        Err(other) => Err(could_not_install(name, module, &other.to_string())),
    }
}

fn could_not_install(name: &str, module: &str, why: &str) -> Failure {
    Failure(format!(
        "module {module} could not be installed on {name}: {why}. Nothing was changed."
    ))
}

/// Node types the flows use, without the built-in pseudo-types Node-RED does not list in
/// `GET /nodes` (tabs, subflow definitions and instances, groups).
pub(crate) fn used_types(flows: &Nodes) -> BTreeSet<&str> {
    flows
        .iter()
        .filter_map(|node| node.info.kind.as_deref())
        .filter(|t| !matches!(*t, "tab" | "subflow" | "group") && !t.starts_with("subflow:"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn pseudo_types_are_not_checked() {
        let flows = Nodes::from_values(&[
            json!({"id": "t", "type": "tab"}),
            json!({"id": "s", "type": "subflow"}),
            json!({"id": "i", "type": "subflow:s"}),
            json!({"id": "g", "type": "group"}),
            json!({"id": "j", "type": "junction"}),
            json!({"id": "r", "type": "random"}),
            json!({"id": "r2", "type": "random"}),
            json!({"id": "n", "type": 7}),
        ])
        .unwrap();
        let types: Vec<&str> = used_types(&flows).into_iter().collect();
        assert_eq!(types, ["junction", "random"]);
    }
}
