//! The flows deployed, each version told apart by a fresh tag: hello.json with its tab's
//! FLOW_VERSION set to the tag (`GET /hello` answers it), or `benches/gen-flows.py`'s big flows
//! (`GET /ready/TAG` answers 200 once they run). And a runtime's admin API used as a raw client
//! would use it: `POST /flows` (v2, full deploy) with its admin token.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

const HELLO: &str = include_str!("../../tests/fixtures/flows/hello.json");

/// Which flows.
#[derive(Clone, Copy)]
pub enum Size {
    /// tests/fixtures/flows/hello.json (4 nodes).
    Hello,
    /// About this many nodes from gen-flows.py, 200 per tab.
    Nodes(usize),
}

impl Probe {
    /// For hello.json: the flowVersion of the new flows.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl Size {
    pub fn label(self) -> String {
        match self {
            Size::Hello => "hello.json (4 nodes)".into(),
            Size::Nodes(n) if n >= 1000 => format!("{},{:03} nodes", n / 1000, n % 1000),
            Size::Nodes(n) => format!("{n} nodes"),
        }
    }
}

/// One version of the flows: the body of a v2 `POST /flows`, and how to recognise it running.
pub struct Version {
    pub body: Vec<u8>,
    pub probe: Probe,
}

/// The request that tells whether a runtime serves a version.
#[derive(Clone)]
pub struct Probe {
    path: String,
    /// For hello.json: the flowVersion the new flows answer.
    version: Option<String>,
}

/// What one probe saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The new version answered.
    New,
    /// The old flows answered (or, for /ready/TAG, "not yet": any non-200).
    Old,
    /// hello.json only: no 200 (an error or another status): the endpoint was down.
    Failed,
    /// hello.json only: no answer within 5 s.
    Hung,
}

/// Version `tag` of `size`'s flows (big flows are generated in `scratch`).
pub fn version(size: Size, tag: &str, scratch: &Path) -> Result<Version> {
    let (flows, probe) = match size {
        Size::Hello => {
            let mut flows: Value = serde_json::from_str(HELLO)?;
            flows[0]["env"][0]["value"] = Value::String(tag.to_owned());
            let path = "/hello".to_owned();
            let version = Some(tag.to_owned());
            (flows, Probe { path, version })
        }
        Size::Nodes(nodes) => {
            let out = scratch.join(format!("flows-{tag}.json"));
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/gen-flows.py");
            let tabs = (nodes / 200).max(1).to_string();
            let done = std::process::Command::new("python3")
                .args([script, &nodes.to_string(), &tabs, tag])
                .arg(&out)
                .output()
                .context("python3 is needed to generate big flows")?;
            if !done.status.success() {
                bail!(
                    "gen-flows.py failed: {}",
                    String::from_utf8_lossy(&done.stderr)
                );
            }
            let flows: Value = serde_json::from_slice(&std::fs::read(&out)?)?;
            std::fs::remove_file(&out)?;
            let path = format!("/ready/{tag}");
            (
                flows,
                Probe {
                    path,
                    version: None,
                },
            )
        }
    };
    Ok(Version {
        body: serde_json::to_vec(&json!({ "flows": flows }))?,
        probe,
    })
}

/// A Node-RED runtime reached directly, with the admin token redstage gave it.
#[derive(Clone)]
pub struct Runtime {
    base: String,
    /// `base` + Node-RED's `httpAdminRoot`.
    admin: String,
    token: String,
    /// The runtime answers only requests with its proxy secret (as redstage sends them).
    secret: String,
    http: reqwest::Client,
}

impl Runtime {
    pub fn new(port: u16, token: String, secret: String) -> Result<Self> {
        let base = format!("http://127.0.0.1:{port}");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(redstage::nodered::PROXY_HEADER, secret.parse()?);
        Ok(Self {
            admin: format!("{base}{}", redstage::nodered::EDITOR_PREFIX),
            base,
            token,
            secret,
            http: reqwest::Client::builder()
                .default_headers(headers)
                .timeout(Duration::from_secs(120))
                .build()?,
        })
    }

