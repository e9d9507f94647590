//! redstage's benchmark (issue 6): one run measures promotion end to end against a raw Node-RED
//! deploy, the target's downtime, a stage card's update in Chromium, the DevOps Pipelines page
//! under load and its SQL statements,
//! and the server's memory and cold start; it prints a markdown report and writes it to
//! `benches/RESULTS.md`, and its figures to `benches/results.json`. Run it with `.ci/bench`
//! (installs wrk and Node-RED first). The server is this repository's release binary, run as a
//! separate process and stopped at the end.

#[path = "redstage/card.rs"]
mod card;
#[path = "redstage/downtime.rs"]
mod downtime;
#[path = "redstage/facts.rs"]
mod facts;
#[path = "redstage/flows.rs"]
mod flows;
#[path = "redstage/goals.rs"]
mod goals;
#[path = "redstage/json.rs"]
mod json;
#[path = "redstage/page.rs"]
mod page;
#[path = "redstage/procs.rs"]
mod procs;
#[path = "redstage/promote.rs"]
mod promote;
#[path = "redstage/proxy.rs"]
mod proxy;
#[path = "redstage/report.rs"]
mod report;
#[path = "redstage/server.rs"]
mod server;
#[path = "redstage/setup.rs"]
mod setup;
#[path = "redstage/web.rs"]
mod web;

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::flows::Size;
use crate::promote::Trigger;
use crate::report::Results;
use crate::server::{Server, cold_start};

/// Per flow size: sets of runs, and runs per set (each run: one promotion and one raw deploy). A
/// size's ratio is the median of its sets' ratios (each set's median promotion over its median
/// raw deploy), reported with their spread: one set can land on a busy stretch of the machine.
const RUNS: [(Size, usize, usize); 3] = [
    (Size::Hello, 1, 9),
    (Size::Nodes(2_000), 1, 9),
    (Size::Nodes(10_000), 3, 3),
];
/// How long after the first look at a started server it counts as idle (see `run`).
const IDLE_AFTER: Duration = Duration::from_secs(19);
/// How long the idle server is watched after the 10,000-node runs (does it give memory back?).
const SETTLE_AFTER_BIG: Duration = Duration::from_secs(60);
const PIPELINES: usize = 1_000;
const LOAD_SECONDS: u32 = 10;

/// `BENCH_QUICK=1`: one run of each and short loads, to try the bench out (RESULTS.md is kept).
fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// `BENCH_ONLY=promotions`: only the promotions and the memory after them (an A/B check of a
/// promotion change: no cold starts, downtime, proxy or page load).
fn promotions_only() -> bool {
    std::env::var("BENCH_ONLY").is_ok_and(|only| only == "promotions")
}

/// `BENCH_ONLY=page`: only the pipelines page (its queries and load), to profile it.
fn page_only() -> bool {
    std::env::var("BENCH_ONLY").is_ok_and(|only| only == "page")
}

/// `n` runs, or 1 when quick.
fn runs(n: usize) -> usize {
    if quick() { 1 } else { n }
}

#[tokio::main]
async fn main() -> Result<()> {
    let started = Instant::now();
    let mut results = Results::default();
    tokio::select! {
        done = run(&mut results) => done?,
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted"),
    }
    let mut markdown = report::render(&results, started.elapsed());
    markdown.push_str(&goals::render(&results));
    println!("\n{markdown}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/RESULTS.md");
    if !quick() && std::env::var_os("BENCH_ONLY").is_none() {
        std::fs::write(path, markdown)?;
        eprintln!("written to {path}");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/results.json");
        std::fs::write(path, format!("{:#}\n", json::render(&results)))?;
        eprintln!("written to {path}");
    }
    Ok(())
}

fn say(what: &str) {
    eprintln!("== {what}");
}

