//! What a runtime is doing right now, as the supervisor reports it to pages.

use url::Url;

/// `http://127.0.0.1:{port}/`: where a local runtime listens.
pub fn loopback(port: u16) -> Option<Url> {
    Url::parse(&format!("http://127.0.0.1:{port}/")).ok()
}

/// The live state of one instance's runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeState {
    /// Not running, and not meant to.
    Stopped,
    /// Waiting for Node-RED to be installed with npm.
    Installing,
    /// Process started, admin API not answering yet.
    Starting {
        /// Where it will listen (the local driver: `http://127.0.0.1:{port}/`).
        address: Url,
    },
    /// Serving.
    Running {
        /// Where it listens.
        address: Url,
        /// Process id.
        pid: u32,
        /// Unix milliseconds when it became healthy.
        since_ms: i64,
    },
    /// Being stopped (SIGTERM, then kill after a timeout).
    Stopping,
    /// Exited on its own; will be restarted at `restart_at_ms`.
    Crashed {
        /// What happened (exit status and the last log lines).
        message: String,
        /// Unix milliseconds of the next attempt.
        restart_at_ms: i64,
    },
    /// Cannot run until someone acts (install failed, Node.js missing, bad settings ...).
    Error {
        /// What went wrong and what to do.
        message: String,
    },
}

impl RuntimeState {
    /// Short machine name, also the CSS class of the status badge.
    pub fn key(&self) -> &'static str {
        match self {
            RuntimeState::Stopped => "stopped",
            RuntimeState::Installing => "installing",
            RuntimeState::Starting { .. } => "starting",
            RuntimeState::Running { .. } => "running",
            RuntimeState::Stopping => "stopping",
            RuntimeState::Crashed { .. } => "crashed",
            RuntimeState::Error { .. } => "error",
        }
    }

    /// The state in one word, for badges.
    pub fn name(&self) -> &'static str {
        match self {
            RuntimeState::Stopped => "Stopped",
            RuntimeState::Installing => "Installing",
            RuntimeState::Starting { .. } => "Starting",
            RuntimeState::Running { .. } => "Running",
            RuntimeState::Stopping => "Stopping",
            RuntimeState::Crashed { .. } => "Crashed",
            RuntimeState::Error { .. } => "Error",
        }
    }

    /// Where it listens while the process is up.
    pub fn address(&self) -> Option<&Url> {
        match self {
            RuntimeState::Starting { address } | RuntimeState::Running { address, .. } => {
                Some(address)
            }
            _ => None,
        }
    }

    /// Whether the state will change by itself soon (pages poll faster then).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            RuntimeState::Installing
                | RuntimeState::Starting { .. }
                | RuntimeState::Stopping
                | RuntimeState::Crashed { .. }
        )
    }
}

/// State plus history worth showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeStatus {
    /// Current state.
    pub state: RuntimeState,
    /// Crashes since the server started.
    pub crashes: u32,
    /// Unix milliseconds and description of the last crash.
    pub last_crash: Option<(i64, String)>,
}

impl Default for RuntimeStatus {
    fn default() -> Self {
        Self {
            state: RuntimeState::Stopped,
            crashes: 0,
            last_crash: None,
        }
    }
}
