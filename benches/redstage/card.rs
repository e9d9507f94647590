//! The stage card in a real browser (Chromium through chromedriver, as the browser tests drive
//! it): the pipelines page is open, play is pressed, and the time from the deployment's finish
//! (its `deployments.finished_at`, written by the server) to the moment the page's DOM shows
//! Production's card without progress (a MutationObserver in the page, `Date.now()`). Both
//! clocks are this machine's wall clock, in milliseconds. The card's updates come on the page's
//! event stream; nothing polls.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use redstage::db::models::deployments;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::promote::Line;
use crate::setup::{MEMBER, MEMBER_PASSWORD};

/// What the bench got: times in ms, or why there are none.
pub enum CardUpdate {
    Measured(Vec<f64>),
    Skipped(String),
}

/// Arm an observer that records when Production's card, having shown progress, shows none.
const OBSERVE: &str = "window.__done = null; let armed = false; \
    const sel = \"li.stage-card[data-stage='Production'] .card-live\"; \
    if (window.__observer) { window.__observer.disconnect(); } \
    window.__observer = new MutationObserver(() => { \
      const card = document.querySelector(sel); if (!card) { return; } \
      if (card.querySelector('.deploy-progress')) { armed = true; } \
      else if (armed && window.__done === null) { window.__done = Date.now(); } }); \
    window.__observer.observe(document.body, { subtree: true, childList: true }); return true;";

/// `runs` presses of play with the pipelines page of `app` open in Chromium.
pub async fn measure(base: &str, line: &Line, app: &str, runs: usize) -> Result<CardUpdate> {
    let Some(driver) = chromedriver() else {
        return Ok(CardUpdate::Skipped(
            "chromedriver is not installed (apt-get install chromium chromium-driver): the card update was not measured".into(),
        ));
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let _driver = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting chromedriver")?;
    let profile = tempfile::tempdir()?;
    let client = connect(port, &profile.path().display().to_string()).await?;
    let measured = press_and_watch(&client, base, line, app, runs).await;
    let _ = client.close().await;
    Ok(CardUpdate::Measured(measured?))
}

fn chromedriver() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromedriver"))
        .find(|p| p.is_file())
}

async fn connect(port: u16, profile: &str) -> Result<Client> {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([format!("--user-data-dir={profile}")])
    .collect::<Vec<_>>();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": args}),
    );
    let mut last = String::new();
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Ok(client),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no WebDriver session: {last}")
}

async fn press_and_watch(
    client: &Client,
    base: &str,
    line: &Line,
    app: &str,
    runs: usize,
) -> Result<Vec<f64>> {
    client.goto(&format!("{base}/login")).await?;
    let field = |css: &'static str| client.find(Locator::Css(css));
    field("input[name=username]")
        .await?
        .send_keys(MEMBER)
        .await?;
    field("input[name=password]")
        .await?
        .send_keys(MEMBER_PASSWORD)
        .await?;
    field("form[action='/login'] button[type=submit]")
        .await?
        .click()
        .await?;
    client
        .wait()
        .for_element(Locator::Css(".team-switcher"))
        .await?;
    client
        .goto(&format!("{base}/application/{app}/pipelines"))
        .await?;
    client
        .wait()
        .for_element(Locator::Css("#pipelines-live[sse-connect]"))
        .await?;
    // The stream connects once htmx has processed the page.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut times = Vec::new();
    for _ in 0..runs {
        client.execute(OBSERVE, vec![]).await?;
        let token = line.member.csrf().await?;
        let pressed = line
            .member
            .press(&format!("/stage/{}/promote", line.stage), &token)
            .await?;
        // htmx's press: 204, the card's news comes on the page's stream.
        if pressed.status != reqwest::StatusCode::NO_CONTENT {
            bail!("pressing play answered {}", pressed.status);
        }
        let shown = wait_done(client).await?;
        let target = line.target_id.clone();
        let row = line
            .db
            .run(move |conn| Ok(deployments::latest_onto_instance(conn, &target)?))
            .await?
            .ok_or_else(|| anyhow!("no deployment"))?;
        let finished = row
            .finished_at
            .ok_or_else(|| anyhow!("the row is not finished"))?;
        times.push(shown - finished as f64);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(times)
}

/// When the page recorded the finished card (epoch ms).
async fn wait_done(client: &Client) -> Result<f64> {
    for _ in 0..600 {
        if let Value::Number(at) = client.execute("return window.__done;", vec![]).await? {
            return at.as_f64().ok_or_else(|| anyhow!("not a time"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the card never showed the finished push")
}

/// The report's section.
pub fn section(card: Option<&CardUpdate>) -> String {
    let mut md = String::from("\n## A finished push on the stage card (Chromium)\n\n");
    md.push_str("The pipelines page open in headless Chromium (chromedriver), play pressed on Development (hello.json, a member's `POST /stage/{id}/promote`): from the deployment's `finished_at` to the moment a MutationObserver in the page sees Production's card without progress. The card's updates come on the page's server-sent event stream; the page sends no request.\n\n");
    match card {
        None => md.push_str("Not run.\n"),
        Some(CardUpdate::Skipped(why)) => md.push_str(&format!("Not measured: {why}.\n")),
        Some(CardUpdate::Measured(times)) => {
            let mut sorted = times.clone();
            sorted.sort_by(f64::total_cmp);
            let median = median(&sorted);
            let (lo, hi) = (sorted.first().copied(), sorted.last().copied());
            md.push_str(
                "| runs | finish → card shows it: median (min–max) | goal |\n|---|---|---|\n",
            );
            md.push_str(&format!(
                "| {} | {median:.0} ms ({:.0}–{:.0}) | ≤ 100 ms |\n",
                times.len(),
                lo.unwrap_or(f64::NAN),
                hi.unwrap_or(f64::NAN)
            ));
        }
    }
    md
}

/// The median of sorted values (NaN when none).
pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
