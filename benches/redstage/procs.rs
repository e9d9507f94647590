//! The process table as the bench reads it: memory of a process, the processes of a group or
//! naming a directory, and a one-line description of one.

use std::path::Path;

use anyhow::{Result, anyhow};

/// VmRSS and VmHWM of a process, in KiB.
pub fn memory_kib(pid: i32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .ok_or_else(|| anyhow!("no {name} for {pid}"))?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .ok_or_else(|| anyhow!("bad {name}"))?
            .parse()?)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// `pid (state, parent ppid): command line`, cut short, for a warning.
pub fn describe(pid: i32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let mut rest = stat
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace();
    let (state, ppid) = (rest.next().unwrap_or("?"), rest.next().unwrap_or("?"));
    let line = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let line: String = String::from_utf8_lossy(&line)
        .replace('\0', " ")
        .chars()
        .take(90)
        .collect();
    format!("{pid} ({state}, parent {ppid}): {line}")
}

/// Processes (other than this one) whose command line names `dir`, or a path under it.
pub fn using(dir: &Path) -> Vec<i32> {
    let (Some(dir), Ok(entries)) = (dir.to_str(), std::fs::read_dir("/proc")) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| *pid != std::process::id() as i32)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| String::from_utf8_lossy(&line).contains(dir))
        })
        .collect()
}

/// Processes of process group `pgid` with their state letter.
pub fn group(pgid: i32) -> Vec<(i32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (_, rest) = stat.rsplit_once(')')?;
            let mut fields = rest.split_whitespace();
            let state = fields.next()?.to_owned();
            let group: i32 = fields.nth(1)?.parse().ok()?;
            (group == pgid).then_some((pid, state))
        })
        .collect()
}
