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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_started_state_means_running_and_a_stop_says_nothing_yet() {
        assert_eq!(
            outcome(&json!({"state": "start", "deploy": true})),
            Some(DeployState::Running)
        );
        assert_eq!(outcome(&json!({"state": "stop", "deploy": true})), None);
        assert_eq!(outcome(&json!({})), None);
    }

    #[test]
    fn missing_types_and_modules_are_named() {
        let state = json!({"state": "stop", "error": "missing-types", "types": ["random"]});
        assert_eq!(
            outcome(&state),
            Some(DeployState::NotStarted {
                error: "missing-types".into(),
                missing: vec!["random".into()]
            })
        );
        let state = json!({"error": "missing-modules", "modules": [{"module": "m", "error": "x"}]});
        assert_eq!(
            outcome(&state),
            Some(DeployState::NotStarted {
                error: "missing-modules".into(),
                missing: vec!["m".into()]
            })
        );
    }

    /// A fake /comms that sends `batches`, then keeps the socket open (or closes it).
    async fn fake_comms(batches: Vec<Value>, close: bool) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            for batch in batches {
                ws.send(Message::text(batch.to_string())).await.unwrap();
            }
            if close {
                let _ = ws.close(None).await;
            }
            while ws.next().await.is_some() {}
        });
        port
    }

    async fn reported(batches: Vec<Value>, revision: Option<&str>) -> Option<DeployState> {
        let port = fake_comms(batches, false).await;
        let mut comms = Comms::connect(port, "token").await.unwrap();
        let waited = std::time::Duration::from_millis(300);
        tokio::time::timeout(waited, comms.deployed(revision))
            .await
            .ok()
            .map(Result::unwrap)
    }

    fn state(payload: Value) -> Value {
        json!({"topic": "notification/runtime-state", "data": payload})
    }

    fn deploy(rev: &str) -> Value {
        json!({"topic": "notification/runtime-deploy", "data": {"revision": rev}})
    }

    #[tokio::test]
    async fn a_deploy_runs_once_its_revision_and_a_start_are_seen_in_either_order() {
        let start = || state(json!({"state": "start", "deploy": true}));
        // A deploy: stop, start, revision.
        let batches = vec![json!([
            state(json!({"state": "stop"})),
            start(),
            deploy("r")
        ])];
        assert_eq!(
            reported(batches, Some("r")).await,
            Some(DeployState::Running)
        );
        // A runtime starting: empty state, revision, then start.
        let batches = vec![json!([state(json!({})), deploy("r")]), json!([start()])];
        assert_eq!(reported(batches, None).await, Some(DeployState::Running));
    }

    #[tokio::test]
    async fn an_old_revision_or_a_pending_stop_is_not_taken_for_the_new_deploy() {
        // Identical flows deployed again: the replayed revision is the same, the state a stop.
        let replay = json!([state(json!({"state": "stop", "deploy": true})), deploy("r")]);
        assert_eq!(reported(vec![replay.clone()], Some("r")).await, None);
        let then = json!([state(json!({"state": "start"})), deploy("r")]);
        assert_eq!(
            reported(vec![replay, then], Some("r")).await,
            Some(DeployState::Running)
        );
        let other = json!([state(json!({"state": "start"})), deploy("old")]);
        assert_eq!(reported(vec![other], Some("r")).await, None);
    }

    #[tokio::test]
    async fn missing_types_are_reported_and_a_closed_socket_is_an_error() {
        let error = json!({"state": "stop", "error": "missing-types", "types": ["random"]});
        let batches = vec![
            json!([state(json!({"state": "stop"}))]),
            json!([state(error), deploy("r")]),
        ];
        assert_eq!(
            reported(batches, Some("r")).await,
            Some(DeployState::NotStarted {
                error: "missing-types".into(),
                missing: vec!["random".into()]
            })
        );
        let port = fake_comms(vec![json!([state(json!({"state": "stop"}))])], true).await;
        let mut comms = Comms::connect(port, "token").await.unwrap();
        assert!(matches!(
            comms.deployed(Some("r")).await,
            Err(NodeRedError::Unreachable(_))
        ));
    }

    #[test]
    fn batches_are_read_as_topic_and_data() {
        let item = json!({"topic": "notification/runtime-deploy", "data": {"revision": "r"}});
        let (topic, data) = topic_and_data(item).unwrap();
        assert_eq!(topic, "notification/runtime-deploy");
        assert_eq!(data["revision"], "r");
        assert!(topic_and_data(json!({"auth": "ok"})).is_none());
    }
}
