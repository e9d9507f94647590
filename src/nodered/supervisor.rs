//! One task per instance keeps its Node-RED process where it should be: installs Node-RED when
//! needed, writes settings.js, starts the process, waits until its admin API answers, restarts it
//! with back-off when it crashes, and stops it gracefully (SIGTERM, then kill after a timeout).

use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;
use tokio::sync::{mpsc, oneshot, watch};

use super::Shared;
use super::logbuf::LogBuffer;
use super::state::{RuntimeState, RuntimeStatus};
use crate::db::ids::InstanceId;
use crate::db::now_ms;

/// How long a runtime gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long a starting runtime gets until its admin API must answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);
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
    pid: AtomicU32,
    /// The environment the current (or last) process was started with.
    launch_env: Mutex<Vec<(String, String)>>,
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
    /// restart or a crash); its port and pid. Waits forever if nobody starts it: bound it.
    pub async fn wait_running(&self, except_pid: Option<u32>) -> (u16, u32) {
        let mut status = self.subscribe();
        loop {
            if let RuntimeState::Running { port, pid, .. } = status.borrow_and_update().state
                && Some(pid) != except_pid
            {
                return (port, pid);
            }
            if status.changed().await.is_err() {
                // The supervisor is gone (instance deleted): nothing will ever run.
                std::future::pending::<()>().await;
            }
        }
    }

    fn set(&self, state: RuntimeState) {
        self.status.send_modify(|s| s.state = state);
    }

    fn note(&self, line: impl AsRef<str>) {
        self.logs.push(format!("[redstage] {}", line.as_ref()));
    }
}

enum LaunchError {
    /// Cannot work until someone acts; stay down.
    Fatal(String),
    /// The process died while starting; treat like a crash.
    Exited(String),
}

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

/// Install if needed, write settings.js, spawn, and wait until the admin API answers.
async fn launch(rt: &Arc<Runtime>, shared: &Shared) -> Result<(Child, u16), LaunchError> {
    if let Some(message) = &shared.node_error {
        return Err(LaunchError::Fatal(message.clone()));
    }
    if !shared.install.is_installed() {
        rt.set(RuntimeState::Installing);
        rt.note(format!(
            "Installing Node-RED {} with npm…",
            super::install::NODE_RED_VERSION
        ));
        shared.install.ensure().await.map_err(LaunchError::Fatal)?;
    }
    let spec = (shared.loader)(rt.id.clone())
        .await
        .map_err(LaunchError::Fatal)?;
    let port = free_port().map_err(|e| LaunchError::Fatal(format!("no free port: {e}")))?;
    let dir = shared.user_dir(&rt.id);
    let settings_js = shared.render_settings(&rt.id, &spec, port);
    let prepared = tokio::fs::create_dir_all(&dir)
        .await
        .and(tokio::fs::write(dir.join("settings.js"), settings_js).await);
    prepared.map_err(|e| LaunchError::Fatal(format!("cannot write {}: {e}", dir.display())))?;

    let mut child = tokio::process::Command::new("node")
        .arg("--require")
        .arg(&shared.watchdog_js)
        .arg(shared.install.red_js())
        .arg("--userDir")
        .arg(&dir)
        .arg("--settings")
        .arg(dir.join("settings.js"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .env("NODE_ENV", "production")
        .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| LaunchError::Fatal(format!("cannot start node: {e}")))?;
    let pid = child.id().unwrap_or(0);
    rt.pid.store(pid, Ordering::SeqCst);
    let mut env = spec.env.clone();
    env.sort();
    *rt.launch_env.lock().unwrap_or_else(|p| p.into_inner()) = env;
    rt.note(format!(
        "Starting Node-RED {} on 127.0.0.1:{port} (pid {pid}).",
        spec.node_red_version
    ));
    rt.set(RuntimeState::Starting { port });
    pump(child.stdout.take(), rt.clone());
    pump(child.stderr.take(), rt.clone());

    let client = shared.client(&rt.id, port);
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        tokio::select! {
            status = child.wait() => {
                rt.pid.store(0, Ordering::SeqCst);
                let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                return Err(LaunchError::Exited(format!("Node-RED stopped while starting ({status}).")));
            }
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        if client.settings().await.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            stop_child(rt, &mut child).await;
            return Err(LaunchError::Exited(
                "Node-RED did not answer within 60 s.".into(),
            ));
        }
    }
    rt.note("Node-RED is running.");
    rt.set(RuntimeState::Running {
        port,
        pid,
        since_ms: now_ms(),
    });
    Ok((child, port))
}

/// SIGTERM, wait up to [`STOP_GRACE`], then kill.
async fn stop_child(rt: &Runtime, child: &mut Child) {
    rt.set(RuntimeState::Stopping);
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        rt.note("Node-RED did not stop within 10 s; killing it.");
        let _ = child.kill().await;
    }
    rt.pid.store(0, Ordering::SeqCst);
    rt.note("Node-RED stopped.");
}

/// Copy a child's output, line by line, into the runtime's log buffer.
fn pump(stream: Option<impl AsyncRead + Unpin + Send + 'static>, rt: Arc<Runtime>) {
    let Some(stream) = stream else { return };
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            rt.logs.push(line);
        }
    });
}

/// A port free on 127.0.0.1 right now.
fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()
        .map(|a| a.port())
}
