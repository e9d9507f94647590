#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::{Map, Value, json};

use super::*;
use crate::domain::flows::compare;

/// What the full parse says of a node's field.
fn field(node: &Value, key: &str) -> Option<Box<str>> {
    node.get(key).and_then(Value::as_str).map(Box::from)
}

/// The light fields must be what `Value::get(..).as_str()` gives, node by node, and each node's
/// text must be that node.
fn assert_light_matches_full(text: &str) {
    let nodes = Nodes::parse(text.to_owned()).unwrap();
    let full: Vec<Value> = serde_json::from_str(text).unwrap();
    assert_eq!(nodes.len(), full.len());
    for (light, value) in nodes.iter().zip(&full) {
        assert_eq!(light.info.id, field(value, "id"), "{value}");
        assert_eq!(light.info.kind, field(value, "type"), "{value}");
        assert_eq!(light.info.name, field(value, "name"), "{value}");
        assert_eq!(light.info.label, field(value, "label"), "{value}");
        let own: Value = serde_json::from_str(light.json()).unwrap();
        assert_eq!(&own, value);
    }
    assert_eq!(nodes.text(), text, "kept as it came");
    assert_eq!(nodes.to_values().unwrap(), full);
}

#[test]
fn light_fields_are_what_the_full_parse_gives() {
    let text = r#"[
        {"id":"t","type":"tab","label":"Flow 1","disabled":false,"env":[]},
        {"type":"inject","id":"a","name":"tick","props":[{"p":"payload"}],"wires":[["b"]]},
        {"id":"b","type":"function","name":"esc \"q\" \u00e9 \n","func":"return {id: 'x'};"},
        {"id":7,"type":null,"name":{"id":"nested"},"label":["x"]},
        {"id":"d","type":"debug","id":"d2"},
        {},
        "a string",
        42,
        [1, {"id": "in an array"}],
        null
    ]"#;
    assert_light_matches_full(text);
    let nodes = Nodes::parse(text.to_owned()).unwrap();
    let dup = nodes.iter().nth(4).unwrap();
    assert_eq!(
        dup.info.id.as_deref(),
        Some("d2"),
        "a key given twice: the last counts"
    );
    assert!(
        nodes.iter().nth(8).unwrap().info.id.is_none(),
        "an array has no id"
    );
}

#[test]
fn anything_but_a_json_array_is_refused() {
    for text in ["{}", "\"x\"", "", "[", "[1,]", "[{\"id\":}]"] {
        assert!(Nodes::parse(text.to_owned()).is_err(), "{text}");
    }
    assert!(Nodes::parse(" [ ] ".to_owned()).unwrap().is_empty());
    assert_eq!(Nodes::default().text(), "[]");
}

#[test]
fn shared_text_and_bytes_are_the_same_text() {
    let nodes = Nodes::from_values(&[json!({"id": "a", "type": "x"})]).unwrap();
    assert_eq!(&*nodes.shared(), nodes.text());
    assert_eq!(nodes.bytes(), nodes.text().as_bytes());
}

#[test]
fn same_as_is_json_equality() {
    let text = r#"[{"id":"a","x":1,"y":[2]},{"y":[2],"x":1,"id":"a"},{"id":"a","x":1.0,"y":[2]},{"id":"a","x":1,"y":[3]}]"#;
    let nodes = Nodes::parse(text.to_owned()).unwrap();
    let all: Vec<Node<'_>> = nodes.iter().collect();
    let values: Vec<Value> = serde_json::from_str(text).unwrap();
    for (i, a) in all.iter().enumerate() {
        for (j, b) in all.iter().enumerate() {
            assert_eq!(a.same_as(b), values[i] == values[j], "{i} vs {j}");
        }
    }
    assert!(all[0].same_as(&all[1]), "key order does not matter");
}

/// A random JSON value of a few levels, with strings that need escaping now and then.
fn value(rng: &mut StdRng, depth: u32) -> Value {
    let words = [
        "a", "id", "type", "name", "label", "é", "\"q\"", "\\", "\n", "tab", "",
    ];
    let word = |rng: &mut StdRng| words[rng.random_range(0..words.len())].to_owned();
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-1000..1000)),
        3 => json!(f64::from(rng.random_range(-100..100)) / 8.0),
        4 => Value::String(format!("{}{}", word(rng), word(rng))),
        5 => Value::Array(
            (0..rng.random_range(0..3))
                .map(|_| value(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(object(rng, depth - 1)),
    }
}

fn object(rng: &mut StdRng, depth: u32) -> Map<String, Value> {
    let keys = [
        "id", "type", "name", "label", "z", "x", "wires", "func", "info",
    ];
    (0..rng.random_range(0..keys.len()))
        .map(|_| {
            let key = keys[rng.random_range(0..keys.len())].to_owned();
            (key, value(rng, depth))
        })
        .collect()
}

/// Random flows: mostly node objects with string ids from a small pool (so that source and
/// target share some), now and then something else.
fn flows(rng: &mut StdRng) -> Vec<Value> {
    (0..rng.random_range(0..30))
        .map(|_| match rng.random_range(0..10) {
            0 => value(rng, 2),
            _ => {
                let mut node = object(rng, 2);
                if rng.random_bool(0.9) {
                    node.insert("id".into(), json!(format!("n{}", rng.random_range(0..20))));
                }
                Value::Object(node)
            }
        })
        .collect()
}

#[test]
fn property_light_parse_and_compare_agree_with_the_full_values() {
    let mut rng = StdRng::seed_from_u64(0x5eed_f10e);
    for round in 0..300 {
        let (source, target) = (flows(&mut rng), flows(&mut rng));
        // Sorted keys (serde_json's own encoding) and a shuffled, spaced encoding of the same.
        for text in [
            serde_json::to_string(&source).unwrap(),
            shuffled(&source, &mut rng),
        ] {
            assert_light_matches_full(&text);
        }
        let (s, t) = (
            Nodes::parse(shuffled(&source, &mut rng)).unwrap(),
            Nodes::from_values(&target).unwrap(),
        );
        assert_eq!(compare(&s, &t), compare(&source, &target), "round {round}");
        assert_eq!(compare(&s, &s), compare(&source, &source), "round {round}");
    }
}

/// `values` encoded with each object's keys in a random order and random spacing.
fn shuffled(values: &[Value], rng: &mut StdRng) -> String {
    fn encode(value: &Value, rng: &mut StdRng, out: &mut String) {
        let space = |rng: &mut StdRng| if rng.random_bool(0.3) { " " } else { "" };
        match value {
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(space(rng));
                    }
                    encode(item, rng, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                for i in (1..entries.len()).rev() {
                    entries.swap(i, rng.random_range(0..=i));
                }
                out.push('{');
                for (i, (key, item)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    out.push_str(space(rng));
                    encode(item, rng, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    encode(&Value::Array(values.to_vec()), rng, &mut out);
    out
}
