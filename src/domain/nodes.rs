//! A flows array held once, as the text Node-RED sent it, with the few fields redstage reads of
//! each node (id, type, name, label) and where each node's text is. A promotion passes the text
//! through to the target's `POST /flows` and into its snapshots without re-encoding it; the
//! pre-flight and the audit comparison read the light fields. A full `serde_json::Value` of
//! 10,000 nodes is several times the size of its text: nothing here builds one.

use std::ops::{Deref, Range};
use std::sync::Arc;

use bytes::Bytes;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// One node as redstage reads it. A field is `None` when the node lacks it or it is not a string,
/// exactly as `node.get(key).and_then(Value::as_str)` would say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// `id`.
    pub id: Option<Box<str>>,
    /// `type`.
    pub kind: Option<Box<str>>,
    /// `name`.
    pub name: Option<Box<str>>,
    /// `label` (a tab's name).
    pub label: Option<Box<str>>,
    /// Where the node's JSON text is in the flows' text.
    span: Range<usize>,
}

/// The text of a flows array (shared, never copied), readable as `str` and as bytes.
#[derive(Debug, Clone)]
pub struct SharedText(Arc<String>);

impl Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A flows array (every node, tab, subflow and config node): its text and what is read of it.
#[derive(Debug, Clone)]
pub struct Nodes {
    text: SharedText,
    nodes: Vec<NodeInfo>,
}

impl Default for Nodes {
    /// No nodes (`[]`).
    fn default() -> Self {
        Self {
            text: SharedText(Arc::new("[]".to_owned())),
            nodes: Vec::new(),
        }
    }
}

impl Nodes {
    /// Read `text`, which must be a JSON array; it is kept as it is.
    pub fn parse(text: String) -> Result<Self, serde_json::Error> {
        let raw: Vec<&RawValue> = serde_json::from_str(&text)?;
        let base = text.as_ptr() as usize;
        let nodes = raw
            .iter()
            .map(|node| {
                let json = node.get();
                let start = (json.as_ptr() as usize).saturating_sub(base);
                NodeInfo::read(json, start..start + json.len())
            })
            .collect();
        drop(raw);
        Ok(Self {
            text: SharedText(Arc::new(text)),
            nodes,
        })
    }

    /// The nodes of parsed flows (a userDir's file), encoded once.
    pub fn from_values(flows: &[Value]) -> Result<Self, serde_json::Error> {
        Self::parse(serde_json::to_string(flows)?)
    }

    /// The whole array's JSON text, as received.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, shared (for a snapshot or a request body; nothing is copied).
    pub fn shared(&self) -> SharedText {
        self.text.clone()
    }

    /// The text as a request body chunk (nothing is copied).
    pub fn bytes(&self) -> Bytes {
        Bytes::from_owner(self.text.clone())
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Each node, in order.
    pub fn iter(&self) -> impl Iterator<Item = Node<'_>> {
        self.nodes.iter().map(|info| Node { info, of: self })
    }

    /// The nodes parsed in full (only for a caller that needs every field).
    pub fn to_values(&self) -> Result<Vec<Value>, serde_json::Error> {
        serde_json::from_str(self.text())
    }
}

/// One node of [`Nodes`]: its light fields and its text.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// What is read of it.
    pub info: &'a NodeInfo,
    of: &'a Nodes,
}

impl<'a> Node<'a> {
    /// Its JSON text, as received.
    pub fn json(&self) -> &'a str {
        self.of.text().get(self.info.span.clone()).unwrap_or("null")
    }

    /// Whether it equals `other` as JSON (same text, or the same value once parsed: key order
    /// and number spelling aside).
    pub fn same_as(&self, other: &Node<'_>) -> bool {
        let (mine, theirs) = (self.json(), other.json());
        if mine == theirs {
            return true;
        }
        match (
            serde_json::from_str::<Value>(mine),
            serde_json::from_str::<Value>(theirs),
        ) {
            (Ok(mine), Ok(theirs)) => mine == theirs,
            _ => false,
        }
    }
}

impl NodeInfo {
    /// The light fields of the node whose text is `json` (at `span` of the whole).
    fn read(json: &str, span: Range<usize>) -> Self {
        // Anything but an object has none of the fields (`Value::get` on it is `None`); an object
        // the light reader refuses (a key given twice: the last one counts) is read in full.
        let light = match json.trim_start().starts_with('{') {
            false => Light::default(),
            true => serde_json::from_str::<Light>(json).unwrap_or_else(|_| {
                serde_json::from_str::<Value>(json).map_or_else(|_| Light::default(), full)
            }),
        };
        Self {
            id: light.id.0,
            kind: light.kind.0,
            name: light.name.0,
            label: light.label.0,
            span,
        }
    }
}

/// The fields read of a node object; every other key is skipped without being built.
#[derive(Default, Deserialize)]
struct Light {
    #[serde(default)]
    id: Text,
    #[serde(default, rename = "type")]
    kind: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    label: Text,
}

/// The same fields of a fully parsed node.
fn full(node: Value) -> Light {
    let text = |key| Text(node.get(key).and_then(Value::as_str).map(Box::from));
    Light {
        id: text("id"),
        kind: text("type"),
        name: text("name"),
        label: text("label"),
    }
}

/// A field's value if it is a string; any other JSON value is skipped (`None`).
#[derive(Default)]
struct Text(Option<Box<str>>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<Text, E> {
        Ok(Text(Some(v.into())))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_unit<E>(self) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

#[cfg(test)]
#[path = "nodes_tests.rs"]
mod tests;
