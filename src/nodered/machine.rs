//! The supervisor's decisions, as a state machine without a process: what a runtime does next
//! when a command, a launch result, an exit, a health check or a timer arrives. Each transition
//! is a pure function returning the next [`State`] and the [`Effect`]s the supervisor loop
//! (`supervisor.rs`) then performs, so the rules (back-off, its cap and reset, restarts after
//! failed health checks, relaunching when the port was taken) are unit-tested without Node-RED.

use std::time::{Duration, Instant};

/// The first wait after a crash.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between crash restarts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A run this long resets the back-off.
pub(crate) const STABLE_RUN: Duration = Duration::from_secs(60);
/// Consecutive failed health checks after which the runtime is restarted.
pub(crate) const HEALTH_FAILURES: u32 = 3;
/// Launches in a row that may find their port taken before that counts as a crash.
pub(crate) const PORT_ATTEMPTS: u32 = 5;

/// Where one runtime's supervisor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Not meant to run: waiting for a command.
    Idle,
    /// A launch is under way; `port_attempt` launches before it found their port taken.
    Launching {
        /// Launches in a row whose port another process took first.
        port_attempt: u32,
    },
    /// The process answers; `unanswered` health checks in a row failed.
    Running {
        /// When it started answering.
        since: Instant,
        /// Consecutive failed health checks.
        unanswered: u32,
    },
    /// It crashed: waiting `delay` before the next launch.
    BackingOff {
        /// How long this wait is.
        delay: Duration,
    },
    /// The supervisor has ended (shutdown, or its handle is gone).
    Finished,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// Bring it up (no-op if it is up).
    Start,
    /// Restart now (also retries after an error).
    Restart,
    /// Bring it down.
    Stop,
    /// Bring it down and end the supervisor.
    Shutdown,
    /// Nobody can send commands any more.
    Closed,
    /// The launch cannot work until someone acts (install failed, Node.js missing ...).
    LaunchFailed(String),
    /// The process died while starting.
    LaunchExited(String),
    /// The process could not listen: another process took its port first.
    PortTaken(u16),
    /// The process answers its admin API.
    Launched,
    /// The running process exited on its own.
    Exited(String),
    /// A health check of the running process finished.
    Health {
        /// Whether its admin API answered in time.
        answered: bool,
    },
    /// The back-off wait is over.
    BackoffElapsed,
}

/// What the supervisor loop must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Begin a launch (on a freshly chosen port).
    Launch,
    /// Abandon the launch under way (kills a half-started process).
    CancelLaunch,
    /// Stop the running process (SIGTERM, then kill after a timeout).
    StopProcess,
    /// Report the runtime stopped.
    ReportStopped,
    /// Report that it cannot run until someone acts.
    ReportError(String),
    /// Report a crash and when the next launch is.
    ReportCrash {
        /// What happened.
        message: String,
        /// The wait before the next launch.
        delay: Duration,
    },
    /// Add a line to the runtime's log.
    Note(String),
}

/// The state and the back-off the next crash waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    /// Where the supervisor is.
    pub(crate) state: State,
    /// The wait after the next crash.
    pub(crate) backoff: Duration,
}

impl Default for Machine {
    fn default() -> Self {
        Self {
            state: State::Idle,
            backoff: FIRST_BACKOFF,
        }
    }
}

type Step = (State, Vec<Effect>);

impl Machine {
    /// Apply `event` (at `now`): move to the next state; the effects to perform.
    pub(crate) fn step(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        let (next, effects) = match self.state.clone() {
            State::Idle => self.idle(event),
            State::Launching { port_attempt } => self.launching(port_attempt, event, now),
            State::Running { since, unanswered } => self.running(since, unanswered, event, now),
            State::BackingOff { delay } => self.backing_off(delay, event),
            State::Finished => (State::Finished, Vec::new()),
        };
        self.state = next;
        effects
    }

    fn idle(&mut self, event: Event) -> Step {
        match event {
            Event::Start | Event::Restart => {
                self.backoff = FIRST_BACKOFF;
                launch()
            }
            Event::Stop => (State::Idle, vec![Effect::ReportStopped]),
            Event::Shutdown | Event::Closed => (State::Finished, Vec::new()),
            _ => (State::Idle, Vec::new()),
        }
    }

