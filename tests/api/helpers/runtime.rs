//! Helpers for tests over real Node-RED runtimes: create instances through the UI, wait for
//! their live state as the status card shows it, deploy fixture flows, call their endpoints.

use std::time::{Duration, Instant};

use redstage::db::ids::InstanceId;
use redstage::nodered::client::AdminClient;
use reqwest::StatusCode;
use serde_json::{Map, Value};

use super::{Browser, Page, Res, TestApp};

/// How long a runtime may take to reach a state (the first start installs Node-RED with npm).
pub fn start_timeout() -> Duration {
    super::patience(240)
}

/// A flow file from `tests/fixtures/flows`.
pub fn flow_file(name: &str) -> Res<Value> {
    let path = format!("{}/tests/fixtures/flows/{name}", env!("CARGO_MANIFEST_DIR"));
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

impl TestApp {
    /// Create an instance through the Instances tab; its id.
    pub async fn instance(&self, who: &Browser, app_id: &str, name: &str) -> Res<String> {
        let page = who
            .post(
                &format!("/application/{app_id}/instances"),
                &[("name", name)],
            )
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "creating instance {name}: {}",
            page.body
        );
        let location = page.location.ok_or("no Location")?;
        let id = location
            .strip_prefix("/instance/")
            .and_then(|r| r.strip_suffix("/overview"))
            .ok_or("unexpected Location")?;
        Ok(id.to_owned())
    }

    /// The admin-API client of a running instance (as the server itself uses it).
    pub fn client(&self, id: &str) -> Res<AdminClient> {
        Ok(self
            .runtimes
            .client(&InstanceId::from(id.to_owned()))
            .ok_or("instance is not running")?)
    }

    /// Deploy a fixture flow (with plaintext credentials, if any) through the admin API.
    pub async fn deploy(&self, id: &str, flows: &str, credentials: Option<&str>) -> Res<String> {
        let flows = flow_file(flows)?;
        let flows = flows.as_array().ok_or("flows are not an array")?;
        let credentials: Option<Map<String, Value>> = match credentials {
            Some(name) => Some(serde_json::from_value(flow_file(name)?)?),
            None => None,
        };
        Ok(self.client(id)?.deploy(flows, credentials.as_ref()).await?)
    }

    /// A client of the runtime's own port, as redstage reaches it (with its proxy secret: the
    /// runtime answers nobody else), and the port's base URL.
    pub fn runtime_http(&self, id: &str) -> Res<(reqwest::Client, String)> {
        let client = self.client(id)?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            redstage::nodered::PROXY_HEADER,
            client.proxy_secret().parse()?,
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()?;
        Ok((http, client.base_url().to_owned()))
    }

    /// GET an endpoint the instance's flows serve, on the instance's own origin, as any client
    /// (with no cookie) calls it.
    pub async fn flow_get(&self, id: &str, path: &str) -> Res<reqwest::Response> {
        let origin = self.stranger_at(id).await?;
        Ok(origin
            .client
            .get(format!("{}{path}", origin.base))
            .send()
            .await?)
    }

    /// The runtime's process id.
    pub fn pid(&self, id: &str) -> Option<u32> {
        self.runtimes
            .runtime(&InstanceId::from(id.to_owned()))
            .pid()
    }
}

impl Browser {
    /// Poll the instance's status card (as htmx does) until it shows `state`; the last card.
    pub async fn wait_for_state(&self, id: &str, state: &str) -> Res<Page> {
        let deadline = Instant::now() + start_timeout();
        loop {
            let page = self.get_htmx(&format!("/instance/{id}/status")).await?;
            let shown = page.attr("[data-state]", "data-state").unwrap_or_default();
            if shown == state {
                return Ok(page);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "instance {id} still {shown:?}, not {state:?}: {}",
                    page.body
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl TestApp {
    /// Wait until the instance runs in a process other than `old` (after a restart or a crash).
    pub async fn wait_for_new_process(
        &self,
        who: &Browser,
        id: &str,
        old: Option<u32>,
    ) -> Res<u32> {
        let deadline = Instant::now() + start_timeout();
        loop {
            who.wait_for_state(id, "running").await?;
            match self.pid(id) {
                Some(pid) if Some(pid) != old => return Ok(pid),
                _ if Instant::now() > deadline => {
                    return Err(format!("{id} was not restarted").into());
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// GET a flow endpoint until it answers 200 (flows start right after a deploy); its JSON.
    pub async fn flow_json_eventually(&self, id: &str, path: &str) -> Res<Value> {
        let deadline = Instant::now() + super::patience(20);
        loop {
            match self.flow_get(id, path).await {
                Ok(response) if response.status() == StatusCode::OK => {
                    return Ok(response.json().await?);
                }
                other if Instant::now() > deadline => {
                    return Err(
                        format!("GET {path} on {id}: {:?}", other.map(|r| r.status())).into(),
                    );
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}
