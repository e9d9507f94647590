//! Unit tests of `nodered::comms` (what runtime notifications say about a deploy).
#![allow(clippy::unwrap_used)]

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
