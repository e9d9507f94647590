//! Steps "deploying" and "verifying": a full v2 `POST /flows` with plaintext credentials (always
//! with a fresh deploy nonce, see `nodered::credentials`), a restart only when the target's process
//! environment must change, and proof that the new revision runs: the runtime's own
//! `runtime-deploy` notification naming the revision with `runtime-state` started over /comms, or
//! (without /comms) its `GET /flows` revision.

use std::time::Duration;

use url::Url;

use super::read::{Source, Target};
use super::{Ctx, Failure};
use crate::db::models::instances::Instance;
use crate::nodered::client::AdminClient;
use crate::nodered::comms::{Comms, DeployState};
use crate::nodered::credentials;
use crate::nodered::tokens::Access;

/// How long a runtime may take to report a deploy running.
pub(crate) const VERIFY_WITHIN: Duration = Duration::from_secs(30);
/// How long a restarted runtime may take to answer again.
pub(crate) const RESTART_WITHIN: Duration = Duration::from_secs(90);

/// Deploy the source's flows and credentials; the new revision.
pub(crate) async fn deploy(
    source: &Source,
    target: &Target,
    name: &str,
) -> Result<String, Failure> {
    let credentials = credentials::with_deploy_nonce(&source.credentials);
    target
        .client
        .deploy_text(&source.flows, &credentials)
        .await
        .map_err(|e| Failure(format!("Deploying to {name} failed: {e}.")))
}

/// Prove that `rev` runs on the target, after restarting it when `restart` (its process must get
/// a new environment; the flows it loads at start are the ones just deployed).
pub(crate) async fn verify(
    ctx: &Ctx,
    instance: &Instance,
    target: Target,
    rev: &str,
    restart: bool,
) -> Result<(), Failure> {
    let name = &instance.name;
    if !restart {
        let comms = match target.comms {
            Some(opening) => opening.await.ok().flatten(),
            None => None,
        };
        return runs(comms, &target.client, Some(rev), name).await;
    }
    if let Some(opening) = target.comms {
        opening.abort();
    }
    ctx.runtimes.restart(&instance.id);
    let running = ctx.runtimes.wait_running(&instance.id, Some(target.pid));
    let (address, _) = tokio::time::timeout(RESTART_WITHIN, running).await.map_err(|_| {
        Failure(format!(
            "{name} did not run again within {} s of its restart (needed for its new environment).",
            RESTART_WITHIN.as_secs()
        ))
    })?;
    let client = ctx
        .runtimes
        .client(&instance.id)
        .ok_or_else(|| Failure(format!("{name} stopped right after its restart.")))?;
    let comms = match target.settings.editor_enabled {
        true => connect(ctx, instance, &address).await,
        false => None,
    };
    runs(comms, &client, Some(rev), name).await
}

/// Open /comms of `instance` at `address` (bounded; `None` when it cannot be had).
pub(crate) async fn connect(ctx: &Ctx, instance: &Instance, address: &Url) -> Option<Comms> {
    let token = ctx.runtimes.token(&instance.id, Access::Full);
    Comms::connect_bounded(address, &token).await
}

/// Wait for the runtime to report `rev` (any revision when `None`) started without error. Its
/// own deploy notification naming `rev` is the proof; otherwise (any revision, or no /comms
/// because the editor is turned off: such a runtime reports nothing, and the pre-flight already
/// vouched for the node types) check that it answers with it.
pub(crate) async fn runs(
    comms: Option<Comms>,
    client: &AdminClient,
    rev: Option<&str>,
    name: &str,
) -> Result<(), Failure> {
    if let Some(comms) = comms {
        // Subscribing only now (after the POST answered) means the retained state replayed is
        // the stop of this deploy or its outcome, never the previous deploy's start.
        match comms.report(rev, VERIFY_WITHIN).await {
            // Reading the flows back now would have Node-RED serialise all of them (4 MB for
            // 10,000 nodes) just as its new flows take their first requests.
            Ok(DeployState::Running) if rev.is_some() => return Ok(()),
            Ok(DeployState::Running) => {}
            Ok(DeployState::NotStarted { error, missing }) => {
                return Err(not_started(name, &error, &missing));
            }
            Err(Some(_)) => {
                return Err(Failure(format!(
                    "{name} stopped while starting the new flows (it crashed or was stopped)."
                )));
            }
            Err(None) => {
                return Err(Failure(format!(
                    "{name} did not report the new flows running within {} s.",
                    VERIFY_WITHIN.as_secs()
                )));
            }
        }
    }
    let answered = client
        .rev()
        .await
        .map_err(|e| Failure(format!("{name} stopped answering after the deploy: {e}.")))?;
    match rev {
        Some(rev) if answered != rev => Err(Failure(format!(
            "{name} runs other flows than the ones just deployed (was it deployed from its editor meanwhile?)."
        ))),
        _ => Ok(()),
    }
}

fn not_started(name: &str, error: &str, missing: &[String]) -> Failure {
    Failure(match error {
        "missing-types" => format!(
            "{name} stopped its flows: the node types {} are missing there.",
            missing.join(", ")
        ),
        "missing-modules" => format!(
            "{name} stopped its flows: the modules {} could not be loaded there.",
            missing.join(", ")
        ),
        other => format!("{name} could not start the new flows ({other})."),
    })
}
