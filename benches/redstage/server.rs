//! The server under test: this repository's release binary (the one `cargo bench` built) as a
//! separate process on a free port with its own data directory, in a process group of its own
//! so that everything it starts (its Node-RED runtimes) can be found and ended. Dropping a
//! [`Server`] stops it gracefully (SIGTERM: it stops its runtimes), then kills whatever is left.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::procs::{describe, group, memory_kib, using};

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "bench-admin-password-1";

/// `target/tmp`: the shared Node-RED installation and the servers' logs live there.
pub fn target_tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// A running redstage process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, as the server printed it.
    pub base: String,
    /// When the process was spawned.
    pub spawned_at: Instant,
    data_dir: PathBuf,
    stopped: bool,
}

impl Server {
    /// Spawn the server on `data_dir`; its stdout and stderr go to `target/tmp/bench-logs/{log}.log`.
    /// Returns once it printed the address it listens on.
    pub fn spawn(data_dir: &Path, log: &str) -> Result<Self> {
        let logs = target_tmp().join("bench-logs");
        std::fs::create_dir_all(&logs)?;
        let log_path = logs.join(format!("{log}.log"));
        let out = File::create(&log_path)?;
        let spawned_at = Instant::now();
        let mut command = Command::new(env!("CARGO_BIN_EXE_redstage"));
        // The server's defaults, whatever this shell has set (RUST_LOG, REDSTAGE_*).
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("REDSTAGE_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        let mut child = command
            .env("REDSTAGE_BIND", "127.0.0.1:0")
            .env("REDSTAGE_DATA_DIR", data_dir)
            .env("REDSTAGE_ADMIN_USER", ADMIN)
            .env("REDSTAGE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("REDSTAGE_NODE_RED_DIR", target_tmp().join("node-red"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start the redstage binary")?;
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let mut server = Self {
            child,
            base: String::new(),
            spawned_at,
            data_dir: data_dir.to_owned(),
            stopped: false,
        };
        let (tx, rx) = mpsc::channel();
        if let Some(stderr) = stderr {
            let out = out.try_clone()?;
            std::thread::spawn(move || copy_lines(stderr, out, None));
        }
        if let Some(stdout) = stdout {
            std::thread::spawn(move || copy_lines(stdout, out, Some(tx)));
        }
        server.base = rx.recv_timeout(Duration::from_secs(120)).map_err(|_| {
            anyhow!(
                "redstage did not say where it listens; see {}",
                log_path.display()
            )
        })?;
        Ok(server)
    }

    /// The server's process id (also its process group).
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(i32::MAX)
    }

    /// VmRSS and VmHWM (peak) of the server process, in KiB.
    pub fn memory_kib(&self) -> Result<(u64, u64)> {
        memory_kib(self.pid())
    }

    /// VmRSS of every other live process of its group (the Node-RED runtimes), KiB, sorted.
    pub fn runtimes_kib(&self) -> Vec<u64> {
        let mut all: Vec<u64> = group(self.pid())
            .into_iter()
            .filter(|(pid, state)| *pid != self.pid() && state != "Z")
            .filter_map(|(pid, _)| memory_kib(pid).ok().map(|(rss, _)| rss))
            .collect();
        all.sort_unstable();
        all
    }

    /// CPU time the server process has used so far (user + system).
    pub fn cpu(&self) -> Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // After the command: state(0) ppid(1) ... utime(11) stime(12), in clock ticks (100 Hz).
        let tick = |i: usize| -> Result<u64> {
            Ok(fields
                .get(i)
                .ok_or_else(|| anyhow!("short stat"))?
                .parse()?)
        };
        Ok(Duration::from_millis((tick(11)? + tick(12)?) * 10))
    }

    /// SIGTERM (the server stops its runtimes gracefully), SIGKILL after 30 s, then SIGKILL for any
    /// process left in its group. Returns how long the graceful stop took and how many were left.
    pub fn stop(&mut self) -> Result<(Duration, usize)> {
        if self.stopped {
            return Ok((Duration::ZERO, 0));
        }
        self.stopped = true;
        let pid = self.pid();
        let started = Instant::now();
        if self.child.try_wait()?.is_none() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            while self.child.try_wait()?.is_none() {
                if started.elapsed() > Duration::from_secs(30) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                    self.child.wait()?;
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let took = started.elapsed();
        // Give orphaned runtimes a moment to be reaped, then end whatever is still alive.
        std::thread::sleep(Duration::from_millis(100));
        // Runtimes run in sessions of their own (bubblewrap's --new-session): they are found by
        // their userDir, under the data directory, rather than by the server's group.
        let mut left: Vec<i32> = group(pid)
            .into_iter()
            .filter(|(_, state)| state != "Z")
            .map(|(p, _)| p)
            .collect();
        for p in using(&self.data_dir) {
            if !left.contains(&p) {
                left.push(p);
            }
        }
        let seen: Vec<String> = left.iter().map(|p| describe(*p)).collect();
        for p in &left {
            let _ = kill(Pid::from_raw(*p), Signal::SIGKILL);
        }
        if !left.is_empty() {
            eprintln!(
                "warning: {} process(es) outlived the server and were killed: {seen:?}",
                left.len()
            );
        }
        Ok((took, left.len()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("could not stop the server {}: {e}", self.pid());
        }
    }
}

/// Spawn a server on `data_dir`, poll `GET /login` until it answers 200, stop it; the time from
/// spawning the process to that first 200.
pub async fn cold_start(data_dir: &Path, log: &str) -> Result<Duration> {
    let mut server = Server::spawn(data_dir, log)?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = format!("{}/login", server.base);
    loop {
        if let Ok(answer) = http.get(&url).send().await
            && answer.status() == reqwest::StatusCode::OK
        {
            break;
        }
        if server.spawned_at.elapsed() > Duration::from_secs(60) {
            bail!("GET /login did not answer 200 within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = server.spawned_at.elapsed();
    server.stop()?;
    Ok(took)
}

fn copy_lines(from: impl Read, mut to: File, banner: Option<mpsc::Sender<String>>) {
    for line in BufReader::new(from).lines() {
        let Ok(line) = line else { break };
        let _ = writeln!(to, "{line}");
        if let (Some(tx), Some((_, rest))) = (&banner, line.split_once("redstage is listening on "))
        {
            let _ = tx.send(
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
}

/// `runs` cold starts in fresh data directories, then `runs` in one that already exists.
pub async fn cold_starts(runs: usize) -> Result<Vec<(String, Vec<Duration>)>> {
    let small = tempfile::tempdir()?;
    let mut fresh = Vec::new();
    for i in 0..runs {
        let dir = tempfile::tempdir()?;
        fresh.push(cold_start(dir.path(), &format!("cold-fresh-{i}")).await?);
    }
    cold_start(small.path(), "cold-first").await?;
    let mut existing = Vec::new();
    for i in 0..runs {
        existing.push(cold_start(small.path(), &format!("cold-existing-{i}")).await?);
    }
    Ok(vec![
        ("fresh data directory".into(), fresh),
        ("existing data directory (no instances)".into(), existing),
    ])
}