async fn run(r: &mut Results) -> Result<()> {
    r.facts = facts::machine().await?;
    if !page_only() {
        say("cold starts (fresh and existing data directories)");
        // 15 of each: a start takes ~15-45 ms and a median of 5 moved by 2-3 ms between runs.
        r.cold = server::cold_starts(runs(15)).await?;
    }

    let data = tempfile::tempdir()?;
    let mut server = Server::spawn(data.path(), "server")?;
    eprintln!(
        "server at {} (log: target/tmp/bench-logs/server.log)",
        server.base
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    memory(r, &server, "1 s after start")?;
    // Idle: long after jemalloc gave back what the start freed, such as the 19 MiB of the
    // administrator's argon2id hash (its background thread purges pages unused for 200 ms).
    tokio::time::sleep(IDLE_AFTER).await;
    memory(r, &server, "idle, 20 s after start")?;
    let people = setup::people(&server.base).await?;
    memory(r, &server, "after two people signed in (argon2)")?;

    say("promotions: Development -> Production");
    let line_app = setup::application(&people.admin, "Line 1").await?;
    let line = setup::line(
        data.path(),
        &server.base,
        people.member,
        &line_app,
        server.pid(),
    )
    .await?;
    let version = line.target().node_red_version().await?;
    r.facts.push(format!(
        "Node-RED {version}, installed in target/tmp/node-red"
    ));
    let sizes = if page_only() { &RUNS[..0] } else { &RUNS[..] };
    for &(size, sets, count) in sizes {
        let count = runs(count);
        eprintln!(
            "{}: warm-up, then {sets} set(s) of {count} promotions and {count} raw deploys",
            size.label()
        );
        line.promote(size).await?;
        line.raw(size).await?;
        let (mut promos, mut raws, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..sets {
            let (mut p, mut w) = (Vec::new(), Vec::new());
            for _ in 0..count {
                p.push(line.promote(size).await?);
                w.push(line.raw(size).await?);
            }
            ratios.push(report::ratio(&p, &w));
            promos.extend(p);
            raws.extend(w);
        }
        r.promotions.push((size, promos, raws));
        r.sets.push((size, ratios));
        memory(r, &server, &format!("after the {} runs", size.label()))?;
        if matches!(size, Size::Nodes(10_000)) {
            eprintln!("idle for {} s", SETTLE_AFTER_BIG.as_secs());
            tokio::time::sleep(SETTLE_AFTER_BIG).await;
            let what = format!("a minute after the {} runs", size.label());
            memory(r, &server, &what)?;
        }
        if matches!(size, Size::Hello) && !promotions_only() {
            say(
                "downtime during pushes (with and without a restart) and raw deploys of hello.json",
            );
            let (mut pushed, mut restarted, mut deployed) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs(10) {
                pushed.push(line.downtime(Trigger::Push).await?);
                restarted.push(line.downtime(Trigger::PushRestart).await?);
                deployed.push(line.downtime(Trigger::Raw).await?);
            }
            r.downtime.push((report::PUSH, pushed));
            r.downtime.push((report::PUSH_RESTART, restarted));
            r.downtime.push((report::RAW, deployed));
            r.holds = Some(page::holds(&people.admin).await?);
            say("a flow endpoint through the instance origin and directly");
            let seconds = if quick() { 2 } else { LOAD_SECONDS };
            r.proxy = proxy::overhead(&server, &line, seconds).await?;
        }
    }
    if !page_only() {
        say("a finished push on the stage card, in Chromium");
        r.card = Some(card::measure(&server.base, &line, &line_app, runs(9)).await?);
    }
    let noisy = line.noisy.load(std::sync::atomic::Ordering::Relaxed);
    r.notes.push(format!(
        "Each timed deploy started once the machine was quiet (< 15% busy over 200 ms); {noisy} did not get quiet within 5 s and started anyway."
    ));

    if promotions_only() {
        return Ok(());
    }
    say("pipelines page");
    let big = setup::application(&people.admin, "Big").await?;
    let names = ["Development", "Test", "QA", "Staging", "Production"];
    let instances = setup::instances(&people.admin, &big, &names).await?;
    let ids: Vec<String> = instances.into_iter().map(|(id, _)| id).collect();
    let seeded = page::seed(&line.db, &big, &ids, PIPELINES).await?;
    r.notes.push(format!(
        "Seeding {PIPELINES} pipelines × 5 stages into the running server's SQLite file took {:.1} s.",
        seeded.as_secs_f64()
    ));
    let big_path = format!("/application/{big}/pipelines");
    let last = PIPELINES.div_ceil(20);
    for (what, path, shown) in [
        (
            "Line 1: 1 pipeline × 2 stages".to_owned(),
            format!("/application/{line_app}/pipelines"),
            1,
        ),
        (
            format!("Big: {PIPELINES} pipelines × 5 stages, page 1"),
            big_path.clone(),
            20,
        ),
        (
            format!("Big, page {last}"),
            format!("{big_path}?page={last}"),
            20,
        ),
    ] {
        let (count, bytes) = page::queries(&people.admin, &path).await?;
        r.queries.push((what, shown, count, bytes));
    }
    let cookie = format!("Cookie: {}", people.admin.cookie()?);
    let gzip = "Accept-Encoding: gzip, deflate, br, zstd".to_owned();
    let seconds = if quick() { 2 } else { LOAD_SECONDS };
    let small = format!("/application/{line_app}/pipelines");
    let page1 = "1,000 pipelines, page 1";
    let browser = "1,000 pipelines, page 1, with a browser's Accept-Encoding (gzip)";
    for (what, path, connections, compressed) in [
        (page1, &big_path, 1, false),
        (page1, &big_path, 4, false),
        (page1, &big_path, 32, false),
        (browser, &big_path, 1, true),
        (browser, &big_path, 4, true),
        ("Line 1 (1 pipeline), for reference", &small, 4, false),
    ] {
        eprintln!("wrk: {what}, {connections} connection(s), {seconds} s");
        let mut headers = vec![cookie.clone()];
        if compressed {
            headers.push(gzip.clone());
        }
        let url = people.admin.url(path);
        let load = page::wrk(&server, &url, &headers, connections, seconds).await?;
        r.loads.push((what, load));
    }
    memory(r, &server, "after the page load")?;
    let runtimes = server.runtimes_kib();
    let count = runtimes.len();
    let each: Vec<String> = runtimes.iter().map(|k| format!("{}", k / 1024)).collect();
    r.notes.push(format!(
        "RSS of the {count} Node-RED runtimes then (not counted above), MiB: {} (Line 1's two hold the last 10,000-node flows).",
        each.join(", ")
    ));
    drop(line);
    let (stop, left) = server.stop()?;
    r.notes.push(format!(
        "Stopping the server with its {count} runtimes (SIGTERM) took {:.0} ms; processes left behind: {left}.",
        stop.as_secs_f64() * 1000.0
    ));

    say("cold starts on the bench's data directory");
    let mut loaded = Vec::new();
    for i in 0..runs(3) {
        loaded.push(cold_start(data.path(), &format!("cold-loaded-{i}")).await?);
    }
    let what = format!(
        "the bench's data directory ({count} instances that start with it, {} pipelines)",
        PIPELINES + 1
    );
    r.cold.push((what, loaded));
    Ok(())
}

/// Record the server's memory now.
fn memory(r: &mut Results, server: &Server, what: &str) -> Result<()> {
    let (rss, hwm) = server.memory_kib()?;
    r.memory.push((what.to_owned(), rss, hwm));
    Ok(())
}