    fn launching(&mut self, port_attempt: u32, event: Event, now: Instant) -> Step {
        let cancelled = |next, then: &[Effect]| {
            let mut effects = vec![Effect::CancelLaunch];
            effects.extend_from_slice(then);
            (next, effects)
        };
        match event {
            Event::Restart => cancelled(State::Launching { port_attempt: 0 }, &[Effect::Launch]),
            Event::Stop => cancelled(State::Idle, &[Effect::ReportStopped]),
            Event::Shutdown => cancelled(State::Finished, &[Effect::ReportStopped]),
            Event::Closed => cancelled(State::Finished, &[]),
            Event::LaunchFailed(message) => (
                State::Idle,
                vec![Effect::Note(message.clone()), Effect::ReportError(message)],
            ),
            Event::LaunchExited(message) => self.crash(message),
            Event::PortTaken(port) => self.port_taken(port_attempt + 1, port),
            Event::Launched => (
                State::Running {
                    since: now,
                    unanswered: 0,
                },
                Vec::new(),
            ),
            _ => (State::Launching { port_attempt }, Vec::new()),
        }
    }

    /// Another process took the port between choosing it and Node-RED listening on it: launch
    /// again at once on another, unless that keeps happening (then it is a crash).
    fn port_taken(&mut self, taken: u32, port: u16) -> Step {
        if taken >= PORT_ATTEMPTS {
            return self.crash(format!(
                "Node-RED could not listen: the ports chosen for it were taken {taken} times in a row (last {port})."
            ));
        }
        let note = format!(
            "Port {port} was taken by another process before Node-RED could listen on it; starting again on another port."
        );
        (
            State::Launching {
                port_attempt: taken,
            },
            vec![Effect::Note(note), Effect::Launch],
        )
    }

    fn running(&mut self, since: Instant, unanswered: u32, event: Event, now: Instant) -> Step {
        let stopped = |next, then: &[Effect]| {
            let mut effects = vec![Effect::StopProcess];
            effects.extend_from_slice(then);
            (next, effects)
        };
        match event {
            Event::Restart => {
                self.backoff = FIRST_BACKOFF;
                stopped(State::Launching { port_attempt: 0 }, &[Effect::Launch])
            }
            Event::Stop => stopped(State::Idle, &[Effect::ReportStopped]),
            Event::Shutdown => stopped(State::Finished, &[Effect::ReportStopped]),
            Event::Closed => stopped(State::Finished, &[]),
            Event::Exited(message) => self.ended(since, now, message, Vec::new()),
            Event::Health { answered: true } => (
                State::Running {
                    since,
                    unanswered: 0,
                },
                Vec::new(),
            ),
            Event::Health { answered: false } if unanswered + 1 >= HEALTH_FAILURES => {
                let message =
                    "Node-RED stopped answering its admin API for 30 s and was stopped.".to_owned();
                self.ended(since, now, message, vec![Effect::StopProcess])
            }
            Event::Health { answered: false } => (
                State::Running {
                    since,
                    unanswered: unanswered + 1,
                },
                Vec::new(),
            ),
            _ => (State::Running { since, unanswered }, Vec::new()),
        }
    }

    /// A run that ended by itself (or was ended for not answering): a crash, after a long enough
    /// run with the first back-off again.
    fn ended(&mut self, since: Instant, now: Instant, message: String, first: Vec<Effect>) -> Step {
        if now.duration_since(since) > STABLE_RUN {
            self.backoff = FIRST_BACKOFF;
        }
        let (next, effects) = self.crash(message);
        (next, first.into_iter().chain(effects).collect())
    }

    fn backing_off(&mut self, delay: Duration, event: Event) -> Step {
        match event {
            Event::BackoffElapsed | Event::Start | Event::Restart => launch(),
            Event::Stop => (State::Idle, vec![Effect::ReportStopped]),
            Event::Shutdown => (State::Finished, vec![Effect::ReportStopped]),
            Event::Closed => (State::Finished, Vec::new()),
            _ => (State::BackingOff { delay }, Vec::new()),
        }
    }

    /// Report the crash, wait the current back-off, and double it (up to its cap) for the next.
    fn crash(&mut self, message: String) -> Step {
        let delay = self.backoff;
        self.backoff = (delay * 2).min(MAX_BACKOFF);
        (
            State::BackingOff { delay },
            vec![Effect::ReportCrash { message, delay }],
        )
    }
}

fn launch() -> Step {
    (State::Launching { port_attempt: 0 }, vec![Effect::Launch])
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
