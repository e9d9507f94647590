//! The markdown report (printed, and written to benches/RESULTS.md).

use std::fmt::Write;
use std::time::Duration;

use crate::downtime::Downtime;
use crate::flows::Size;
use crate::page::Load;
use crate::promote::{Promotion, Raw, Steps};

/// The downtime runs: a push without an env change, one that restarts the target, a raw deploy.
pub const PUSH: &str = "push, no env change";
pub const PUSH_RESTART: &str = "push with an env change (target restarts)";
pub const RAW: &str = "raw full deploy (Node-RED alone)";

/// Everything measured.
#[derive(Default)]
pub struct Results {
    pub facts: Vec<String>,
    pub promotions: Vec<(Size, Vec<Promotion>, Vec<Raw>)>,
    /// Per flow size, each set's ratio (its median promotion over its median raw deploy).
    pub sets: Vec<(Size, Vec<f64>)>,
    pub downtime: Vec<(&'static str, Vec<Downtime>)>,
    /// The server's hold counters after the downtime runs: (requests held, longest hold ms).
    pub holds: Option<(u64, u64)>,
    /// (page, pipelines shown, statements, HTML bytes)
    pub queries: Vec<(String, usize, u64, usize)>,
    /// (page, wrk run)
    pub loads: Vec<(&'static str, Load)>,
    /// (side, wrk run) of a flow endpoint directly and through the instance origin
    pub proxy: Vec<(&'static str, Load)>,
    /// (what, VmRSS KiB, VmHWM KiB)
    pub memory: Vec<(String, u64, u64)>,
    /// (what, start times)
    pub cold: Vec<(String, Vec<Duration>)>,
    pub notes: Vec<String>,
    /// Deployment finished -> the card shows it, in Chromium (None: not run).
    pub card: Option<crate::card::CardUpdate>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn fmt_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// A set's ratio: its median promotion (press → serves) over its median raw deploy.
pub fn ratio(promos: &[Promotion], raws: &[Raw]) -> f64 {
    let p = median(promos.iter().map(|p| ms(p.serving)).collect());
    p / median(raws.iter().map(|r| ms(r.serving)).collect())
}

/// The median of a size's set ratios and their (min, max); none for a size without sets.
pub fn set_ratio(r: &Results, size: Size) -> Option<(f64, f64, f64)> {
    let (_, ratios) = r.sets.iter().find(|(s, _)| s.label() == size.label())?;
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((median(ratios.clone()), lo, hi)).filter(|(m, _, _)| m.is_finite())
}

/// "median (min–max)" of durations.
fn spread(values: &[Duration]) -> String {
    let v: Vec<f64> = values.iter().map(|d| ms(*d)).collect();
    let (lo, hi) = v
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    format!("{} ({:.0}–{:.0})", fmt_ms(median(v)), lo, hi)
}

/// When each step was first seen (a step too short to be seen takes the next one's time).
fn step_at(steps: &Steps, name: &str) -> Option<f64> {
    const ORDER: [&str; 5] = ["reading", "checking", "deploying", "verifying", "done"];
    let from = ORDER.iter().position(|s| *s == name)?;
    ORDER[from..]
        .iter()
        .find_map(|s| steps.iter().find(|(n, _)| n == s).map(|(_, d)| ms(*d)))
}

pub fn render(r: &Results, took: Duration) -> String {
    let mut md = String::from("# redstage benchmarks\n\n");
    let _ = writeln!(
        md,
        "Made by `.ci/bench` (`cargo bench --bench redstage`), which ran for {:.0} s after the build.\n",
        took.as_secs_f64()
    );
    for fact in &r.facts {
        let _ = writeln!(md, "- {fact}");
    }
    md.push_str("\n## Promotion end to end vs a raw Node-RED full deploy\n\n");
    md.push_str("Press play (`POST /stage/{id}/promote`, a signed-in member) until the target serves the new flows, next to `POST /flows` (v2, full) of the same flows onto the same target until it serves them. Medians (min–max) of alternating runs, after one warm-up of each. \"Serves\": the first probe, one every 5 ms, to get an answer from the new flows; a probe that reaches the old flows as Node-RED stops them gets no answer (for a promotion and a raw deploy alike), so once one has waited 100 ms another goes alongside it.\n\n");
    md.push_str("| flows | runs | promotion: press → serves | raw full deploy → serves | ratio (goal ≤ 1.2×) | promotion: press → row done |\n|---|---|---|---|---|---|\n");
    for (size, promos, raws) in &r.promotions {
        let p: Vec<Duration> = promos.iter().map(|p| p.serving).collect();
        let w: Vec<Duration> = raws.iter().map(|r| r.serving).collect();
        let done: Vec<Duration> = promos
            .iter()
            .filter_map(|p| p.steps.last().map(|(_, d)| *d))
            .collect();
        let ratio =
            median(p.iter().map(|d| ms(*d)).collect()) / median(w.iter().map(|d| ms(*d)).collect());
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {ratio:.2}× | {} |",
            size.label(),
            promos.len(),
            spread(&p),
            spread(&w),
            spread(&done)
        );
    }
    for (size, ratios) in r.sets.iter().filter(|(_, ratios)| ratios.len() > 1) {
        let each: Vec<String> = ratios.iter().map(|x| format!("{x:.2}×")).collect();
        if let Some((m, lo, hi)) = set_ratio(r, *size) {
            let _ = writeln!(
                md,
                "\n{}: {} sets of runs, ratio per set {} → median {m:.2}× (spread {lo:.2}–{hi:.2}×); the table above pools all runs.",
                size.label(),
                ratios.len(),
                each.join(", ")
            );
        }
    }
    let hung = r.promotions.iter().any(|(_, promos, raws)| {
        promos
            .iter()
            .map(|p| p.serving)
            .chain(raws.iter().map(|r| r.serving))
            .any(|d| d >= Duration::from_secs(5))
    });
    if hung {
        md.push_str("\nA run of 5 s or more: Node-RED took that long to serve the new flows (an unanswered probe no longer delays the next one).\n");
    }
    md.push_str("\nWhere the time goes (medians, ms after the press; steps as first seen in the `deployments` row, polled every 10 ms):\n\n");
    md.push_str("| flows | POST answered | reading | checking | deploying | verifying | target serves | done | raw: POST answered | raw: serves |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size, promos, raws) in &r.promotions {
        let at = |name: &str| {
            median(
                promos
                    .iter()
                    .filter_map(|p| step_at(&p.steps, name))
                    .collect(),
            )
        };
        let post = median(promos.iter().map(|p| ms(p.post)).collect());
        let serves = median(promos.iter().map(|p| ms(p.serving)).collect());
        let raw_post = median(raws.iter().map(|r| ms(r.post)).collect());
        let raw_serves = median(raws.iter().map(|r| ms(r.serving)).collect());
        let _ = writeln!(
            md,
            "| {} | {post:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {serves:.0} | {:.0} | {raw_post:.0} | {raw_serves:.0} |",
            size.label(),
            at("reading"),
            at("checking"),
            at("deploying"),
            at("verifying"),
            at("done")
        );
    }
    md.push_str("\nThe server's peak RSS during each step (VmHWM from `/proc`, reset at every step change the bench sees; medians, MiB):\n\n");
    md.push_str("| flows | reading | checking | deploying | verifying |\n|---|---|---|---|---|\n");
    for (size, promos, _) in &r.promotions {
        let peak = |name: &str| {
            let kib: Vec<f64> = promos
                .iter()
                .filter_map(|p| p.peaks.iter().find(|(n, _)| n == name))
                .map(|(_, kib)| *kib as f64 / 1024.0)
                .collect();
            match kib.is_empty() {
                true => "–".to_owned(),
                false => format!("{:.1}", median(kib)),
            }
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            size.label(),
            peak("reading"),
            peak("checking"),
            peak("deploying"),
            peak("verifying")
        );
    }
    md.push_str("\n## Target downtime (hello.json)\n\n`GET /hello` on the target's own origin (through redstage, `Host: production.localhost:<port>`) every 10 ms (each request on its own) from 100 ms before the deploy until the new version has answered for 300 ms. A failure is any answer but 200, or none within 40 s; a wrong answer is a 200 with neither the old nor the new version, or the old one after the new one. Pushes with an env change first give Production a variable its process does not have, so the push restarts it. Raw deploys go to the runtime's own port: redstage does not know of them and holds nothing, which shows what Node-RED alone does.\n\n");
    md.push_str("| deploy | runs | probes | failed probes (goal 0) | of which unanswered | wrong answers (goal 0) | runs with a failure | longest outage | slowest answer |\n|---|---|---|---|---|---|---|---|---|\n");
    for (what, runs) in &r.downtime {
        let probes: u32 = runs.iter().map(|d| d.probes).sum();
        let failed: u32 = runs.iter().map(|d| d.failed).sum();
        let hung: u32 = runs.iter().map(|d| d.hung).sum();
        let wrong: u32 = runs.iter().map(|d| d.wrong).sum();
        let with = runs.iter().filter(|d| d.failed > 0).count();
        let outage = runs.iter().map(|d| d.outage).max().unwrap_or_default();
        let slowest = runs.iter().map(|d| d.slowest).max().unwrap_or_default();
        let _ = writeln!(
            md,
            "| {what} | {} | {probes} | {failed} | {hung} | {wrong} | {with} | {} | {} |",
            runs.len(),
            fmt_ms(ms(outage)),
            fmt_ms(ms(slowest))
        );
    }
    if let Some((held, longest)) = r.holds {
        let _ = writeln!(
            md,
            "\nredstage held {held} flow requests while it changed the target (all pushes of this run so far, from `GET /admin/stats`); the longest waited {longest} ms."
        );
    }
    md.push_str(&crate::card::section(r.card.as_ref()));
    md.push_str("\n## DevOps Pipelines page\n\nSQL statements of one `GET /application/{id}/pipelines` (from `GET /admin/stats`, less a stats request's own):\n\n");
    md.push_str(
        "| page | pipelines shown | SQL statements (goal: the same) | HTML |\n|---|---|---|---|\n",
    );
    for (what, shown, count, bytes) in &r.queries {
        let _ = writeln!(
            md,
            "| {what} | {shown} | {count} | {:.0} KiB |",
            *bytes as f64 / 1024.0
        );
    }
    md.push_str("\n`wrk -t1 --latency` for 10 s per row, signed in as the administrator (an owner of the team); the application with 1,000 pipelines has 5 stages in each and 5 running instances:\n\n");
    md.push_str("| page | connections | requests/s | p50 | p99 | server CPU (% of one core) | machine busy (% of all cores) | server CPU per request |\n|---|---|---|---|---|---|---|---|\n");
    for (page, l) in &r.loads {
        let _ = writeln!(
            md,
            "| {page} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.0}% | {:.0}% | {:.0} µs |",
            l.connections,
            l.requests_per_s,
            l.p50_ms,
            l.p99_ms,
            l.server_cpu,
            l.machine_busy,
            l.cpu_per_request_us
        );
    }
    md.push_str("\n## Flow endpoint through the instance origin\n\n`GET /hello` of hello.json on Production, `wrk -t1 --latency` for 10 s per row: on the runtime's own port, and through redstage on Production's origin (`Host: production.localhost:<port>`; anyone may call it, so no session is looked up):\n\n");
    md.push_str("| path | connections | requests/s | p50 | p99 | redstage CPU (% of one core) | redstage CPU per request |\n|---|---|---|---|---|---|---|\n");
    for (side, l) in &r.proxy {
        let _ = writeln!(
            md,
            "| {side} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.0}% | {:.0} µs |",
            l.connections, l.requests_per_s, l.p50_ms, l.p99_ms, l.server_cpu, l.cpu_per_request_us
        );
    }
    md.push_str("\n## Server process\n\n| measure | value |\n|---|---|\n");
    for (what, rss, hwm) in &r.memory {
        let _ = writeln!(
            md,
            "| RSS {what} | {:.1} MiB (peak so far {:.1} MiB) |",
            *rss as f64 / 1024.0,
            *hwm as f64 / 1024.0
        );
    }
    for (what, starts) in &r.cold {
        let _ = writeln!(
            md,
            "| cold start, {what}: spawn → first 200 on `GET /login`, median of {} | {} |",
            starts.len(),
            spread(starts)
        );
    }
    if !r.notes.is_empty() {
        md.push_str("\nNotes:\n\n");
        for note in &r.notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    md
}
