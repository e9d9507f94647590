//! What a push changes in the target's flows: every node (tabs, subflows and config nodes
//! included) compared by id with what the target runs now.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

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

/// Compare the `source`'s nodes with the `target`'s.
pub fn compare(source: &[Value], target: &[Value]) -> FlowsChange {
    let theirs: HashMap<&str, &Value> = target
        .iter()
        .filter_map(|node| Some((node.get("id")?.as_str()?, node)))
        .collect();
    let mut change = FlowsChange::default();
    let mut kept = HashSet::new();
    for node in source {
        let Some(id) = node.get("id").and_then(Value::as_str) else {
            continue;
        };
        match theirs.get(id) {
            None => change.added += 1,
            Some(their) => {
                kept.insert(id);
                if *their != node {
                    change.changed += 1;
                }
            }
        }
    }
    change.removed = target
        .iter()
        .filter(|node| {
            node.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !kept.contains(id))
        })
        .map(label)
        .collect();
    change
}

/// How a user recognises a node: its name (a tab's label), else its type, with the type.
fn label(node: &Value) -> String {
    let text = |key| {
        node.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let kind = text("type").unwrap_or("node");
    match text("name").or_else(|| text("label")) {
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
        let change = compare(&source, &target);
        assert_eq!(change.added, 1);
        assert_eq!(change.changed, 1, "moved: x differs");
        assert_eq!(change.removed, ["\"hotfix\" (function)", "debug"]);
        assert!(!change.is_empty());
        assert_eq!(change.to_string(), "1 added, 1 changed, 2 removed");
        assert!(compare(&source, &source).is_empty(), "the same flows");
    }
}
