//! What a push changes in the target's flows: every node (tabs, subflows and config nodes
//! included) compared by id with what the target runs now.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::nodes::{Node, Nodes};

/// The difference between the flows a push sends and the ones the target has.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FlowsChange {
    /// Nodes the target does not have yet.
    pub added: usize,
    /// Nodes both have, with different content (position included).
    pub changed: usize,
    /// Nodes only the target has, which the push removes: how to name each.
    pub removed: Vec<String>,
}

impl FlowsChange {
    /// Whether the target already runs exactly these flows.
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed.is_empty()
    }
}

/// "4 added, 1 changed, 0 removed".
impl std::fmt::Display for FlowsChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} added, {} changed, {} removed",
            self.added,
            self.changed,
            self.removed.len()
        )
    }
}

/// Flows the comparison can read: parsed nodes (`[Value]`, a `Vec` or an array of them) or
/// [`Nodes`] as received.
pub trait Flows {
    /// The nodes, in order.
    fn nodes(&self) -> Vec<impl FlowNode + '_>;
}

/// What the comparison reads of one node.
pub trait FlowNode {
    /// Its `id`, if a string.
    fn id(&self) -> Option<&str>;
    /// Its `type`, `name` or `label`, if a string.
    fn text(&self, key: Key) -> Option<&str>;
    /// Whether its content equals `other`'s.
    fn same_as(&self, other: &Self) -> bool;
}

/// The string fields a comparison names nodes by.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Type,
    Name,
    Label,
}

impl<T: AsRef<[Value]> + ?Sized> Flows for T {
    fn nodes(&self) -> Vec<impl FlowNode + '_> {
        self.as_ref().iter().collect()
    }
}

impl FlowNode for &Value {
    fn id(&self) -> Option<&str> {
        self.get("id").and_then(Value::as_str)
    }
    fn text(&self, key: Key) -> Option<&str> {
        let key = match key {
            Key::Type => "type",
            Key::Name => "name",
            Key::Label => "label",
        };
        self.get(key).and_then(Value::as_str)
    }
    fn same_as(&self, other: &Self) -> bool {
        self == other
    }
}

impl Flows for Nodes {
    fn nodes(&self) -> Vec<impl FlowNode + '_> {
        self.iter().collect()
    }
}

impl FlowNode for Node<'_> {
    fn id(&self) -> Option<&str> {
        self.info.id.as_deref()
    }
    fn text(&self, key: Key) -> Option<&str> {
        match key {
            Key::Type => self.info.kind.as_deref(),
            Key::Name => self.info.name.as_deref(),
            Key::Label => self.info.label.as_deref(),
        }
    }
    fn same_as(&self, other: &Self) -> bool {
        Node::same_as(self, other)
    }
}

/// Compare the `source`'s nodes with the `target`'s.
pub fn compare<F: Flows + ?Sized>(source: &F, target: &F) -> FlowsChange {
    let (source, target) = (source.nodes(), target.nodes());
    let theirs: HashMap<&str, _> = target
        .iter()
        .filter_map(|node| Some((node.id()?, node)))
        .collect();
    let mut change = FlowsChange::default();
    let mut kept = HashSet::new();
    for node in &source {
        let Some(id) = node.id() else {
            continue;
        };
        match theirs.get(id) {
            None => change.added += 1,
            Some(their) => {
                kept.insert(id);
                if !their.same_as(node) {
                    change.changed += 1;
                }
            }
        }
    }
    change.removed = target
        .iter()
        .filter(|node| node.id().is_some_and(|id| !kept.contains(id)))
        .map(label)
        .collect();
    change
}

/// How a user recognises a node: its name (a tab's label), else its type, with the type.
fn label(node: &impl FlowNode) -> String {
    let text = |key| node.text(key).filter(|s| !s.is_empty());
    let kind = text(Key::Type).unwrap_or("node");
    match text(Key::Name).or_else(|| text(Key::Label)) {
        Some(name) => format!("\"{name}\" ({kind})"),
        None => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nodes_are_added_changed_kept_and_removed_by_id() {
        let target = [
            json!({"id": "t", "type": "tab", "label": "Flow 1"}),
            json!({"id": "a", "type": "inject", "name": "tick", "x": 10}),
            json!({"id": "b", "type": "function", "name": "hotfix"}),
            json!({"id": "c", "type": "debug"}),
        ];
        let source = [
            json!({"id": "t", "type": "tab", "label": "Flow 1"}),
            json!({"id": "a", "name": "tick", "x": 20, "type": "inject"}),
            json!({"id": "n", "type": "change"}),
        ];
        let change = compare(&source[..], &target[..]);
        assert_eq!(change.added, 1);
        assert_eq!(change.changed, 1, "moved: x differs");
        assert_eq!(change.removed, ["\"hotfix\" (function)", "debug"]);
        assert!(!change.is_empty());
        assert_eq!(change.to_string(), "1 added, 1 changed, 2 removed");
        assert!(compare(&source, &source).is_empty(), "the same flows");
    }
}

/// The paths of `flows` (http-in routes and websocket listeners) under `prefix`, which belongs to
/// the editor: they can never be reached, and the overview says so.
pub fn paths_under(flows: &[Value], prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = flows
        .iter()
        .filter_map(|node| {
            let key = match node.get("type")?.as_str()? {
                "http in" => "url",
                "websocket-listener" => "path",
                _ => return None,
            };
            let path = node.get(key)?.as_str()?.trim();
            let path = if path.starts_with('/') {
                path.to_owned()
            } else {
                format!("/{path}")
            };
            let lower = path.to_ascii_lowercase();
            // Node-RED's routing ignores case and a trailing slash.
            (lower == prefix || lower.starts_with(&format!("{prefix}/"))).then_some(path)
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod reserved_tests {
    use serde_json::json;

    use super::paths_under;

    #[test]
    fn routes_and_sockets_under_the_editor_prefix_are_found() {
        let flows = [
            json!({"type": "http in", "url": "/editor/steal"}),
            json!({"type": "http in", "url": "editor"}),
            json!({"type": "http in", "url": "/Editor/x"}),
            json!({"type": "http in", "url": "/editorial"}),
            json!({"type": "websocket-listener", "path": "/editor/ws"}),
            json!({"type": "function", "url": "/editor/no"}),
        ];
        assert_eq!(
            paths_under(&flows, "/editor"),
            ["/Editor/x", "/editor", "/editor/steal", "/editor/ws"]
        );
    }
}