    /// The same runtime, restarted on `port`.
    pub fn moved_to(&self, port: u16) -> Self {
        let base = format!("http://127.0.0.1:{port}");
        Self {
            admin: format!("{base}{}", redstage::nodered::EDITOR_PREFIX),
            base,
            ..self.clone()
        }
    }

    /// Where its flows' endpoints are served.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The header a request to it must carry (for wrk).
    pub fn secret_header(&self) -> String {
        format!("{}: {}", redstage::nodered::PROXY_HEADER, self.secret)
    }

    /// A raw full deploy: `POST /flows`, API v2, `Node-RED-Deployment-Type: full`.
    pub async fn deploy(&self, body: Vec<u8>) -> Result<()> {
        let answer = self
            .http
            .post(format!("{}/flows", self.admin))
            .bearer_auth(&self.token)
            .header("Node-RED-API-Version", "v2")
            .header("Node-RED-Deployment-Type", "full")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await?;
        if !answer.status().is_success() {
            bail!("POST /flows answered {}", answer.status());
        }
        Ok(())
    }

    /// The Node-RED version it runs (`GET /settings`).
    pub async fn node_red_version(&self) -> Result<String> {
        let settings: Value = self
            .http
            .get(format!("{}/settings", self.admin))
            .bearer_auth(&self.token)
            .send()
            .await?
            .json()
            .await?;
        Ok(settings["version"].as_str().unwrap_or("?").to_owned())
    }

    /// One probe.
    pub async fn probe(&self, probe: &Probe) -> Seen {
        let url = format!("{}{}", self.base, probe.path);
        let answer = self
            .http
            .get(url)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let ok = |r: &reqwest::Response| r.status() == reqwest::StatusCode::OK;
        match (answer, &probe.version) {
            (Ok(r), None) if ok(&r) => Seen::New,
            (Ok(_), None) => Seen::Old,
            (Ok(r), Some(version)) if ok(&r) => match r.json::<Value>().await {
                Ok(body) if body["flowVersion"].as_str() == Some(version) => Seen::New,
                Ok(_) => Seen::Old,
                Err(_) => Seen::Failed,
            },
            (Err(e), Some(_)) if e.is_timeout() => Seen::Hung,
            (_, Some(_)) => Seen::Failed,
            (Err(_), None) => Seen::Old,
        }
    }

    /// Probe every 5 ms until the new version answers, one probe at a time, as a client would.
    /// A probe that reaches the old flows as Node-RED stops them gets no answer (for a promotion
    /// and a raw deploy alike): once one has waited [`HEDGE_AFTER`], another goes alongside, so
    /// that it cannot hide for its 5 s timeout the moment the new flows answer.
    pub async fn wait_serving(&self, probe: &Probe) -> Result<()> {
        use futures_util::StreamExt;
        use futures_util::stream::FuturesUnordered;
        let started = Instant::now();
        let mut flying = FuturesUnordered::new();
        let mut sent = Instant::now();
        let mut every = tokio::time::interval(Duration::from_millis(5));
        loop {
            tokio::select! {
                Some(seen) = flying.next(), if !flying.is_empty() => {
                    if seen == Seen::New {
                        return Ok(());
                    }
                }
                _ = every.tick() => {
                    if started.elapsed() > Duration::from_secs(180) {
                        bail!(
                            "{}{} did not serve the new flows within 180 s",
                            self.base,
                            probe.path
                        );
                    }
                    let hedge = sent.elapsed() >= HEDGE_AFTER && flying.len() < 32;
                    if flying.is_empty() || hedge {
                        flying.push(self.probe(probe));
                        sent = Instant::now();
                    }
                }
            }
        }
    }
}

/// How long a probe waits for its answer before another one goes alongside it.
const HEDGE_AFTER: Duration = Duration::from_millis(100);
