//! Tests of ending a launch under way, against the real bubblewrap.

use std::process::Stdio;
use std::time::Duration;

use super::kill_launch;
use crate::nodered::sandbox::{Mounts, Sandbox, SandboxMode};

/// Processes whose command line contains `marker`.
fn running(marker: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| String::from_utf8_lossy(&line).contains(marker))
        })
        .collect()
}

#[tokio::test]
async fn a_launch_killed_while_bubblewrap_sets_up_leaves_nothing_running()
-> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::probe(SandboxMode::Required).await;
    assert!(
        sandbox.active(),
        "needs bubblewrap: {:?}",
        sandbox.refusal()
    );
    let scratch = tempfile::tempdir()?;
    let mounts = Mounts {
        user_dir: scratch.path(),
        read_only: Vec::new(),
        extra: &[],
        hosts: None,
    };
    // A sleep no other process runs: its length names this test run.
    let marker = format!("4321.{}", std::process::id());
    // Killed at once or after a few milliseconds: at some of these moments bubblewrap is still
    // setting the sandbox up (killing it alone then leaves about half of them running).
    for round in 0..20u64 {
        let mut child = sandbox
            .command("sleep", &mounts)
            .arg(&marker)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        tokio::time::sleep(Duration::from_millis(round % 5)).await;
        kill_launch(child.id().ok_or("no pid")?).await;
        let _ = child.wait().await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left = running(&marker);
    for pid in &left {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(*pid).unwrap_or(0)),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(left.is_empty(), "left running: {left:?}");
    Ok(())
}

#[tokio::test]
async fn a_pid_that_is_not_our_child_is_left_alone() {
    // This test's own parent (cargo's test runner or a shell) is not its child.
    let parent = nix::unistd::getppid().as_raw();
    kill_launch(u32::try_from(parent).unwrap_or(0)).await;
    assert!(
        std::fs::read_to_string(format!("/proc/{parent}/stat")).is_ok_and(|s| !s
            .rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('T'))),
        "the parent was not stopped"
    );
}
