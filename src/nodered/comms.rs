//! A client of Node-RED's `/comms` websocket, used to learn when a deploy really runs: `POST /flows`
//! answers before the new flows have started, and only the runtime's notifications say whether
//! they started (`runtime-state`) and which revision is live (`runtime-deploy`).
//!
//! Facts this relies on (Node-RED 4.1.15, see the editor-api's `comms.js`):
//! - An upgrade carrying `Authorization: Bearer <token>` is authenticated before the socket
//!   opens, and from then on every published event is sent to it, in order, in batches (JSON
//!   arrays of `{topic, data}`, flushed every 50 ms).
//! - `{"subscribe": "notification/#"}` replays the retained notifications, among them the latest
//!   `runtime-state` and `runtime-deploy`.
//! - A deploy emits `runtime-state {state:"stop"}`, then either `runtime-state {state:"start"}` or
//!   a `runtime-state` carrying `error` (e.g. `missing-types`), and then `runtime-deploy
//!   {revision}` in both cases. A runtime that starts emits `runtime-state {}`, then
//!   `runtime-deploy`, then the start or error state. So a revision runs once its `runtime-deploy`
//!   has been seen AND the newest `runtime-state` is a start (or an error: it does not run). The
//!   stop that precedes a start says nothing yet, which keeps a replayed, older `runtime-deploy`
//!   of the same revision (identical flows deployed again) from passing for the new one, as long
//!   as the subscription is made after the `POST /flows` answered (the stop is retained by then).
//! - With `disableEditor` the upgrade is never answered: callers bound [`Comms::connect`].

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::client::NodeRedError;

/// The topic every runtime notification is published under.
pub const NOTIFICATIONS: &str = "notification/#";

/// How long opening /comms may take.
pub const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// How a deploy ended, as the runtime reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployState {
    /// The revision runs.
    Running,
    /// The revision was deployed but its flows did not start.
    NotStarted {
        /// Node-RED's code, e.g. `missing-types`, `missing-modules`.
        error: String,
        /// The node types (or modules) it names, if any.
        missing: Vec<String>,
    },
}

/// An open `/comms` connection.
pub struct Comms {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Comms {
    /// Open `/comms` of the runtime on 127.0.0.1:`port`, authenticated with `token` (full access).
    pub async fn connect(port: u16, token: &str) -> Result<Self, NodeRedError> {
        let address = url::Url::parse(&format!("http://127.0.0.1:{port}"))
            .map_err(|e| NodeRedError::Invalid(e.to_string()))?;
        Self::connect_to(&address, token).await
    }

    /// Open /comms of the runtime at `address` (see [`super::driver::RuntimeDriver::address`]).
    pub async fn connect_to(address: &url::Url, token: &str) -> Result<Self, NodeRedError> {
        let path = format!("{}/comms", super::EDITOR_PREFIX);
        let mut request = super::driver::url_at(address, true, &path)
            .into_client_request()
            .map_err(|e| NodeRedError::Invalid(e.to_string()))?;
        let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| NodeRedError::Invalid("the admin token is not a valid header".into()))?;
        request.headers_mut().insert("Authorization", bearer);
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| NodeRedError::Unreachable(format!("comms: {e}")))?;
        Ok(Self { socket })
    }

    /// Ask for the retained messages of `topic` (they arrive with the next batches).
    pub async fn subscribe(&mut self, topic: &str) -> Result<(), NodeRedError> {
        let text = serde_json::json!({ "subscribe": topic }).to_string();
        self.socket
            .send(Message::text(text))
            .await
            .map_err(|e| NodeRedError::Unreachable(format!("comms: {e}")))
    }

    /// Wait until the runtime reports `revision` deployed (any revision when `None`) and whether
    /// its flows started. Unbounded: callers wrap it in a timeout. A closed socket (the runtime
    /// stopped or crashed) is `Unreachable`.
    pub async fn deployed(&mut self, revision: Option<&str>) -> Result<DeployState, NodeRedError> {
        let mut seen = false;
        let mut state: Option<Value> = None;
        loop {
            for (topic, data) in self.next_batch().await? {
                match topic.as_str() {
                    "notification/runtime-state" => state = Some(data),
                    "notification/runtime-deploy" => {
                        let deployed = data.get("revision").and_then(Value::as_str);
                        seen |= revision.is_none_or(|want| deployed == Some(want));
                    }
                    _ => continue,
                }
                if seen && let Some(outcome) = state.as_ref().and_then(outcome) {
                    return Ok(outcome);
                }
            }
        }
    }

    /// The `{topic, data}` pairs of the next batch (control and non-JSON frames are skipped).
    async fn next_batch(&mut self) -> Result<Vec<(String, Value)>, NodeRedError> {
        loop {
            let frame = self
                .socket
                .next()
                .await
                .ok_or_else(|| NodeRedError::Unreachable("the runtime closed comms".into()))?
                .map_err(|e| NodeRedError::Unreachable(format!("comms: {e}")))?;
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(_) => {
                    return Err(NodeRedError::Unreachable("the runtime closed comms".into()));
                }
                _ => continue,
            };
            if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&text) {
                return Ok(items.into_iter().filter_map(topic_and_data).collect());
            }
        }
    }

    /// Close politely (the runtime logs a normal close instead of an error).
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// [`Comms::connect_to`], given up after [`CONNECT_WITHIN`] (a runtime with its editor
    /// turned off never answers): `None` when it cannot be had.
    pub async fn connect_bounded(address: &url::Url, token: &str) -> Option<Self> {
        let connecting = tokio::time::timeout(CONNECT_WITHIN, Self::connect_to(address, token));
        connecting.await.ok().and_then(Result::ok)
    }

    /// Subscribe to the notifications and wait (up to `within`) for the runtime to report
    /// `revision` (any when `None`) deployed, as [`Comms::deployed`]; then close in the
    /// background. Subscribe only after the deploy's `POST /flows` answered (see the module's
    /// notes). `Err(None)`: nothing final within the time.
    pub async fn report(
        mut self,
        revision: Option<&str>,
        within: Duration,
    ) -> Result<DeployState, Option<NodeRedError>> {
        let reported = match self.subscribe(NOTIFICATIONS).await {
            Ok(()) => tokio::time::timeout(within, self.deployed(revision)).await,
            Err(e) => Ok(Err(e)),
        };
        tokio::spawn(self.close());
        match reported {
            Ok(outcome) => outcome.map_err(Some),
            Err(_) => Err(None),
        }
    }
}

fn topic_and_data(item: Value) -> Option<(String, Value)> {
    let Value::Object(mut item) = item else {
        return None;
    };
    let topic = item.get("topic")?.as_str()?.to_owned();
    Some((topic, item.remove("data").unwrap_or(Value::Null)))
}

/// What a `runtime-state` payload says about the flows: `None` while it says nothing final
/// (the stop that precedes a start, or the empty state published while flows load).
fn outcome(state: &Value) -> Option<DeployState> {
    if let Some(error) = state.get("error").and_then(Value::as_str) {
        let missing = ["types", "modules"]
            .iter()
            .filter_map(|k| state.get(k).and_then(Value::as_array))
            .flatten()
            .filter_map(|v| {
                v.as_str()
                    .or_else(|| v.get("module").and_then(Value::as_str))
                    .map(str::to_owned)
            })
            .collect();
        return Some(DeployState::NotStarted {
            error: error.to_owned(),
            missing,
        });
    }
    (state.get("state").and_then(Value::as_str) == Some("start")).then_some(DeployState::Running)
}

#[cfg(test)]
#[path = "comms_tests.rs"]
mod tests;
