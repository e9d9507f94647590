//! One task per instance keeps its Node-RED process where it should be: installs Node-RED when
//! needed, writes settings.js, starts the process, waits until its admin API answers, restarts it
//! with back-off when it crashes, and stops it gracefully (SIGTERM, then kill after a timeout).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::Shared;
use super::launch::{LaunchError, launch, stop_child};
use super::runtime::{Command, Runtime};
use super::state::RuntimeState;
use crate::db::now_ms;

/// Longest wait between crash restarts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often a running runtime's admin API is checked.
const HEALTH_EVERY: Duration = Duration::from_secs(10);
/// How long a health check may take.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Consecutive failed checks after which the runtime is restarted.
const HEALTH_FAILURES: u32 = 3;
/// A run this long resets the back-off.
const STABLE_RUN: Duration = Duration::from_secs(60);

/// The supervisor loop of one runtime.
pub(crate) async fn supervise(
    rt: Arc<Runtime>,
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<Command>,
) {
    let mut want_running = false;
    let mut backoff = Duration::from_secs(1);
    'supervise: loop {
        if !want_running {
            match rx.recv().await {
                Some(Command::Start | Command::Restart) => {
                    want_running = true;
                    backoff = Duration::from_secs(1);
                }
                Some(Command::Stop(ack)) => {
                    rt.set(RuntimeState::Stopped);
                    let _ = ack.send(());
                }
                Some(Command::Shutdown(ack)) => {
                    let _ = ack.send(());
                    return;
                }
                None => return,
            }
            continue;
        }
        let launching = launch(&rt, &shared);
        tokio::pin!(launching);
        let launched = loop {
            tokio::select! {
                result = &mut launching => break result,
                // Dropping the launch future kills a half-started process (kill_on_drop).
                command = rx.recv() => match command {
                    Some(Command::Start) => continue,
                    Some(Command::Restart) => continue 'supervise,
                    Some(Command::Stop(ack)) => {
                        rt.set(RuntimeState::Stopped);
                        want_running = false;
                        let _ = ack.send(());
                        continue 'supervise;
                    }
                    Some(Command::Shutdown(ack)) => {
                        rt.set(RuntimeState::Stopped);
                        let _ = ack.send(());
                        return;
                    }
                    None => return,
                }
            }
        };
        let message = match launched {
            Err(LaunchError::Fatal(message)) => {
                rt.note(&message);
                rt.set(RuntimeState::Error { message });
                want_running = false;
                continue;
            }
            Err(LaunchError::Exited(message)) => message,
            Ok((mut child, port)) => {
                let started = Instant::now();
                let client = shared.client(&rt.id, port);
                let mut health = tokio::time::interval_at(
                    tokio::time::Instant::now() + HEALTH_EVERY,
                    HEALTH_EVERY,
                );
                let mut unanswered = 0;
                let message = loop {
                    tokio::select! {
                        status = child.wait() => {
                            let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                            break format!("Node-RED exited unexpectedly ({status}).");
                        }
                        _ = health.tick() => {
                            let answered = tokio::time::timeout(HEALTH_TIMEOUT, client.settings()).await;
                            unanswered = if matches!(answered, Ok(Ok(_))) { 0 } else { unanswered + 1 };
                            if unanswered >= HEALTH_FAILURES {
                                stop_child(&rt, &mut child).await;
                                break "Node-RED stopped answering its admin API for 30 s and was stopped.".to_owned();
                            }
                        }
                        command = rx.recv() => {
                            if matches!(command, Some(Command::Start)) {
                                continue;
                            }
                            stop_child(&rt, &mut child).await;
                            match command {
                                Some(Command::Start | Command::Restart) => {
                                    backoff = Duration::from_secs(1);
                                    continue 'supervise;
                                }
                                Some(Command::Stop(ack)) => {
                                    rt.set(RuntimeState::Stopped);
                                    want_running = false;
                                    let _ = ack.send(());
                                    continue 'supervise;
                                }
                                Some(Command::Shutdown(ack)) => {
                                    rt.set(RuntimeState::Stopped);
                                    let _ = ack.send(());
                                    return;
                                }
                                None => return,
                            }
                        }
                    }
                };
                rt.pid.store(0, Ordering::SeqCst);
                if started.elapsed() > STABLE_RUN {
                    backoff = Duration::from_secs(1);
                }
                message
            }
        };
        // Crashed: say so, wait (interruptibly), try again.
        rt.note(format!("{message} Restarting in {} s.", backoff.as_secs()));
        let restart_at_ms = now_ms() + i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX);
        rt.status.send_modify(|s| {
            s.crashes += 1;
            s.last_crash = Some((now_ms(), message.clone()));
            s.state = RuntimeState::Crashed {
                message: message.clone(),
                restart_at_ms,
            };
        });
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            command = rx.recv() => match command {
                Some(Command::Restart | Command::Start) => {}
                Some(Command::Stop(ack)) => { rt.set(RuntimeState::Stopped); want_running = false; let _ = ack.send(()); }
                Some(Command::Shutdown(ack)) => { rt.set(RuntimeState::Stopped); let _ = ack.send(()); return; }
                None => return,
            }
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
