//! The DevOps Pipelines page under load: an application seeded with many pipelines directly in
//! the SQLite file (the server keeps running: WAL), the SQL statements one page costs (read from
//! `GET /admin/stats`), and `wrk` at several connection counts with the server's CPU use.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use redstage::db::Db;
use redstage::db::ids::{ApplicationId, InstanceId};
use redstage::db::models::{pipelines, stages};
use redstage::domain::stages::Placement;

use crate::facts::cpu_ticks;
use crate::server::Server;
use crate::web::Browser;

/// One wrk run.
pub struct Load {
    pub connections: u32,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Server CPU over the run, % of one core.
    pub server_cpu: f64,
    /// Whole machine busy over the run, % of all cores.
    pub machine_busy: f64,
    /// Server CPU time per request, µs.
    pub cpu_per_request_us: f64,
}

/// `count` pipelines named "Pipeline 0001"... of `app`, each with one stage per instance.
pub async fn seed(db: &Db, app: &str, instances: &[String], count: usize) -> Result<Duration> {
    let started = Instant::now();
    let app = ApplicationId::from(app.to_owned());
    let instances: Vec<InstanceId> = instances.iter().cloned().map(InstanceId::from).collect();
    db.run(move |conn| {
        for n in 1..=count {
            let pipeline = pipelines::create(conn, &app, &format!("Pipeline {n:04}"))?;
            for (i, instance) in instances.iter().enumerate() {
                let name = format!("Stage {}", i + 1);
                stages::add(conn, &pipeline.id, &name, instance, &Placement::End)?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(started.elapsed())
}

/// SQL statements of one `GET path` by `admin`, as tests/api/pipelines.rs counts them: the
/// counter before and after, less what a stats request costs itself, each the least of three
/// samples (the counter also counts background writes, e.g. a session's last-seen). Also the
/// page's size.
pub async fn queries(admin: &Browser, path: &str) -> Result<(u64, usize)> {
    let mut least: Option<(u64, usize)> = None;
    for _ in 0..3 {
        let (count, bytes) = queries_once(admin, path).await?;
        least = Some(least.map_or((count, bytes), |(n, b)| (n.min(count), b)));
    }
    least.ok_or_else(|| anyhow!("no sample"))
}

async fn queries_once(admin: &Browser, path: &str) -> Result<(u64, usize)> {
    let count = || async {
        let page = admin.get("/admin/stats").await?;
        let stats: serde_json::Value = serde_json::from_str(&page.body)?;
        stats["sql_queries"]
            .as_u64()
            .ok_or_else(|| anyhow!("no sql_queries in /admin/stats: {}", page.body))
    };
    let mut calibration = u64::MAX;
    for _ in 0..3 {
        let before = count().await?;
        calibration = calibration.min(count().await? - before);
    }
    let start = count().await?;
    let page = admin.get(path).await?;
    if page.status != reqwest::StatusCode::OK {
        bail!("GET {path} answered {}", page.status);
    }
    let end = count().await?;
    // Kept for a look at what the page is made of (target/tmp/bench-logs/page-*.html).
    let name = format!("page-{}.html", path.replace(['/', '?', '='], "_"));
    std::fs::write(
        super::server::target_tmp().join("bench-logs").join(name),
        &page.body,
    )?;
    Ok(((end - start).saturating_sub(calibration), page.body.len()))
}

/// `wrk --latency` on `url` for `seconds` with `connections`, sending `headers`.
pub async fn wrk(
    server: &Server,
    url: &str,
    headers: &[String],
    connections: u32,
    seconds: u32,
) -> Result<Load> {
    let (cpu_before, machine_before) = (server.cpu()?, cpu_ticks()?);
    let mut command = tokio::process::Command::new("wrk");
    command
        .arg("-t1")
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .args(["--latency", "--timeout", "10s"]);
    for header in headers {
        command.arg("-H").arg(header);
    }
    let output = command
        .arg(url)
        .output()
        .await
        .context("wrk is needed (apt-get install wrk; .ci/bench does it)")?;
    let (cpu_after, machine_after) = (server.cpu()?, cpu_ticks()?);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        bail!("wrk saw failed requests:\n{text}");
    }
    let requests: f64 = number_before(&text, " requests in ")?;
    let duration: f64 = seconds.into();
    let server_s = (cpu_after - cpu_before).as_secs_f64();
    let (busy, total) = (
        machine_after.0 - machine_before.0,
        machine_after.1 - machine_before.1,
    );
    Ok(Load {
        connections,
        requests_per_s: number_after(&text, "Requests/sec:")?,
        p50_ms: latency_ms(&text, "50%")?,
        p99_ms: latency_ms(&text, "99%")?,
        server_cpu: 100.0 * server_s / duration,
        machine_busy: 100.0 * busy / total.max(1.0),
        cpu_per_request_us: 1e6 * server_s / requests.max(1.0),
    })
}

fn number_after(text: &str, label: &str) -> Result<f64> {
    let (_, rest) = text
        .split_once(label)
        .ok_or_else(|| anyhow!("no {label:?} in wrk's output:\n{text}"))?;
    let word = rest.split_whitespace().next().unwrap_or_default();
    Ok(word.parse()?)
}

fn number_before(text: &str, label: &str) -> Result<f64> {
    let (head, _) = text
        .split_once(label)
        .ok_or_else(|| anyhow!("no {label:?} in wrk's output:\n{text}"))?;
    let word = head.split_whitespace().last().unwrap_or_default();
    Ok(word.parse()?)
}

/// A latency percentile line of `--latency` ("     99%    4.56ms"), in ms.
fn latency_ms(text: &str, percentile: &str) -> Result<f64> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(percentile))
        .ok_or_else(|| anyhow!("no {percentile} latency in wrk's output:\n{text}"))?;
    let value = line.split_whitespace().nth(1).unwrap_or_default();
    let (digits, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else if let Some(v) = value.strip_suffix('m') {
        (v, 60_000.0)
    } else {
        bail!("unreadable latency {value:?}")
    };
    Ok(digits.parse::<f64>()? * factor)
}

/// The server's hold counters (`GET /admin/stats`): requests held, and the longest hold in ms.
pub async fn holds(admin: &Browser) -> Result<(u64, u64)> {
    let page = admin.get("/admin/stats").await?;
    let stats: serde_json::Value = serde_json::from_str(&page.body)?;
    let count = |key: &str| {
        stats[key]
            .as_u64()
            .ok_or_else(|| anyhow!("no {key} in /admin/stats: {}", page.body))
    };
    Ok((count("held_requests")?, count("longest_hold_ms")?))
}
