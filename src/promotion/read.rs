//! Step "reading": what the source has (flows, plaintext credentials, modules; for a rollback,
//! what a snapshot of the target holds) and what the target has (the same, for the snapshot, plus its node catalog for the pre-flight). Source and target
//! are read concurrently; the target's /comms connection is opened meanwhile for the verify step.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tokio::task::JoinHandle;

use super::{Ctx, Failure, files};
use crate::db::ids::SnapshotId;
use crate::db::models::instance_settings::{self, InstanceSettings};
use crate::db::models::instances::Instance;
use crate::db::models::snapshots;
use crate::domain::nodes::Nodes;
use crate::nodered::client::{AdminClient, Catalog, NodeRedError};
use crate::nodered::comms::Comms;
use crate::nodered::credentials;
use crate::nodered::state::RuntimeState;
use crate::nodered::tokens::Access;

/// What the source holds.
pub(crate) struct Source {
    /// Every node, tab, subflow and config node, as the source gave them (sent on as they are).
    pub(crate) flows: Nodes,
    /// PLAINTEXT credentials per node id.
    pub(crate) credentials: Map<String, Value>,
    /// Modules beyond Node-RED's own, with versions.
    pub(crate) modules: BTreeMap<String, String>,
    /// Which module provides each node type it has (known only when the source runs).
    pub(crate) type_modules: Option<BTreeMap<String, String>>,
}

/// What the (running) target holds.
pub(crate) struct Target {
    /// Its admin API.
    pub(crate) client: AdminClient,
    /// The process that runs it now.
    pub(crate) pid: u32,
    /// Its node types and modules.
    pub(crate) catalog: Catalog,
    /// Its deployed flows, as it gave them (stored in the snapshot as they are).
    pub(crate) flows: Nodes,
    /// Its PLAINTEXT credentials.
    pub(crate) credentials: Map<String, Value>,
    /// Its settings (palette, editor).
    pub(crate) settings: InstanceSettings,
    /// Its /comms connection being opened (none when its editor is off).
    pub(crate) comms: Option<JoinHandle<Option<Comms>>>,
}

/// The source's content: over the admin API when it runs, else from its userDir.
pub(crate) async fn source(ctx: &Ctx, instance: &Instance) -> Result<Source, Failure> {
    let (runtimes, id) = (&*ctx.runtimes, &instance.id);
    let name = &instance.name;
    let credentials = files::credentials(runtimes, id, &instance.credential_secret);
    let running = matches!(
        ctx.runtimes.status(&instance.id).state,
        RuntimeState::Running { .. }
    );
    let client = ctx.runtimes.client(&instance.id).filter(|_| running);
    let from_api = client.is_some();
    let (flows, catalog, credentials) = match client {
        Some(client) => {
            let (flows, catalog, credentials) =
                tokio::join!(client.flows_text(), client.catalog(), credentials);
            let flows = flows
                .map(|f| f.flows)
                .map_err(|e| unreadable(name, "flows", e))?;
            (
                flows,
                catalog.map_err(|e| unreadable(name, "nodes", e))?,
                credentials,
            )
        }
        None => {
            let (flows, modules, credentials) = tokio::join!(
                runtimes.read_nodes(id),
                runtimes.read_modules(id),
                credentials
            );
            let flows = flows.map_err(|e| unreadable(name, "flows", e))?;
            let modules = modules.map_err(|e| unreadable(name, "modules", e))?;
            let catalog = Catalog {
                modules,
                ..Catalog::default()
            };
            (flows, catalog, credentials)
        }
    };
    Ok(Source {
        flows,
        credentials: credentials.map_err(|e| unreadable(name, "credentials", e))?,
        modules: catalog.modules,
        type_modules: from_api.then_some(catalog.type_modules),
    })
}

/// What a rollback puts back: `snapshot` of `instance` (its credentials encrypted with the
/// instance's own secret).
pub(crate) async fn snapshot(
    ctx: &Ctx,
    instance: &Instance,
    snapshot: &SnapshotId,
) -> Result<Source, Failure> {
    let id = snapshot.clone();
    let mut stored = ctx
        .db
        .run(move |conn| Ok(snapshots::find(conn, &id)?))
        .await?;
    let damaged = |what: &str, e: String| {
        Failure(format!(
            "The snapshot of {} is damaged ({what}: {e}); nothing was changed.",
            instance.name
        ))
    };
    let flows = Nodes::parse(std::mem::take(&mut stored.flows))
        .map_err(|e| damaged("flows", e.to_string()))?;
    let file: Value = serde_json::from_str(&stored.credentials)
        .map_err(|e| damaged("credentials", e.to_string()))?;
    let credentials = credentials::decrypt(&instance.credential_secret, &file)
        .map_err(|e| damaged("credentials", e.to_string()))?;
    Ok(Source {
        flows,
        credentials,
        modules: stored.modules(),
        type_modules: None,
    })
}

/// The target's content; it must be running (nothing is changed when it is not).
pub(crate) async fn target(ctx: &Ctx, instance: &Instance) -> Result<Target, Failure> {
    let state = ctx.runtimes.status(&instance.id).state;
    let (RuntimeState::Running { pid, .. }, Some(client), Some(address)) = (
        &state,
        ctx.runtimes.client(&instance.id),
        ctx.runtimes.address(&instance.id),
    ) else {
        return Err(not_running(instance, &state));
    };
    let id = instance.id.clone();
    let settings = ctx
        .db
        .run(move |conn| Ok(instance_settings::get(conn, &id)?))
        .await?;
    let comms = settings.editor_enabled.then(|| {
        let token = ctx.runtimes.token(&instance.id, Access::Full);
        tokio::spawn(async move { Comms::connect_bounded(&address, &token).await })
    });
    let secret = &instance.credential_secret;
    let (catalog, flows, credentials) = tokio::join!(
        client.catalog(),
        client.flows_text(),
        files::credentials(&*ctx.runtimes, &instance.id, secret)
    );
    let name = &instance.name;
    Ok(Target {
        catalog: catalog.map_err(|e| silent(name, e))?,
        flows: flows.map_err(|e| silent(name, e))?.flows,
        credentials: credentials.map_err(|e| unreadable(name, "credentials", e))?,
        client,
        pid: *pid,
        settings,
        comms,
    })
}

/// Why a target that is not running cannot be promoted to.
pub(crate) fn not_running(instance: &Instance, state: &RuntimeState) -> Failure {
    let name = &instance.name;
    Failure(match state {
        RuntimeState::Stopped => format!("{name} is stopped — start it and try again."),
        RuntimeState::Error { message } => {
            format!("{name} cannot run ({message}) — fix that and try again.")
        }
        other => format!(
            "{name} is not running right now ({}) — try again once it runs.",
            other.key()
        ),
    })
}

/// The running target did not answer as it should.
fn silent(instance: &str, error: NodeRedError) -> Failure {
    match error {
        NodeRedError::Unreachable(why) => Failure(format!(
            "{instance} stopped answering ({why}) — check that it runs and try again; nothing was changed."
        )),
        other => unreadable(instance, "flows and nodes", other),
    }
}

fn unreadable(instance: &str, what: &str, error: impl Into<Reason>) -> Failure {
    Failure(format!(
        "Could not read the {what} of {instance}: {}.",
        error.into().0
    ))
}

/// An error message from either the admin API or a file.
pub(crate) struct Reason(String);

impl From<NodeRedError> for Reason {
    fn from(error: NodeRedError) -> Self {
        Self(error.to_string())
    }
}

impl From<String> for Reason {
    fn from(error: String) -> Self {
        Self(error)
    }
}
