//! Step "checking": make sure the target can run the source's flows before anything on it changes.
//! Node types the source itself lacks are refused first. Modules the source has and the target
//! lacks are then installed on the target (`POST /nodes`, each one recorded so that a later
//! failure removes it again), and every node type the flows use must be in the target's catalog.
//! A refusal names the module or type and leaves the target's flows, credentials and environment
//! untouched.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::read::{Source, Target};
use super::{Failure, Job};
use crate::nodered::client::{Catalog, NodeRedError};

/// Install what is missing (pushing each installed module onto `installed`) and check every node
/// type; the target's catalog afterwards.
pub(crate) async fn check(
    source: &Source,
    target: &Target,
    job: &Job,
    installed: &mut Vec<String>,
) -> Result<Catalog, Failure> {
    let name = &job.target.name;
    unknown_to_source(source, target, &job.source.name)?;
    let missing: Vec<(&String, &String)> = source
        .modules
        .iter()
        .filter(|(module, _)| !target.catalog.modules.contains_key(*module))
        .collect();
    let mut catalog = target.catalog.clone();
    if !missing.is_empty() {
        if !target.settings.palette_allow_install {
            let (module, version) = missing[0];
            return Err(install_disabled(name, module, version));
        }
        for (module, version) in missing {
            if install(target, name, module, version).await? {
                installed.push(module.clone());
            }
        }
        catalog = target
            .client
            .catalog()
            .await
            .map_err(|e| Failure(format!("Could not read the nodes of {name}: {e}.")))?;
    }
    let absent: Vec<String> = used_types(&source.flows)
        .into_iter()
        .filter(|t| !catalog.types.contains(*t))
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
    Ok(catalog)
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

/// `POST /nodes` one module; whether it was installed now ("already loaded" is fine too).
async fn install(
    target: &Target,
    name: &str,
    module: &str,
    version: &str,
) -> Result<bool, Failure> {
    match target.client.install_module(module, version).await {
        Ok(()) => Ok(true),
        Err(NodeRedError::Status { message, .. }) if message == "Module already loaded" => {
            Ok(false)
        }
        // With installs disabled the route does not exist: the request falls through to the
        // flows' own routes (404, or 401 behind HTTP node authentication).
        Err(NodeRedError::Status { status, message })
            if status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::NOT_FOUND && message != "Module not found") =>
        {
            Err(install_disabled(name, module, version))
        }
        Err(NodeRedError::Status { message, .. }) => Err(Failure(format!(
            "module {module} could not be installed on {name}: {message}. Nothing was changed."
        ))),
        Err(other) => Err(Failure(format!(
            "module {module} could not be installed on {name}: {other}. Nothing was changed."
        ))),
    }
}

fn install_disabled(name: &str, module: &str, version: &str) -> Failure {
    Failure(format!(
        "{name} does not allow installing nodes (Settings > Palette), and these flows need module \
         {module} {version}. Allow installing nodes on {name} and restart it, then try again; \
         nothing was changed."
    ))
}

/// Node types the flows use, without the built-in pseudo-types Node-RED does not list in
/// `GET /nodes` (tabs, subflow definitions and instances, groups).
pub(crate) fn used_types(flows: &[Value]) -> BTreeSet<&str> {
    flows
        .iter()
        .filter_map(|node| node.get("type").and_then(Value::as_str))
        .filter(|t| !matches!(*t, "tab" | "subflow" | "group") && !t.starts_with("subflow:"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pseudo_types_are_not_checked() {
        let flows = [
            json!({"id": "t", "type": "tab"}),
            json!({"id": "s", "type": "subflow"}),
            json!({"id": "i", "type": "subflow:s"}),
            json!({"id": "g", "type": "group"}),
            json!({"id": "j", "type": "junction"}),
            json!({"id": "r", "type": "random"}),
            json!({"id": "r2", "type": "random"}),
        ];
        let types: Vec<&str> = used_types(&flows).into_iter().collect();
        assert_eq!(types, ["junction", "random"]);
    }
}
