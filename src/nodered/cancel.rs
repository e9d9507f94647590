//! Ending a launch that is under way, whatever it has reached.
//!
//! Killing bubblewrap alone is not enough while it sets a sandbox up: the sandbox's init (pid 1
//! of its pid namespace) ties itself to bubblewrap's life (`--die-with-parent`) only once the
//! sandbox is set up. Killed before that, bubblewrap leaves the init, and the runtime it starts,
//! running on with no parent (seen when the server was stopped right after it started its
//! runtimes). So bubblewrap is stopped first (it starts nothing more), then everything it started
//! is killed (the init takes its pid namespace with it), then bubblewrap itself.

use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// How long a stopped process gets to show as stopped.
const STOP_WITHIN: Duration = Duration::from_millis(100);

/// Kill `spawned` (a child of this process) and every process it started, at once.
pub(super) async fn kill_launch(spawned: u32) {
    let Ok(raw) = i32::try_from(spawned) else {
        return;
    };
    // Only our own child: a pid that ended and was reaped may belong to someone else by now.
    if parent_of(spawned) != Some(std::process::id()) {
        return;
    }
    let pid = Pid::from_raw(raw);
    if kill(pid, Signal::SIGSTOP).is_err() {
        return;
    }
    let deadline = tokio::time::Instant::now() + STOP_WITHIN;
    while !matches!(state_of(spawned), None | Some('T' | 'Z'))
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for child in descendants(spawned) {
        if let Ok(child) = i32::try_from(child) {
            let _ = kill(Pid::from_raw(child), Signal::SIGKILL);
        }
    }
    let _ = kill(pid, Signal::SIGKILL);
}

/// The fields of `/proc/{pid}/stat` after the command name.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// The state letter of `pid` (`R`, `S`, `T`, `Z`, ...), if it exists.
fn state_of(pid: u32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// The parent of `pid`, if it exists.
fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// Every process `pid` started, and those they started, parents first.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut next = vec![pid];
    while let Some(parent) = next.pop() {
        let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            found.push(child);
            next.push(child);
        }
    }
    found
}

#[cfg(test)]
#[path = "cancel_tests.rs"]
mod tests;
