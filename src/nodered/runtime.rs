//! The handle of one instance's runtime: its live status (watched by pages and promotions), the
//! commands its supervisor takes, its recent output, its process id and launch environment.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};
use url::Url;

use super::logbuf::LogBuffer;
use super::state::{RuntimeState, RuntimeStatus};
use crate::db::ids::InstanceId;

/// What the supervisor can be asked to do.
pub(crate) enum Command {
    /// Bring the runtime up (no-op if it is up).
    Start,
    /// Restart it now (also retries after an error).
    Restart,
    /// Bring it down; acknowledged once it is down.
    Stop(oneshot::Sender<()>),
    /// Bring it down and end the supervisor.
    Shutdown(oneshot::Sender<()>),
}

/// The handle of one instance's runtime.
pub struct Runtime {
    /// The instance.
    pub id: InstanceId,
    pub(crate) status: watch::Sender<RuntimeStatus>,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    /// Recent output.
    pub logs: LogBuffer,
    pub(super) pid: AtomicU32,
    /// The process a launch under way spawned (bubblewrap, in the sandbox); 0 when none is.
    pub(super) spawned: AtomicU32,
    /// The environment the current (or last) process was started with.
    pub(super) launch_env: Mutex<Vec<(String, String)>>,
}

impl Runtime {
    pub(crate) fn new(id: InstanceId) -> (Arc<Self>, mpsc::UnboundedReceiver<Command>) {
        let (commands, rx) = mpsc::unbounded_channel();
        let (status, _) = watch::channel(RuntimeStatus::default());
        let runtime = Arc::new(Self {
            id,
            status,
            commands,
            logs: LogBuffer::default(),
            pid: AtomicU32::new(0),
            spawned: AtomicU32::new(0),
            launch_env: Mutex::default(),
        });
        (runtime, rx)
    }

    /// The current status.
    pub fn status(&self) -> RuntimeStatus {
        self.status.borrow().clone()
    }

    /// Wait for the next status change.
    pub fn subscribe(&self) -> watch::Receiver<RuntimeStatus> {
        self.status.subscribe()
    }

    /// Process id of the running Node-RED, if any.
    pub fn pid(&self) -> Option<u32> {
        Some(self.pid.load(Ordering::SeqCst)).filter(|p| *p != 0)
    }

    /// The process environment (instance variables with a value) the current or last process
    /// was started with, sorted by key: a promotion compares it with the instance's records to
    /// know whether a restart is needed.
    pub fn launch_env(&self) -> Vec<(String, String)> {
        self.launch_env
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Wait until the runtime is running in a process other than `except_pid` (e.g. after a
    /// restart or a crash); its address and pid. Waits forever if nobody starts it: bound it.
    pub async fn wait_running(&self, except_pid: Option<u32>) -> (Url, u32) {
        let mut status = self.subscribe();
        loop {
            if let RuntimeState::Running { address, pid, .. } = &status.borrow_and_update().state
                && Some(*pid) != except_pid
            {
                return (address.clone(), *pid);
            }
            if status.changed().await.is_err() {
                // The supervisor is gone (instance deleted): nothing will ever run.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Announce each of its status changes on `events` until the runtime is gone (the task ends
    /// with it: it holds only a receiver).
    pub(super) fn announce(
        &self,
        events: crate::events::Events,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (mut status, id) = (self.subscribe(), self.id.clone());
        async move {
            while status.changed().await.is_ok() {
                events.publish(crate::events::Subject::Instance(id.clone()));
            }
        }
    }

    pub(super) fn set(&self, state: RuntimeState) {
        self.status.send_modify(|s| s.state = state);
    }

    pub(super) fn note(&self, line: impl AsRef<str>) {
        self.logs.push(format!("[redstage] {}", line.as_ref()));
    }
}
