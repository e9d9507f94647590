//! A real Chromium (Debian's `chromium` + `chromium-driver`) driven over WebDriver: one
//! chromedriver and one fresh profile per test, killed when the test ends. Every page visited is
//! checked for JavaScript console errors and failed requests (chromedriver's browser log).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::{Child, Command};

use crate::helpers::Res;

mod input;

/// How long to wait for something to appear on a page.
pub fn patience() -> Duration {
    crate::helpers::patience(20)
}

/// One browser session.
pub struct Chrome {
    pub client: Client,
    base: String,
    driver: Child,
    _profile: TempDir,
}

impl Drop for Chrome {
    /// Kill chromedriver and every Chromium process it started, even when a test fails half-way
    /// (the WebDriver session is never closed then, and Chromium would outlive the test).
    fn drop(&mut self) {
        if let Some(group) = self.driver.id().and_then(|id| i32::try_from(id).ok()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(group),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// chromedriver's (legacy but supported) browser-log endpoint: console messages and failed loads.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

fn free_port() -> Res<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Chrome {
    /// Start chromedriver and a headless Chromium with a fresh profile, pointed at `base`.
    pub async fn start(base: &str) -> Res<Self> {
        let port = free_port()?;
        // Its own process group, so that the browsers it starts die with it (see Drop).
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("chromedriver could not start ({e}); install chromium-driver"))?;
        let profile = tempfile::tempdir()?;
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": "/usr/bin/chromium", "args": args}),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Self {
                        client,
                        base: base.to_owned(),
                        driver,
                        _profile: profile,
                    });
                }
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("no WebDriver session: {last:?}").into())
    }

    /// Fail on any console error or failed request to this server since the last check.
    /// Requests to other hosts are out of scope: this machine's network is closed, so the
    /// Node-RED editor's optional fetch of catalogue.nodered.org fails here and nowhere else.
    pub async fn assert_clean(&self, page: &str) -> Res<()> {
        let entries = self.take_log().await?;
        // Ours: the platform and every instance origin (`{label}.localhost` on its port).
        let port = self.base.rsplit(':').next().unwrap_or_default();
        let instance = format!(".localhost:{port}/");
        let external = |e: &Value| {
            let message = e["message"].as_str().unwrap_or_default();
            let url = message.split_whitespace().next().unwrap_or_default();
            // A flow's origin serves only what its flows do: no favicon unless they make one.
            let flow_favicon = url.contains(&instance) && url.ends_with("/favicon.ico");
            flow_favicon
                || e["source"] == "network"
                    && message.starts_with("http")
                    && !message.starts_with(&self.base)
                    && !url.contains(&instance)
        };
        let severe: Vec<&Value> = entries
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE" && !external(e))
                    .collect()
            })
            .unwrap_or_default();
        if severe.is_empty() {
            Ok(())
        } else {
            Err(format!("console errors or failed requests on {page}: {severe:?}").into())
        }
    }

    /// The browser's log since the last look (console messages and failed requests).
    pub async fn take_log(&self) -> Res<Value> {
        Ok(self.client.issue_cmd(BrowserLog).await?)
    }

    /// Open a page of the app and check it loaded cleanly.
    pub async fn visit(&self, path: &str) -> Res<()> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        self.wait_for("body").await?;
        self.assert_clean(path).await
    }

    /// Open an absolute URL (an instance origin) and check it loaded cleanly; the page's text.
    pub async fn visit_url(&self, url: &str) -> Res<String> {
        self.client.goto(url).await?;
        self.wait_for("body").await?;
        self.assert_clean(url).await?;
        // Chromium shows JSON in a <pre> (with a pretty-print control beside it).
        let text = self
            .js("const pre = document.querySelector('pre'); return (pre || document.body).innerText;")
            .await?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Wait until `css` matches an element; it.
    pub async fn wait_for(&self, css: &str) -> Res<fantoccini::elements::Element> {
        Ok(self
            .client
            .wait()
            .at_most(patience())
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))?)
    }

    /// Wait until the element `css` has text containing `needle`; the text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Res<String> {
        let deadline = tokio::time::Instant::now() + patience();
        loop {
            // innerText, as the user reads it (WebDriver's own text is empty inside dialogs).
            let script =
                "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';";
            let text = self
                .client
                .execute(script, vec![json!(css)])
                .await?
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if text.contains(needle) {
                return Ok(text);
            }
            if tokio::time::Instant::now() > deadline {
                let html = self.client.execute("const d = document.getElementById('dialog'); return (d ? d.outerHTML : 'no #dialog').slice(0, 1500)", vec![]).await?;
                let url = self.client.current_url().await?;
                return Err(format!(
                    "{css} never showed {needle:?}; last: {text:?}; at {url}: {html}"
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the browser's confirmation dialog, once it is open.
    pub async fn alert_text(&self) -> Res<String> {
        let deadline = tokio::time::Instant::now() + patience();
        loop {
            match self.client.get_alert_text().await {
                Ok(text) => return Ok(text),
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(format!("no confirmation dialog: {e}").into()),
            }
        }
    }

    /// Sign in through the form.
    pub async fn sign_in(&self, user: &str, password: &str) -> Res<()> {
        self.visit("/login").await?;
        self.fill("input[name=username]", user).await?;
        self.fill("input[name=password]", password).await?;
        self.click("form[action='/login'] button[type=submit]")
            .await?;
        // Only signed-in pages have the team switcher (the sign-in page has an h1 too).
        self.wait_for(".team-switcher").await?;
        self.assert_clean("after sign-in").await
    }

    /// Save a screenshot as target/screenshots/<name>.png (and, with UPDATE_SCREENSHOTS set,
    /// as tests/screenshots/<name>.png for the README).
    pub async fn screenshot(&self, name: &str) -> Res<PathBuf> {
        let png = self.client.screenshot().await?;
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png)?;
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots");
            std::fs::create_dir_all(&docs)?;
            std::fs::write(docs.join(format!("{name}.png")), &png)?;
        }
        Ok(path)
    }
}
