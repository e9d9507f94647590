//! The one client of Node-RED's admin HTTP API (v2), authenticated with the instance's token.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

mod flows;

pub use flows::FlowsText;

/// A failed admin-API call, worded for users.
#[derive(Debug, thiserror::Error)]
pub enum NodeRedError {
    /// No answer at all (stopped, crashed, starting).
    #[error("the Node-RED runtime did not answer ({0})")]
    Unreachable(String),
    /// An answer with an error status.
    #[error("Node-RED answered {status}: {message}")]
    Status {
        /// HTTP status.
        status: StatusCode,
        /// Node-RED's message, or the body.
        message: String,
    },
    /// An answer we could not read.
    #[error("Node-RED sent an unexpected answer: {0}")]
    Invalid(String),
}

/// The deployed flows and their revision.
#[derive(Debug, Clone, Deserialize)]
pub struct Flows {
    /// Revision; changes with every deploy.
    pub rev: String,
    /// Every node, tab, subflow and config node.
    pub flows: Vec<Value>,
}

/// A `POST /flows` body of parsed nodes, serialised as it stands (nothing cloned).
#[derive(Serialize)]
struct DeployBody<'a> {
    flows: &'a [Value],
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials: Option<&'a Map<String, Value>>,
}

/// One node set of `GET /nodes`.
#[derive(Debug, Clone, Deserialize)]
pub struct NodeSet {
    /// npm module that provides it (`node-red` for the core nodes).
    pub module: String,
    /// Module version.
    #[serde(default)]
    pub version: Option<String>,
    /// Node types it registers.
    #[serde(default)]
    pub types: Vec<String>,
    /// Whether it is enabled.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// What a runtime can run: its node types and its modules (with versions).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Every enabled node type.
    pub types: BTreeSet<String>,
    /// Every module except Node-RED's own, with its version.
    pub modules: BTreeMap<String, String>,
    /// Which module provides each type.
    pub type_modules: BTreeMap<String, String>,
}

/// A client for one runtime.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base: String,
    /// `base` + Node-RED's `httpAdminRoot` ([`super::EDITOR_PREFIX`]).
    admin: String,
    token: String,
    /// The value of [`super::PROXY_HEADER`].
    proxy_secret: String,
}

impl AdminClient {
    /// Client for the runtime on 127.0.0.1:`port`.
    pub fn new(http: reqwest::Client, port: u16, token: String, proxy_secret: String) -> Self {
        let base = format!("http://127.0.0.1:{port}");
        Self {
            http,
            admin: format!("{base}{}", super::EDITOR_PREFIX),
            base,
            token,
            proxy_secret,
        }
    }

    /// The value of [`super::PROXY_HEADER`] this runtime requires.
    pub fn proxy_secret(&self) -> &str {
        &self.proxy_secret
    }

    /// Base URL of the runtime: its flows' `http in` endpoints (the admin API is under
    /// [`super::EDITOR_PREFIX`]).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.admin))
            .bearer_auth(&self.token)
            .header(super::PROXY_HEADER, &self.proxy_secret)
            .header("Node-RED-API-Version", "v2")
    }

    async fn send(
        request: RequestBuilder,
        idempotent: bool,
    ) -> Result<reqwest::Response, NodeRedError> {
        // A runtime whose event loop was busy (e.g. starting 10,000 nodes) may close a pooled
        // keep-alive socket just as a request goes out on it. Reads are safe to send again once.
        let retry = request.try_clone().filter(|_| idempotent);
        let response = match (request.send().await, retry) {
            (Ok(response), _) => response,
            (Err(e), Some(again)) if e.is_request() || e.is_connect() => again
                .send()
                .await
                .map_err(|e| NodeRedError::Unreachable(without_url(&e)))?,
            (Err(e), _) => return Err(NodeRedError::Unreachable(without_url(&e))),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or(body);
        Err(NodeRedError::Status { status, message })
    }

    async fn json<T: serde::de::DeserializeOwned>(
        request: RequestBuilder,
        idempotent: bool,
    ) -> Result<T, NodeRedError> {
        Self::send(request, idempotent)
            .await?
            .json()
            .await
            .map_err(|e| NodeRedError::Invalid(without_url(&e)))
    }

    /// `GET /settings`: answers once the runtime is up (the health check).
    pub async fn settings(&self) -> Result<Value, NodeRedError> {
        Self::json(self.request(Method::GET, "/settings"), true).await
    }

    /// `GET /flows` (v2): the deployed flows and their revision.
    pub async fn flows(&self) -> Result<Flows, NodeRedError> {
        Self::json(self.request(Method::GET, "/flows"), true).await
    }

    /// `POST /flows` (v2, full deploy). `credentials` are PLAINTEXT per node id; the runtime
    /// encrypts them with its own secret. `None` keeps the credentials it has for existing nodes.
    /// Returns the new revision.
    pub async fn deploy(
        &self,
        flows: &[Value],
        credentials: Option<&Map<String, Value>>,
    ) -> Result<String, NodeRedError> {
        let request = self
            .request(Method::POST, "/flows")
            .header("Node-RED-Deployment-Type", "full")
            .json(&DeployBody { flows, credentials });
        Self::deployed(request).await
    }

    /// The revision a `POST /flows` answered.
    pub(super) async fn deployed(request: RequestBuilder) -> Result<String, NodeRedError> {
        let answer: Value = Self::json(request, false).await?;
        answer
            .get("rev")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| NodeRedError::Invalid("no rev in the deploy answer".into()))
    }

    /// `GET /nodes`: node types and modules the runtime has.
    pub async fn catalog(&self) -> Result<Catalog, NodeRedError> {
        let sets: Vec<NodeSet> = Self::json(
            self.request(Method::GET, "/nodes")
                .header("Accept", "application/json"),
            true,
        )
        .await?;
        let mut catalog = Catalog::default();
        for set in sets.into_iter().filter(|s| s.enabled) {
            for node_type in &set.types {
                catalog.types.insert(node_type.clone());
                catalog
                    .type_modules
                    .insert(node_type.clone(), set.module.clone());
            }
            if set.module != "node-red" {
                catalog
                    .modules
                    .insert(set.module.clone(), set.version.clone().unwrap_or_default());
            }
        }
        Ok(catalog)
    }

    /// `POST /nodes`: install a module from npm (needs palette installs allowed).
    pub async fn install_module(&self, module: &str, version: &str) -> Result<(), NodeRedError> {
        let body = json!({ "module": module, "version": version });
        Self::send(self.request(Method::POST, "/nodes").json(&body), false)
            .await
            .map(|_| ())
    }

    /// `DELETE /nodes/{module}`: remove a module (refused while deployed flows use its nodes).
    pub async fn remove_module(&self, module: &str) -> Result<(), NodeRedError> {
        // npm names are URL-safe; a scoped one keeps its slash (Node-RED's route expects it).
        let path = format!("/nodes/{module}");
        Self::send(self.request(Method::DELETE, &path), false)
            .await
            .map(|_| ())
    }
}

/// reqwest errors name the URL; ours carry no secrets, but the message reads better without it.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "the runtime");
    }
    if error.is_connect() {
        "connection refused".into()
    } else {
        text
    }
}
