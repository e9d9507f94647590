//! Starting and stopping one Node-RED process: install Node-RED if needed, write settings.js,
//! spawn `node red.js` with the instance's environment and a parent watchdog, copy its output
//! into the log, wait until its admin API answers; stop with SIGTERM, then kill after a timeout.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;

use super::Shared;
use super::runtime::Runtime;
use super::sandbox::Mounts;
use super::state::{RuntimeState, loopback};
use crate::db::now_ms;

/// How long a runtime gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long a starting runtime gets until its admin API must answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one readiness probe of a starting runtime may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) enum LaunchError {
    /// Cannot work until someone acts; stay down.
    Fatal(String),
    /// The process died while starting; treat like a crash.
    Exited(String),
    /// The process could not listen: another process took its port first (launch again).
    PortTaken(u16),
}

/// Install if needed, write settings.js, spawn, and wait until the admin API answers.
pub(super) async fn launch(
    rt: &Arc<Runtime>,
    shared: &Shared,
) -> Result<(Child, u16), LaunchError> {
    if let Err(message) = shared
        .node_check
        .get_or_init(super::install::check_node)
        .await
    {
        return Err(LaunchError::Fatal(message.clone()));
    }
    let sandbox = shared.sandbox().await;
    if let Some(refusal) = sandbox.refusal() {
        return Err(LaunchError::Fatal(refusal));
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
    let port = shared
        .choose_port()
        .map_err(|e| LaunchError::Fatal(format!("no free port: {e}")))?;
    let dir = shared.user_dir(&rt.id);
    let settings_js = shared.render_settings(&rt.id, &spec, port);
    let prepared = tokio::fs::create_dir_all(&dir)
        .await
        .and(tokio::fs::write(dir.join("settings.js"), settings_js).await);
    prepared.map_err(|e| LaunchError::Fatal(format!("cannot write {}: {e}", dir.display())))?;

    let install = shared.install.root();
    let hosts_file = shared
        .instances_dir
        .join(format!("{}.hosts", rt.id.as_str()));
    let hosts = match sandbox.active() && !spec.hosts.is_empty() {
        true => {
            let text = super::sandbox::Sandbox::hosts_file(&spec.hosts);
            tokio::fs::write(&hosts_file, text).await.map_err(|e| {
                LaunchError::Fatal(format!("cannot write {}: {e}", hosts_file.display()))
            })?;
            Some(hosts_file.as_path())
        }
        false => None,
    };
    let mounts = Mounts {
        user_dir: &dir,
        read_only: vec![install.as_path()],
        extra: &spec.mounts,
        hosts,
    };
    let mut command = sandbox.command("node", &mounts);
    // In the sandbox bubblewrap ends the runtime with its parent; outside it, the watchdog does.
    if !sandbox.active() {
        command.arg("--require").arg(&shared.watchdog_js);
    }
    let mut child = command
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
        // The palette manager runs npm with this environment: the platform's registry, set after
        // the instance's own variables so that it wins.
        .envs(shared.install.npm().env())
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| LaunchError::Fatal(format!("cannot start node: {e}")))?;
    let spawned = child.id().unwrap_or(0);
    rt.spawned.store(spawned, Ordering::SeqCst);
    // In the sandbox Node.js is bubblewrap's grandchild: signals (a graceful stop) go to it.
    let pid = if sandbox.active() {
        sandboxed_pid(spawned).await
    } else {
        spawned
    };
    rt.pid.store(pid, Ordering::SeqCst);
    let mut env = spec.env.clone();
    env.sort();
    *rt.launch_env.lock().unwrap_or_else(|p| p.into_inner()) = env;
    let sandboxed = if sandbox.active() {
        ", sandboxed"
    } else {
        ", NOT sandboxed"
    };
    rt.note(format!(
        "Starting Node-RED {} on 127.0.0.1:{port} (pid {pid}{sandboxed}).",
        spec.node_red_version
    ));
    let address = loopback(port).ok_or_else(|| LaunchError::Fatal(format!("port {port}")))?;
    rt.set(RuntimeState::Starting {
        address: address.clone(),
    });
    pump(child.stdout.take(), rt.clone());
    pump(child.stderr.take(), rt.clone());

    let client = shared.client(&rt.id, port);
    let first_line = rt.logs.next_seq();
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        // The probe races the exit too: whatever took the port may accept and never answer.
        let probe = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let answer = tokio::time::timeout(PROBE_TIMEOUT, client.settings()).await;
            matches!(answer, Ok(Ok(_)))
        };
        tokio::select! {
            status = child.wait() => {
                rt.pid.store(0, Ordering::SeqCst);
                if port_taken(rt, port, first_line) {
                    return Err(LaunchError::PortTaken(port));
                }
                let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                return Err(LaunchError::Exited(format!("Node-RED stopped while starting ({status}).")));
            }
            answered = probe => if answered { break },
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
        address,
        pid,
        since_ms: now_ms(),
    });
    Ok((child, port))
}

/// SIGTERM (to Node.js itself, inside the sandbox), wait up to [`STOP_GRACE`], then kill.
pub(super) async fn stop_child(rt: &Runtime, child: &mut Child) {
    rt.set(RuntimeState::Stopping);
    let node = Some(rt.pid.load(Ordering::SeqCst)).filter(|p| *p != 0);
    if let Some(pid) = node.or(child.id()).and_then(|p| i32::try_from(p).ok()) {
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

/// The process bubblewrap (`spawned`) runs the command as: the first descendant that is not
/// bubblewrap itself (it forks an init for the new pid namespace). `spawned` if none shows up.
async fn sandboxed_pid(spawned: u32) -> u32 {
    for _ in 0..100 {
        let mut pid = spawned;
        loop {
            let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"));
            let Some(child) = children
                .ok()
                .and_then(|c| c.split_whitespace().next()?.parse().ok())
            else {
                break;
            };
            let comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            if comm.trim() != "bwrap" {
                return child;
            }
            pid = child;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    spawned
}

/// Whether the process that just exited could not listen on `port` because another process
/// holds it: Node-RED says so in its log (lines numbered `first_line` or later), or the port
/// cannot be bound now (its output may not all be copied into the log yet).
fn port_taken(rt: &Runtime, port: u16, first_line: u64) -> bool {
    let said_so = rt
        .logs
        .since(first_line)
        .iter()
        .any(|(_, line)| line.contains("Error: port in use"));
    said_so
        || std::net::TcpListener::bind(("127.0.0.1", port))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
}

/// A port free on 127.0.0.1 right now (another process may take it before Node-RED listens on
/// it: the supervisor then launches again, see [`LaunchError::PortTaken`]).
pub(super) fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()
        .map(|a| a.port())
}
