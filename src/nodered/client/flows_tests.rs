#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::*;
use crate::nodered::client::DeployBody;

fn sample() -> Vec<Value> {
    vec![
        json!({"id": "t1", "type": "tab", "label": "Flow \"1\" ✓"}),
        json!({"id": "n1", "type": "inject", "z": "t1", "wires": [["n2"]], "x": 1.5}),
        json!({"id": "n2", "type": "debug", "z": "t1", "name": "out\n"}),
    ]
}

#[test]
fn a_get_answer_keeps_the_flows_text_and_the_revision() {
    let flows = r#"[{"id":"t1","type":"tab"}, {"z":"t1","id":"n1","type":"debug"}]"#;
    let body = format!(r#"{{"flows":{flows},"rev":"abc123"}}"#);
    let answer = answer(body.into_bytes()).unwrap();
    assert_eq!(answer.rev, "abc123");
    assert_eq!(
        answer.flows.text(),
        flows,
        "the text as sent, not re-encoded"
    );
    assert_eq!(answer.flows.len(), 2);
    let order = r#"{"rev":"r","flows":[]}"#;
    assert_eq!(answer_of(order).rev, "r", "key order does not matter");
    assert!(answer_of(order).flows.is_empty());
}

fn answer_of(body: &str) -> FlowsText {
    answer(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn a_get_answer_that_is_not_flows_is_refused() {
    for body in [
        r#"{"rev":"r"}"#,
        r#"{"flows":{},"rev":"r"}"#,
        "[]",
        "{\"flows\":[",
        "\u{0}",
    ] {
        assert!(answer(body.as_bytes().to_vec()).is_err(), "{body}");
    }
    assert!(answer(vec![0xff, 0xfe]).is_err(), "not UTF-8");
}

#[test]
fn the_streamed_body_is_the_json_that_was_sent_before() {
    let flows = sample();
    let nodes = Nodes::from_values(&flows).unwrap();
    let credentials =
        json!({"n1": {"user": "u", "password": "p\"w"}, "__nonce__": {"nonce": "1f"}});
    let credentials = credentials.as_object().unwrap().clone();
    let chunks = deploy_chunks(&nodes, &credentials).unwrap();
    let body: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    let sent: Value = serde_json::from_slice(&body).expect("valid JSON");
    // What `deploy` sent before: json!({"flows": flows, "credentials": credentials}).
    let before = json!({ "flows": flows, "credentials": credentials });
    assert_eq!(sent, before);
    let typed = serde_json::to_value(DeployBody {
        flows: &flows,
        credentials: Some(&credentials),
    })
    .unwrap();
    assert_eq!(typed, before, "the parsed-nodes body did not change either");
    let bare = serde_json::to_value(DeployBody {
        flows: &flows,
        credentials: None,
    })
    .unwrap();
    assert_eq!(bare, json!({ "flows": flows }), "no credentials: no key");
}
