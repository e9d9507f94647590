//! `benches/results.json`: this run's figures under the keys the performance issue names, for
//! machines to compare runs. A key this bench does not measure yet is `null`, never a guess.

use std::time::Duration;

use serde_json::{Value, json};

use crate::facts::command;
use crate::flows::Size;
use crate::report::{self, Results, set_ratio};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Median promotion and raw-deploy times (ms) for a flow size.
fn promotion(r: &Results, size: Size) -> Option<(f64, f64)> {
    let (_, promos, raws) = r
        .promotions
        .iter()
        .find(|(s, _, _)| s.label() == size.label())?;
    let p = median(promos.iter().map(|p| ms(p.serving)).collect())?;
    let w = median(raws.iter().map(|r| ms(r.serving)).collect())?;
    Some((p, w))
}

/// A figure rounded for reading, or `null`.
fn number(value: Option<f64>) -> Value {
    value
        .filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!((v * 100.0).round() / 100.0))
}

/// The results as JSON.
pub fn render(r: &Results) -> Value {
    let ratio = |size| promotion(r, size).map(|(p, w)| p / w);
    let failed = |what: &str| {
        r.downtime
            .iter()
            .find(|(w, _)| *w == what)
            .map(|(_, runs)| f64::from(runs.iter().map(|d| d.failed).sum::<u32>()))
    };
    let page = page_c4_100(r);
    let rss = |prefix: &str| {
        r.memory
            .iter()
            .find(|(what, _, _)| what.starts_with(prefix))
            .map(|(_, kib, _)| *kib as f64 / 1024.0)
    };
    let through = |side: &str| {
        r.proxy
            .iter()
            .find(|(s, l)| *s == side && l.connections == 4)
            .map(|(_, l)| l.requests_per_s)
    };
    let proxy = match (through("runtime's own port"), through("instance origin")) {
        (Some(direct), Some(origin)) => Some(direct / origin.max(1.0)),
        _ => None,
    };
    let cold = r
        .cold
        .first()
        .and_then(|(_, starts)| median(starts.iter().map(|d| ms(*d)).collect()));
    json!({
        "commit": command("git", &["rev-parse", "HEAD"]),
        "date": command("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]),
        "machine": r.facts,
        "promote_small_ms": number(promotion(r, Size::Hello).map(|(p, _)| p)),
        "promote_2k_ratio": number(ratio(Size::Nodes(2_000))),
        // The median of the sets' ratios (each set: median promotion / median raw deploy).
        "promote_10k_ratio": number(set_ratio(r, Size::Nodes(10_000)).map(|(m, _, _)| m)),
        "promote_10k_ratio_spread": set_ratio(r, Size::Nodes(10_000))
            .map_or(Value::Null, |(_, lo, hi)| json!([number(Some(lo)), number(Some(hi))])),
        "failed_probes_push": number(failed(report::PUSH)),
        "failed_probes_push_restart": number(failed(report::PUSH_RESTART)),
        "longest_hold_ms": number(r.holds.map(|(_, longest)| longest as f64)),
        "rss_idle_mib": number(rss("idle")),
        "rss_after_10k_mib": number(rss("after the 10,000")),
        "rss_after_10k_1min_mib": number(rss("a minute after the 10,000")),
        "page_rps_c4_100": number(page.map(|l| l.requests_per_s)),
        "page_p99_ms_c4_100": number(page.map(|l| l.p99_ms)),
        "card_update_ms": number(match &r.card {
            Some(crate::card::CardUpdate::Measured(times)) => median(times.clone()),
            _ => None,
        }),
        "proxy_overhead_ratio": number(proxy),
        "cold_start_ms": number(cold),
    })
}

/// The load of the page with 100 cards at 4 connections (issue 16's goal 5).
pub fn page_c4_100(r: &Results) -> Option<&crate::page::Load> {
    r.loads
        .iter()
        .find(|(what, l)| *what == "1,000 pipelines, page 1" && l.connections == 4)
        .map(|(_, l)| l)
}
