//! What a push would do, for the confirmation: which modules the target lacks and how its flows
//! change. Read from both instances' stored content (what each runtime stores on every deploy),
//! so that opening the dialog costs the runtimes nothing; the promotion itself asks the runtimes.

use crate::db::ids::InstanceId;
use crate::domain::flows::{FlowsChange, compare};
use crate::nodered::RuntimeDriver;

/// The confirmation's preview of a push.
pub struct Preview {
    /// Modules the source has and the target lacks: (name, version).
    pub modules: Vec<(String, String)>,
    /// How the target's flows change; None when either side's flows could not be read.
    pub flows: Option<FlowsChange>,
}

/// Preview a push from `source` onto `target`.
pub async fn preview(
    runtimes: &dyn RuntimeDriver,
    source: &InstanceId,
    target: &InstanceId,
) -> Preview {
    let (had, has, sent, kept) = tokio::join!(
        runtimes.read_modules(source),
        runtimes.read_modules(target),
        runtimes.read_nodes(source),
        runtimes.read_nodes(target)
    );
    let modules = match (had, has) {
        (Ok(had), Ok(has)) => had
            .into_iter()
            .filter(|(module, _)| !has.contains_key(module))
            .collect(),
        _ => Vec::new(),
    };
    let flows = match (sent, kept) {
        (Ok(sent), Ok(kept)) => Some(compare(&sent, &kept)),
        _ => None,
    };
    Preview { modules, flows }
}
