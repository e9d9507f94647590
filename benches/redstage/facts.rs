//! Facts of the run for the report: date, commit, CPU, cores, memory, Node.js, and how busy the
//! machine already was.

use std::time::Duration;

use anyhow::Result;

/// Output of a command, trimmed ("?" when it cannot run).
pub fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

/// Date, commit, CPU, cores, memory, Node.js, the sandbox, and how busy the machine already is.
pub async fn machine() -> Result<Vec<String>> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo")?;
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("?", |(_, m)| m.trim());
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let meminfo = std::fs::read_to_string("/proc/meminfo")?;
    let mem_kib: f64 = meminfo
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let dirty = command("git", &["status", "--porcelain"]);
    let commit = format!(
        "{}{}",
        command("git", &["rev-parse", "--short", "HEAD"]),
        if dirty.is_empty() {
            ""
        } else {
            " + uncommitted changes"
        }
    );
    let load = std::fs::read_to_string("/proc/loadavg")?;
    let busy = busy_over(Duration::from_secs(1)).await?;
    Ok(vec![
        format!("Date: {}", command("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        format!("Commit: {commit}; {}", command("rustc", &["--version"])),
        format!(
            "Machine: {model}, {cores} cores, {:.1} GiB RAM",
            mem_kib / 1048576.0
        ),
        format!("Node.js {}", command("node", &["--version"])),
        match command("bwrap", &["--version"]) {
            missing if missing == "?" => "Runtimes run without a sandbox (no bubblewrap)".into(),
            version => format!("Runtimes run sandboxed, as by default ({version})"),
        },
        format!(
            "Before the bench: load average {}, CPU {busy:.0}% busy (other processes)",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ])
}

/// Busy and total jiffies of all CPUs so far (/proc/stat).
pub fn cpu_ticks() -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let v: Vec<f64> = stat
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().sum();
    let idle = v.get(3).unwrap_or(&0.0) + v.get(4).unwrap_or(&0.0);
    Ok((total - idle, total))
}

/// % of all CPUs busy over `window`.
pub async fn busy_over(window: Duration) -> Result<f64> {
    let a = cpu_ticks()?;
    tokio::time::sleep(window).await;
    let b = cpu_ticks()?;
    Ok(100.0 * (b.0 - a.0) / (b.1 - a.1).max(1.0))
}

/// Wait until the machine is quiet (under 15% busy over 200 ms), at most 5 s; whether it was.
pub async fn settle() -> Result<bool> {
    for _ in 0..25 {
        if busy_over(Duration::from_millis(200)).await? < 15.0 {
            return Ok(true);
        }
    }
    Ok(false)
}
