//! The target's downtime during a deploy: `GET /hello` every 10 ms, each probe on its own, and
//! what they saw.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::flows::{Probe, Runtime, Seen};

/// What a prober saw during one deploy (hello.json, every 10 ms).
#[derive(Default)]
pub struct Downtime {
    pub probes: u32,
    pub failed: u32,
    /// Of the failed: requests left without an answer for 5 s.
    pub hung: u32,
    /// Longest outage: from the first failed probe sent to the next successful one sent.
    pub outage: Duration,
}

/// Probe every 10 ms (each probe on its own, so that one left unanswered does not hold the
/// others back) until the new version has answered for 300 ms; then collect every answer.
pub async fn prober(runtime: &Runtime, probe: &Probe) -> Result<Downtime> {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut probes = tokio::task::JoinSet::new();
    let mut answers: Vec<(Instant, Seen)> = Vec::new();
    let mut new_since: Option<Instant> = None;
    while new_since.is_none_or(|t| t.elapsed() < Duration::from_millis(300)) {
        tick.tick().await;
        let (runtime, probe) = (runtime.clone(), probe.clone());
        probes.spawn(async move { (Instant::now(), runtime.probe(&probe).await) });
        while let Some(done) = probes.try_join_next() {
            let (at, seen) = done?;
            if seen == Seen::New {
                new_since = Some(new_since.map_or(at, |t| t.min(at)));
            }
            answers.push((at, seen));
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the new hello.json version was not served within 120 s");
        }
    }
    while let Some(done) = probes.join_next().await {
        answers.push(done?);
    }
    answers.sort_by_key(|(at, _)| *at);
    let mut seen = Downtime {
        probes: u32::try_from(answers.len()).unwrap_or(u32::MAX),
        ..Downtime::default()
    };
    let mut failing_since = None;
    for (at, outcome) in answers {
        match outcome {
            Seen::Failed | Seen::Hung => {
                seen.failed += 1;
                seen.hung += u32::from(outcome == Seen::Hung);
                failing_since.get_or_insert(at);
            }
            Seen::New | Seen::Old => {
                if let Some(since) = failing_since.take() {
                    seen.outage = seen.outage.max(at - since);
                }
            }
        }
    }
    Ok(seen)
}
