//! The background task of one promotion (or rollback, whose content is a snapshot of its target):
//! the steps in order, the `deployments` row kept truthful as it goes (queued -> reading ->
//! checking -> deploying -> verifying -> (restoring) -> done), a restore when a step after the
//! snapshot fails, and the audit event at the end. The target's flow requests are held (`nodered::hold`)
//! from its first interruption (an npm restart, the deploy) until it runs the new flows or the
//! old ones again.

use super::preflight::{self, Installed};
use super::{Ctx, Failure, Job, deploy, read, restore, snapshot, uninstall};
use crate::db::ids::SnapshotId;
use crate::db::models::audit;
use crate::db::models::deployments::{self, status};
use crate::domain::flows::{FlowsChange, compare};
use crate::domain::restart::Restarts;
use crate::domain::states::DeploymentStep;
use crate::error::AppError;
use crate::nodered::hold::HoldGuard;

/// What a promotion changed on the target so far (what a failure must undo).
#[derive(Default)]
struct Touched {
    /// The snapshot to restore from, once taken.
    snapshot: Option<SnapshotId>,
    /// Env keys added without a value.
    added: Vec<String>,
    /// Modules installed for the promotion.
    installed: Installed,
    /// How the target's flows change (for the audit trail).
    change: Option<FlowsChange>,
    /// Whether the flows were sent.
    flows: bool,
    /// Whether the target was restarted.
    restarted: bool,
    /// The target's flow requests are held from its first interruption (an npm restart, the
    /// deploy) until it runs the new flows or was restored.
    hold: Option<HoldGuard>,
}

