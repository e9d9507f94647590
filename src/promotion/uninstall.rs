//! Removing the modules a promotion installed on its target, once the target runs flows that do
//! not use them (after a restore, or a refusal before anything else changed): through the admin
//! API when they came that way, else with npm from its userDir and a restart, so that the runtime
//! lets go of them.

use reqwest::StatusCode;

use super::Ctx;
use super::deploy::RESTART_WITHIN;
use super::preflight::Installed;
use super::restore::settled;
use crate::db::models::instances::Instance;
use crate::nodered::client::NodeRedError;
use crate::nodered::state::RuntimeState;

/// Remove `installed` from `target` (a module it no longer has is fine); the message when any
/// stays.
pub(crate) async fn uninstall(
    ctx: &Ctx,
    target: &Instance,
    installed: &Installed,
) -> Result<(), String> {
    let mut stay = Vec::new();
    let client = ctx.runtimes.client(&target.id);
    for module in &installed.api {
        let removed = match &client {
            Some(client) => match client.remove_module(module).await {
                Err(NodeRedError::Status { status, .. }) if status == StatusCode::NOT_FOUND => {
                    Ok(())
                }
                other => other.map_err(|e| e.to_string()),
            },
            None => Err("it is not running".to_owned()),
        };
        if let Err(error) = removed {
            stay.push(format!("{module} ({error})"));
        }
    }
    for module in &installed.npm {
        if let Err(error) = ctx.runtimes.uninstall_module(&target.id, module).await {
            stay.push(format!("{module} ({error})"));
        }
    }
    if !installed.npm.is_empty()
        && let Err(error) = restart_if_running(ctx, target).await
    {
        stay.push(error);
    }
    if stay.is_empty() {
        return Ok(());
    }
    tracing::warn!(instance = %target.id, modules = ?stay, "could not remove modules");
    Err(format!(
        "The module{} installed for this promotion could not be removed again: {}; remove {} \
         from {}.",
        if stay.len() == 1 { "" } else { "s" },
        stay.join(", "),
        if stay.len() == 1 { "it" } else { "them" },
        target.name
    ))
}

/// Restart a running target so that it no longer loads removed modules, and wait for it.
async fn restart_if_running(ctx: &Ctx, target: &Instance) -> Result<(), String> {
    let RuntimeState::Running { pid, .. } = settled(ctx.runtimes.watch(&target.id)).await else {
        return Ok(());
    };
    ctx.runtimes.restart(&target.id);
    let running = ctx.runtimes.wait_running(&target.id, Some(pid));
    tokio::time::timeout(RESTART_WITHIN, running)
        .await
        .map(|_| ())
        .map_err(|_| {
            format!(
                "{} did not run again within {} s of the restart that unloads them",
                target.name,
                RESTART_WITHIN.as_secs()
            )
        })
}
