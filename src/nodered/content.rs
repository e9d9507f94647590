//! The local driver's content operations: the files of a Node-RED userDir that promotions read
//! (flows, the encrypted credentials, installed modules) and write when a target is restored
//! while it is down.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::domain::nodes::Nodes;

/// The flows file in a userDir (settings.js names it).
pub const FLOW_FILE: &str = "flows.json";
/// Node-RED stores credentials beside the flows as `<flows name>_cred.json`.
const CRED_FILE: &str = "flows_cred.json";

/// Read a JSON file; a missing file is `None`.
async fn read_json(path: &Path) -> Result<Option<Value>, String> {
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{} is not valid JSON ({e})", file_name(path))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", file_name(path))),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The deployed flows in `user_dir` (none yet: empty).
pub(crate) async fn flows(user_dir: &Path) -> Result<Vec<Value>, String> {
    match read_json(&user_dir.join(FLOW_FILE)).await? {
        None => Ok(Vec::new()),
        Some(Value::Array(nodes)) => Ok(nodes),
        Some(_) => Err(format!("{FLOW_FILE} is not a list of nodes")),
    }
}

/// The deployed flows in `user_dir` as the file's text with light per-node fields (none yet: empty).
pub(crate) async fn nodes(user_dir: &Path) -> Result<Nodes, String> {
    let path = user_dir.join(FLOW_FILE);
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Nodes::default()),
        Err(e) => return Err(format!("cannot read {FLOW_FILE}: {e}")),
    };
    Nodes::parse(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("{FLOW_FILE} is not a list of nodes"),
        _ => format!("{FLOW_FILE} is not valid JSON ({e})"),
    })
}

/// The credentials file in `user_dir` as stored (encrypted); none yet: `None`.
pub(crate) async fn credentials_file(user_dir: &Path) -> Result<Option<Value>, String> {
    read_json(&user_dir.join(CRED_FILE)).await
}

/// Modules installed in `user_dir` (its package.json dependencies), with the installed version.
pub(crate) async fn modules(user_dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let Some(package) = read_json(&user_dir.join("package.json")).await? else {
        return Ok(BTreeMap::new());
    };
    let wanted = package
        .get("dependencies")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut modules = BTreeMap::new();
    for (name, spec) in wanted {
        let installed = user_dir
            .join("node_modules")
            .join(&name)
            .join("package.json");
        let version = match read_json(&installed).await {
            Ok(Some(manifest)) => manifest
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        };
        // Not installed: the range's own version (`~0.4.1` -> `0.4.1`).
        let version = version.unwrap_or_else(|| {
            spec.as_str()
                .unwrap_or_default()
                .trim_start_matches(['~', '^', '='])
                .to_owned()
        });
        modules.insert(name, version);
    }
    Ok(modules)
}

/// Replace the flows and the (already encrypted) credentials file of a STOPPED runtime.
pub(crate) async fn write_content(
    user_dir: &Path,
    flows: &[Value],
    encrypted_credentials: &str,
) -> Result<(), String> {
    tokio::fs::create_dir_all(user_dir)
        .await
        .map_err(|e| format!("cannot create {}: {e}", user_dir.display()))?;
    let flows = serde_json::to_vec(flows).map_err(|e| e.to_string())?;
    replace(&user_dir.join(FLOW_FILE), &flows).await?;
    replace(&user_dir.join(CRED_FILE), encrypted_credentials.as_bytes()).await
}

/// When the flows file in `user_dir` was last written, in unix ms.
pub(crate) fn flows_changed_at(user_dir: &Path) -> Option<i64> {
    let modified = std::fs::metadata(user_dir.join(FLOW_FILE))
        .and_then(|m| m.modified())
        .ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

/// Write beside, then rename: a reader never sees half a file.
async fn replace(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut staging = PathBuf::from(path);
    staging.set_extension("json.redstage-restore");
    tokio::fs::write(&staging, bytes)
        .await
        .map_err(|e| format!("cannot write {}: {e}", file_name(path)))?;
    tokio::fs::rename(&staging, path)
        .await
        .map_err(|e| format!("cannot replace {}: {e}", file_name(path)))
}