/// Run the promotion to its end; never panics, always finishes the row.
pub(crate) async fn run(ctx: Ctx, job: Job) {
    let mut touched = Touched::default();
    let outcome = promote(&ctx, &job, &mut touched).await;
    let error = match outcome {
        Ok(()) => None,
        Err(Failure(reason)) => Some(undo(&ctx, &job, &touched, reason).await),
    };
    // The target runs the new flows (or the old ones again): let its held requests through.
    drop(touched.hold.take());
    let (id, new_keys, restarted) = (job.id.clone(), touched.added.clone(), touched.restarted);
    let (action, details) = match &error {
        None => (job.action("succeeded"), succeeded_details(&job, &touched)),
        Some(reason) => (job.action("failed"), reason.clone()),
    };
    let (team, pipeline, actor, subject) = (
        job.team.clone(),
        job.pipeline.clone(),
        job.actor.clone(),
        job.subject.clone(),
    );
    let finished = ctx
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let outcome = match error {
                    None => status::SUCCEEDED,
                    Some(_) => status::FAILED,
                };
                deployments::finish(conn, &id, outcome, error.as_deref(), &new_keys, restarted)?;
                audit::record(
                    conn,
                    &team,
                    Some(&pipeline),
                    &actor,
                    &action,
                    &subject,
                    &details,
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await;
    if let Err(error) = finished {
        tracing::error!(deployment = %job.id, error = ?error, "could not record the end of a promotion");
    }
    ctx.events.pipeline(&job.pipeline);
}

/// The steps; `touched` records what has to be undone if a later one fails.
async fn promote(ctx: &Ctx, job: &Job, touched: &mut Touched) -> Result<(), Failure> {
    step(ctx, job, DeploymentStep::Reading).await?;
    let source = async {
        match &job.from_snapshot {
            Some(snapshot) => read::snapshot(ctx, &job.target, snapshot).await,
            None => read::source(ctx, &job.source).await,
        }
    };
    let (source, target) = tokio::join!(source, read::target(ctx, &job.target));
    let (source, target) = (source?, target?);
    step(ctx, job, DeploymentStep::Checking).await?;
    let installed = &mut touched.installed;
    let target =
        preflight::install_missing(ctx, &source, target, job, installed, &mut touched.hold).await?;
    touched.restarted = !touched.installed.npm.is_empty();
    preflight::check_types(&source, &target, &job.target.name)?;
    let applied = snapshot::take(ctx, job, &source, &target).await?;
    touched.change = Some(compare(&source.flows, &target.flows));
    touched.snapshot = Some(applied.before);
    touched.added = applied.added;
    step(ctx, job, DeploymentStep::Deploying).await?;
    hold(ctx, job, &mut touched.hold).await;
    touched.flows = true;
    let rev = deploy::deploy(&source, &target, &job.target.name).await?;
    step(ctx, job, DeploymentStep::Verifying).await?;
    let running_env = ctx.runtimes.launch_env(&job.target.id);
    let by_npm = !touched.installed.npm.is_empty();
    let restarts = Restarts::new(by_npm, &running_env, &applied.env);
    touched.restarted = restarts.any();
    // Modules by npm were loaded by the pre-flight's restart; only the environment is left.
    deploy::verify(ctx, &job.target, target, &rev, restarts.for_environment).await
}

/// Hold the target's flow requests (once the ones in flight finished) unless already held.
pub(super) async fn hold(ctx: &Ctx, job: &Job, slot: &mut Option<HoldGuard>) {
    if slot.is_none() {
        *slot = Some(ctx.holds.close(&job.target.id).await);
    }
}

/// Record progress (and `running`).
async fn step(ctx: &Ctx, job: &Job, name: DeploymentStep) -> Result<(), Failure> {
    let id = job.id.clone();
    ctx.db
        .run(move |conn| Ok(deployments::set_step(conn, &id, name)?))
        .await?;
    ctx.events.pipeline(&job.pipeline);
    Ok(())
}

/// Restore the target if anything was changed, then remove the modules installed for the
/// promotion (its restored flows do not use them); the reason to record.
async fn undo(ctx: &Ctx, job: &Job, touched: &Touched, reason: String) -> String {
    let target = &job.target.name;
    let mut reason = reason;
    if let Some(snapshot) = &touched.snapshot {
        let _ = step(ctx, job, DeploymentStep::Restoring).await;
        let restored =
            restore::restore(ctx, &job.target, snapshot, &touched.added, touched.flows).await;
        if let Err(error) = restored {
            tracing::error!(deployment = %job.id, %error, "restoring a promotion's target failed");
            return format!(
                "{reason} Restoring {target} failed too ({error}): restore it from its snapshot \
                 or redeploy its flows."
            );
        }
        reason = format!("{reason} {target} was restored to how it was before.");
    }
    if let Err(error) = uninstall::uninstall(ctx, &job.target, &touched.installed).await {
        tracing::error!(deployment = %job.id, %error, "removing a promotion's modules failed");
        reason = format!("{reason} {error}");
    }
    reason
}

/// What the audit trail says of a success: how the flows changed, modules installed, keys that
/// need a value.
fn succeeded_details(job: &Job, touched: &Touched) -> String {
    let target = &job.target.name;
    let mut details = Vec::new();
    if let Some(change) = &touched.change {
        let removed = match change.removed.len() {
            0 => String::new(),
            _ => format!(": {}", change.removed.join(", ")),
        };
        details.push(format!("Flows on {target}: {change}{removed}."));
    }
    let installed = &touched.installed;
    let modules: Vec<&str> = installed
        .api
        .iter()
        .chain(&installed.npm)
        .map(String::as_str)
        .collect();
    if !modules.is_empty() {
        let how = match installed.npm.is_empty() {
            true => "",
            false => " (with npm, then restarted it)",
        };
        details.push(format!(
            "Installed {} on {target}{how}.",
            modules.join(", ")
        ));
    }
    let keys = &touched.added;
    if !keys.is_empty() {
        let n = keys.len();
        details.push(format!(
            "{n} env var{} need{} a value on {target}: {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            keys.join(", ")
        ));
    }
    details.join(" ")
}
