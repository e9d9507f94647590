//! One task per instance keeps its Node-RED process where it should be: installs Node-RED when
//! needed, writes settings.js, starts the process, waits until its admin API answers, restarts it
//! with back-off when it crashes, and stops it gracefully (SIGTERM, then kill after a timeout).
//!
//! What to do next is decided by the state machine in `machine.rs`; this loop only waits for the
//! next event of the state it is in and performs the effects the machine returns.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::process::Child;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Interval;

use super::Shared;
use super::cancel;
use super::client::AdminClient;
use super::launch::{LaunchError, launch, stop_child};
use super::machine::{Effect, Event, Machine, State};
use super::runtime::{Command, Runtime};
use super::state::RuntimeState;
use crate::db::now_ms;

/// How often a running runtime's admin API is checked.
const HEALTH_EVERY: Duration = Duration::from_secs(10);
/// How long a health check may take.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

type Launching = Pin<Box<dyn Future<Output = Result<(Child, u16), LaunchError>> + Send>>;

/// The running process and its health checks.
struct Process {
    child: Child,
    client: AdminClient,
    health: Interval,
}

/// What the effects act on: the runtime, the launch under way, the running process.
struct Effects {
    rt: Arc<Runtime>,
    shared: Arc<Shared>,
    launching: Option<Launching>,
    process: Option<Process>,
}

/// The supervisor loop of one runtime.
pub(crate) async fn supervise(
    rt: Arc<Runtime>,
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<Command>,
) {
    let mut machine = Machine::default();
    let mut effects = Effects {
        rt,
        shared,
        launching: None,
        process: None,
    };
    while machine.state != State::Finished {
        let (event, ack) = effects.next_event(&machine.state, &mut rx).await;
        for effect in machine.step(event, Instant::now()) {
            effects.perform(effect).await;
        }
        if let Some(ack) = ack {
            let _ = ack.send(());
        }
    }
}

/// A command as an event, and who waits for it to be done.
fn command_event(command: Option<Command>) -> (Event, Option<oneshot::Sender<()>>) {
    match command {
        Some(Command::Start) => (Event::Start, None),
        Some(Command::Restart) => (Event::Restart, None),
        Some(Command::Stop(ack)) => (Event::Stop, Some(ack)),
        Some(Command::Shutdown(ack)) => (Event::Shutdown, Some(ack)),
        None => (Event::Closed, None),
    }
}

impl Effects {
    /// Wait for whatever can happen in `state`: a command, or the launch, process or timer.
    async fn next_event(
        &mut self,
        state: &State,
        rx: &mut mpsc::UnboundedReceiver<Command>,
    ) -> (Event, Option<oneshot::Sender<()>>) {
        match state {
            State::Launching { .. } => self.launch_event(rx).await,
            State::Running { .. } => self.process_event(rx).await,
            State::BackingOff { delay } => tokio::select! {
                _ = tokio::time::sleep(*delay) => (Event::BackoffElapsed, None),
                command = rx.recv() => command_event(command),
            },
            State::Idle | State::Finished => command_event(rx.recv().await),
        }
    }

    /// The launch under way finishes, or a command comes first (the launch goes on).
    async fn launch_event(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Command>,
    ) -> (Event, Option<oneshot::Sender<()>>) {
        let Some(mut launching) = self.launching.take() else {
            return command_event(rx.recv().await);
        };
        tokio::select! {
            launched = &mut launching => (self.launched(launched), None),
            command = rx.recv() => {
                self.launching = Some(launching);
                command_event(command)
            }
        }
    }

    /// The running process exits, a health check is due, or a command comes.
    async fn process_event(
        &mut self,
        rx: &mut mpsc::UnboundedReceiver<Command>,
    ) -> (Event, Option<oneshot::Sender<()>>) {
        let Some(process) = self.process.as_mut() else {
            return command_event(rx.recv().await);
        };
        let exited = tokio::select! {
            status = process.child.wait() => status,
            _ = process.health.tick() => {
                let answered = tokio::time::timeout(HEALTH_TIMEOUT, process.client.settings()).await;
                return (Event::Health { answered: matches!(answered, Ok(Ok(_))) }, None);
            }
            command = rx.recv() => return command_event(command),
        };
        self.rt.pid.store(0, Ordering::SeqCst);
        self.process = None;
        let status = exited
            .map(|s| s.to_string())
            .unwrap_or_else(|e| e.to_string());
        let message = format!("Node-RED exited unexpectedly ({status}).");
        (Event::Exited(message), None)
    }

    /// The launch's result as an event; a process that answers is kept.
    fn launched(&mut self, launched: Result<(Child, u16), LaunchError>) -> Event {
        self.rt.spawned.store(0, Ordering::SeqCst);
        match launched {
            Err(LaunchError::Fatal(message)) => Event::LaunchFailed(message),
            Err(LaunchError::Exited(message)) => Event::LaunchExited(message),
            Err(LaunchError::PortTaken(port)) => Event::PortTaken(port),
            Ok((child, port)) => {
                let health = tokio::time::interval_at(
                    tokio::time::Instant::now() + HEALTH_EVERY,
                    HEALTH_EVERY,
                );
                let client = self.shared.client(&self.rt.id, port);
                self.process = Some(Process {
                    child,
                    client,
                    health,
                });
                Event::Launched
            }
        }
    }

    async fn perform(&mut self, effect: Effect) {
        let rt = &self.rt;
        match effect {
            Effect::Launch => {
                let (rt, shared) = (rt.clone(), self.shared.clone());
                self.launching = Some(Box::pin(async move { launch(&rt, &shared).await }));
            }
            Effect::CancelLaunch => {
                // Bubblewrap and all it started, at once (see `cancel`); dropping the launch
                // then reaps it (kill_on_drop).
                cancel::kill_launch(rt.spawned.swap(0, Ordering::SeqCst)).await;
                self.launching = None;
                rt.pid.store(0, Ordering::SeqCst);
            }
            Effect::StopProcess => {
                if let Some(mut process) = self.process.take() {
                    stop_child(rt, &mut process.child).await;
                }
            }
            Effect::ReportStopped => rt.set(RuntimeState::Stopped),
            Effect::ReportError(message) => rt.set(RuntimeState::Error { message }),
            Effect::ReportCrash { message, delay } => report_crash(rt, message, delay),
            Effect::Note(line) => rt.note(line),
        }
    }
}

/// Say that it crashed, count it, and when it is tried again.
fn report_crash(rt: &Runtime, message: String, delay: Duration) {
    rt.note(format!("{message} Restarting in {} s.", delay.as_secs()));
    let restart_at_ms = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    rt.status.send_modify(|s| {
        s.crashes += 1;
        s.last_crash = Some((now_ms(), message.clone()));
        s.state = RuntimeState::Crashed {
            message,
            restart_at_ms,
        };
    });
}
