//! Step "checking": make sure the target can run the source's flows before anything on it changes.
//! Modules the source has and the target lacks are installed on the target (`POST /nodes`), then
//! every node type the flows use must be in the target's catalog. A refusal names the module or
//! type and leaves the target's flows, credentials and environment untouched.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::Failure;
use super::read::{Source, Target};
use crate::db::models::instances::Instance;
use crate::nodered::client::{Catalog, NodeRedError};

/// Install what is missing and check every node type; the target's catalog afterwards.
pub(crate) async fn check(
    source: &Source,
    target: &Target,
    instance: &Instance,
) -> Result<Catalog, Failure> {
    let missing: Vec<(&String, &String)> = source
        .modules
        .iter()
        .filter(|(module, _)| !target.catalog.modules.contains_key(*module))
        .collect();
    let mut catalog = target.catalog.clone();
    if !missing.is_empty() {
        if !target.settings.palette_allow_install {
            let (module, version) = missing[0];
            return Err(install_disabled(&instance.name, module, version));
        }
        for (module, version) in missing {
            install(target, &instance.name, module, version).await?;
        }
        catalog = target.client.catalog().await.map_err(|e| {
            Failure(format!(
                "Could not read the nodes of {}: {e}.",
                instance.name
            ))
        })?;
    }
    let absent: Vec<String> = used_types(&source.flows)
        .into_iter()
        .filter(|t| !catalog.types.contains(*t))
        .map(|t| match source.type_modules.get(t) {
            Some(module) => format!("\"{t}\" (module {module})"),
            None => format!("\"{t}\""),
        })
        .collect();
    if !absent.is_empty() {
        return Err(Failure(format!(
            "{} does not have the node type{} {} that these flows use; nothing was changed.",
            instance.name,
            if absent.len() == 1 { "" } else { "s" },
            absent.join(", ")
        )));
    }
    Ok(catalog)
}

/// `POST /nodes` one module; "already loaded" is fine.
async fn install(target: &Target, name: &str, module: &str, version: &str) -> Result<(), Failure> {
    match target.client.install_module(module, version).await {
        Ok(()) => Ok(()),
        Err(NodeRedError::Status { message, .. }) if message == "Module already loaded" => Ok(()),
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
