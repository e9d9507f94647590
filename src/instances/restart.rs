//! A restart pressed by a user: the instance's flow requests wait (see `nodered::hold`) from just
//! before the restart until the new process runs its flows, in the background, bounded; a
//! runtime that crashes, fails or is stopped meanwhile lets them through to today's 503.

use std::time::Duration;

use tokio::sync::watch;
use url::Url;

use super::Ctx;
use crate::db::ids::InstanceId;
use crate::nodered::comms::Comms;
use crate::nodered::state::{RuntimeState, RuntimeStatus};
use crate::nodered::tokens::Access;

/// Longest the flow requests of a restarting instance are held for (each request is bounded by
/// its own, shorter, limit too).
const HOLD_AT_MOST: Duration = Duration::from_secs(120);

/// Hold the flow requests of `id`, restart it, and let them through once its flows run again.
pub(super) async fn restart_held(ctx: &Ctx<'_>, id: &InstanceId) {
    let hold = ctx.holds.close(id).await;
    let status = ctx.runtimes.watch(id);
    let old = match &status.borrow().state {
        RuntimeState::Running { pid, .. } => Some(*pid),
        _ => None,
    };
    let token = ctx.runtimes.token(id, Access::Full);
    ctx.runtimes.restart(id);
    ctx.runtimes.spawn(Box::pin(async move {
        let _ = tokio::time::timeout(HOLD_AT_MOST, flows_run(status, old, &token)).await;
        drop(hold);
    }));
}

/// Resolves once a process other than `old` runs and reports its flows started (a runtime
/// without /comms, its editor turned off, once it answers), or once it ends up not running.
async fn flows_run(status: watch::Receiver<RuntimeStatus>, old: Option<u32>, token: &str) {
    let Some(address) = new_process(status, old).await else {
        return;
    };
    if let Some(comms) = Comms::connect_bounded(&address, token).await {
        let _ = comms.report(None, HOLD_AT_MOST).await;
    }
}

/// The address of the new process once it runs; `None` when it crashed, failed or was stopped.
async fn new_process(mut status: watch::Receiver<RuntimeStatus>, old: Option<u32>) -> Option<Url> {
    let mut started = false;
    loop {
        match &status.borrow_and_update().state {
            RuntimeState::Running { address, pid, .. } if Some(*pid) != old => {
                return Some(address.clone());
            }
            RuntimeState::Starting { .. } | RuntimeState::Installing => started = true,
            RuntimeState::Crashed { .. } | RuntimeState::Error { .. } => return None,
            RuntimeState::Stopped if started => return None,
            _ => {}
        }
        status.changed().await.ok()?;
    }
}
