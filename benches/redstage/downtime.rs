//! The target's downtime during a deploy as its users see it: `GET /hello` on the target's own
//! instance origin (through redstage's proxy, `Host: production.localhost:<port>`) every 10 ms,
//! each probe on its own, and what they saw: the old version, the new one, a wrong answer (any
//! other version, or the old one after the new one), a failure (no 200), or nothing.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::Value;

/// How long a probe may wait for its answer: longer than redstage holds a request (30 s).
const PROBE_TIMEOUT: Duration = Duration::from_secs(40);

/// What a prober saw during one deploy (hello.json, every 10 ms).
#[derive(Default)]
pub struct Downtime {
    pub probes: u32,
    pub failed: u32,
    /// Of the failed: requests left without an answer for [`PROBE_TIMEOUT`].
    pub hung: u32,
    /// 200s with neither the old nor the new version, or the old one after the new one.
    pub wrong: u32,
    /// Longest outage: from the first failed probe sent to the next successful one sent.
    pub outage: Duration,
    /// The slowest answered probe (a held request waits for the new flows).
    pub slowest: Duration,
}

/// `GET /hello` on an instance's origin, through redstage.
#[derive(Clone)]
pub struct Origin {
    url: String,
    host: String,
    http: reqwest::Client,
}

/// What one probe got.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// A 200 with this flowVersion.
    Version(String),
    Failed,
    Hung,
}

impl Origin {
    /// The origin of the instance labelled `label` on the server at `base`.
    pub fn new(base: &str, label: &str) -> Result<Self> {
        let port = base.rsplit(':').next().unwrap_or_default();
        Ok(Self {
            url: format!("{base}/hello"),
            host: format!("{label}.localhost:{port}"),
            http: reqwest::Client::builder().no_proxy().build()?,
        })
    }

    async fn probe(&self) -> Answer {
        let sent = self
            .http
            .get(&self.url)
            .header(reqwest::header::HOST, &self.host)
            .timeout(PROBE_TIMEOUT)
            .send();
        match sent.await {
            Ok(r) if r.status() == reqwest::StatusCode::OK => match r.json::<Value>().await {
                Ok(body) => Answer::Version(body["flowVersion"].as_str().unwrap_or("?").into()),
                Err(_) => Answer::Failed,
            },
            Err(e) if e.is_timeout() => Answer::Hung,
            _ => Answer::Failed,
        }
    }

    /// The version served now (waits for a 200).
    pub async fn version(&self) -> Result<String> {
        let started = Instant::now();
        loop {
            if let Answer::Version(v) = self.probe().await {
                return Ok(v);
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!(
                    "{} ({}) did not answer 200 within 120 s",
                    self.url,
                    self.host
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Probe every 10 ms (each probe on its own, so that one left unanswered does not hold the
/// others back) until `new` has answered for 300 ms; then collect every answer.
pub async fn prober(origin: &Origin, old: &str, new: &str) -> Result<Downtime> {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut probes = tokio::task::JoinSet::new();
    let mut answers: Vec<(Instant, Duration, Answer)> = Vec::new();
    let mut new_since: Option<Instant> = None;
    while new_since.is_none_or(|t| t.elapsed() < Duration::from_millis(300)) {
        tick.tick().await;
        let origin = origin.clone();
        probes.spawn(async move {
            let at = Instant::now();
            let answer = origin.probe().await;
            (at, at.elapsed(), answer)
        });
        while let Some(done) = probes.try_join_next() {
            let (at, took, answer) = done?;
            if answer == Answer::Version(new.to_owned()) {
                new_since = Some(new_since.map_or(at, |t| t.min(at)));
            }
            answers.push((at, took, answer));
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the new hello.json version was not served within 120 s");
        }
    }
    while let Some(done) = probes.join_next().await {
        answers.push(done?);
    }
    answers.sort_by_key(|(at, _, _)| *at);
    let mut seen = Downtime {
        probes: u32::try_from(answers.len()).unwrap_or(u32::MAX),
        ..Downtime::default()
    };
    let mut failing_since = None;
    let mut new_seen = false;
    for (at, took, answer) in answers {
        match answer {
            Answer::Failed | Answer::Hung => {
                seen.failed += 1;
                seen.hung += u32::from(answer == Answer::Hung);
                failing_since.get_or_insert(at);
            }
            Answer::Version(version) => {
                seen.slowest = seen.slowest.max(took);
                let is_new = version == new;
                seen.wrong += u32::from(!is_new && (version != old || new_seen));
                new_seen |= is_new;
                if let Some(since) = failing_since.take() {
                    seen.outage = seen.outage.max(at - since);
                }
            }
        }
    }
    Ok(seen)
}
