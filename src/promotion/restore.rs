//! Putting a target back as a `before-promotion` snapshot has it: the env keys the promotion added
//! (and nobody gave a value since) go, and its flows and credentials come back. A running target
//! gets them deployed (credentials decrypted, with the deploy nonce). A target that is down
//! (crashed or killed mid-promotion, possibly by the promoted flows themselves) or fails the hot
//! restore is restored cold: stopped, its files written from the snapshot, started again.
//! Modules the promotion installed go last (`uninstall`): the restored flows do not use them.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use url::Url;

use super::Ctx;
use super::deploy::{self, RESTART_WITHIN};
use crate::db::ids::SnapshotId;
use crate::db::models::env_vars;
use crate::db::models::instance_settings;
use crate::db::models::instances::{self, Instance};
use crate::db::models::snapshots::{self, Snapshot};
use crate::nodered::credentials;
use crate::nodered::state::{RuntimeState, RuntimeStatus};

/// How long a starting or stopping runtime may take to settle before it is restored cold.
const SETTLE_WITHIN: Duration = Duration::from_secs(90);

/// Restore `target` from `snapshot`: remove the `added` env keys, and the flows when `flows`.
pub(crate) async fn restore(
    ctx: &Ctx,
    target: &Instance,
    snapshot: &SnapshotId,
    added: &[String],
    flows: bool,
) -> Result<(), String> {
    remove_keys(ctx, target, added).await?;
    if !flows {
        return Ok(());
    }
    let (id, snap) = (target.id.clone(), snapshot.clone());
    let (snapshot, record, settings) = ctx
        .db
        .run(move |conn| {
            let snapshot = snapshots::find(conn, &snap)?;
            Ok((
                snapshot,
                instances::find(conn, &id)?,
                instance_settings::get(conn, &id)?,
            ))
        })
        .await
        .map_err(|e| format!("its snapshot could not be read ({e})"))?;
    let nodes: Vec<Value> = serde_json::from_str(&snapshot.flows)
        .map_err(|e| format!("its snapshot is damaged ({e})"))?;
    let restoring = Restoring {
        target,
        nodes: &nodes,
        snapshot: &snapshot,
        editor: settings.editor_enabled,
    };
    let state = tokio::time::timeout(SETTLE_WITHIN, settled(ctx.runtimes.watch(&target.id))).await;
    if let (Ok(RuntimeState::Running { .. }), Some(address)) =
        (state, ctx.runtimes.address(&target.id))
    {
        match hot(ctx, &restoring, &address).await {
            Ok(()) => return Ok(()),
            Err(error) => {
                tracing::warn!(instance = %target.id, %error, "hot restore failed; restoring cold")
            }
        }
    }
    cold(ctx, &restoring, record.should_run()).await
}

/// What is being restored.
struct Restoring<'a> {
    target: &'a Instance,
    nodes: &'a [Value],
    snapshot: &'a Snapshot,
    /// Whether its editor (and so /comms) is on.
    editor: bool,
}

/// Remove the keys a promotion added, unless someone gave them a value meanwhile.
async fn remove_keys(ctx: &Ctx, target: &Instance, added: &[String]) -> Result<(), String> {
    if added.is_empty() {
        return Ok(());
    }
    let (id, added) = (target.id.clone(), added.to_vec());
    ctx.db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let unset = env_vars::list(conn, &id)?
                    .into_iter()
                    .filter(|v| v.value.is_none() && added.contains(&v.key));
                for var in unset {
                    env_vars::delete(conn, &id, &var.key)?;
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| format!("its new env keys could not be removed ({e})"))
}

/// The runtime's state once it is not starting, installing or stopping.
pub(crate) async fn settled(mut status: watch::Receiver<RuntimeStatus>) -> RuntimeState {
    loop {
        let state = status.borrow_and_update().state.clone();
        if !matches!(
            state,
            RuntimeState::Installing | RuntimeState::Starting { .. } | RuntimeState::Stopping
        ) {
            return state;
        }
        if status.changed().await.is_err() {
            return state;
        }
    }
}

/// Deploy the snapshot to the running target and check it runs.
async fn hot(ctx: &Ctx, r: &Restoring<'_>, address: &Url) -> Result<(), String> {
    let target = r.target;
    let client = ctx.runtimes.client(&target.id).ok_or("it stopped")?;
    let file: Value = serde_json::from_str(&r.snapshot.credentials).map_err(|e| e.to_string())?;
    let plain =
        credentials::decrypt(&target.credential_secret, &file).map_err(|e| e.to_string())?;
    let rev = client
        .deploy(r.nodes, Some(&credentials::with_deploy_nonce(&plain)))
        .await
        .map_err(|e| e.to_string())?;
    let comms = match r.editor {
        true => deploy::connect(ctx, target, address).await,
        false => None,
    };
    deploy::runs(comms, &client, Some(&rev), &target.name)
        .await
        .map_err(|f| f.0)
}

/// Stop the target, write the snapshot's files, start it again if it is meant to run.
async fn cold(ctx: &Ctx, r: &Restoring<'_>, should_run: bool) -> Result<(), String> {
    let target = r.target;
    ctx.runtimes.stop(&target.id).await;
    ctx.runtimes
        .write_content(&target.id, r.nodes, &r.snapshot.credentials)
        .await?;
    if !should_run {
        return Ok(());
    }
    ctx.runtimes.start(&target.id);
    let running = ctx.runtimes.wait_running(&target.id, None);
    let (address, _) = tokio::time::timeout(RESTART_WITHIN, running)
        .await
        .map_err(|_| format!("it did not start within {} s", RESTART_WITHIN.as_secs()))?;
    let client = ctx.runtimes.client(&target.id).ok_or("it stopped again")?;
    let comms = match r.editor {
        true => deploy::connect(ctx, target, &address).await,
        false => None,
    };
    deploy::runs(comms, &client, None, &target.name)
        .await
        .map_err(|f| f.0)
}
