//! At server start: the promotions a stopped (or crashed) server left `queued` or `running`. Those
//! that never changed their target are marked `interrupted` at once. Those that took a snapshot
//! keep their claim on the target while it is restored in the background (once it runs), the
//! modules the promotion installed are removed, and they are then marked `interrupted` with what
//! happened.

use diesel::prelude::*;

use super::preflight::Installed;
use super::{Ctx, restore, uninstall};
use crate::db::Conn;
use crate::db::ids::{PipelineId, SnapshotId, TeamId};
use crate::db::models::audit::{self, Actor};
use crate::db::models::deployments::{self, Deployment, status};
use crate::db::models::env_vars;
use crate::db::models::instance_settings;
use crate::db::models::instances;
use crate::db::models::snapshots;
use crate::domain::states::DeploymentStep;
use crate::error::AppError;

/// At server start: mark deployments left queued/running as `interrupted` and restore their
/// targets from `snapshot_before` (in the background, once each target runs).
pub async fn recover(ctx: &Ctx) -> Result<(), AppError> {
    let left = ctx
        .db
        .run(|conn| Ok(deployments::unfinished(conn)?))
        .await?;
    for deployment in left {
        let Some(snapshot) = deployment.snapshot_before.clone() else {
            let reason = format!(
                "The server stopped during this promotion, before it changed {}.",
                deployment.target_name
            );
            finish(ctx, &deployment, reason).await?;
            continue;
        };
        let id = deployment.id.clone();
        ctx.db
            .run(move |conn| Ok(deployments::set_step(conn, &id, DeploymentStep::Restoring)?))
            .await?;
        tracing::info!(deployment = %deployment.id, "restoring the target of an interrupted promotion");
        ctx.runtimes
            .spawn(Box::pin(restore_target(ctx.clone(), deployment, snapshot)));
    }
    Ok(())
}

/// Restore the target of `deployment` from `snapshot`, then mark it interrupted.
async fn restore_target(ctx: Ctx, deployment: Deployment, snapshot: SnapshotId) {
    let name = deployment.target_name.clone();
    let (target, snap) = (deployment.target_instance_id.clone(), snapshot.clone());
    let promoted = deployment.snapshot_promoted.clone();
    let loaded = ctx
        .db
        .run(move |conn| {
            let Some(instance) = instances::find(conn, &target).optional()? else {
                return Ok(None);
            };
            let before = snapshots::find(conn, &snap)?;
            let keys = before.keys();
            let added: Vec<String> = env_vars::list(conn, &target)?
                .into_iter()
                .filter(|v| v.value.is_none() && !keys.contains(&v.key))
                .map(|v| v.key)
                .collect();
            let modules = match &promoted {
                Some(promoted) => snapshots::find(conn, promoted)?.modules_beyond(&before),
                None => Vec::new(),
            };
            // Installed the way its palette allows (see `preflight`).
            let installed = match instance_settings::get(conn, &target)?.palette_allow_install {
                true => Installed {
                    api: modules,
                    ..Installed::default()
                },
                false => Installed {
                    npm: modules,
                    ..Installed::default()
                },
            };
            Ok(Some((instance, added, installed)))
        })
        .await;
    let stopped = "The server stopped during this promotion;";
    let reason = match loaded {
        Ok(None) => format!("{stopped} {name} no longer exists."),
        Ok(Some((instance, added, installed))) => {
            // Its flow requests wait for the old flows rather than reach the half-pushed ones.
            let _hold = ctx.holds.close(&instance.id).await;
            match restore::restore(&ctx, &instance, &snapshot, &added, true).await {
                Ok(()) => {
                    let restored =
                        format!("{stopped} {name} was restored to how it was before it.");
                    match uninstall::uninstall(&ctx, &instance, &installed).await {
                        Ok(()) => restored,
                        Err(e) => format!("{restored} {e}"),
                    }
                }
                Err(e) => format!(
                    "{stopped} restoring {name} failed ({e}): restore it from its snapshot or redeploy its flows."
                ),
            }
        }
        Err(e) => format!("{stopped} {name} could not be restored ({e})."),
    };
    if let Err(error) = finish(&ctx, &deployment, reason).await {
        tracing::error!(deployment = %deployment.id, error = ?error, "could not record an interrupted promotion");
    }
}

/// Mark `deployment` interrupted with `reason`, and say so in the audit trail.
async fn finish(ctx: &Ctx, deployment: &Deployment, reason: String) -> Result<(), AppError> {
    let (id, pipeline) = (deployment.id.clone(), deployment.pipeline_id.clone());
    let subject = format!("{} → {}", deployment.source_name, deployment.target_name);
    // A rollback puts a snapshot of its own target back onto it.
    let rollback = deployment.source_instance_id == deployment.target_instance_id;
    let action = super::action(rollback, "interrupted");
    ctx.db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let interrupted = status::INTERRUPTED;
                deployments::finish(conn, &id, interrupted, Some(&reason), &[], false)?;
                let team = team_of(conn, &pipeline)?;
                let system = Actor {
                    id: None,
                    name: "redstage".into(),
                };

                audit::record(
                    conn,
                    &team,
                    Some(&pipeline),
                    &system,
                    &action,
                    &subject,
                    &reason,
                )?;
                Ok(())
            })
        })
        .await?;
    ctx.events.pipeline(&deployment.pipeline_id);
    Ok(())
}

/// The team a pipeline belongs to.
fn team_of(conn: &mut Conn, pipeline: &PipelineId) -> QueryResult<TeamId> {
    use crate::db::schema::{applications, pipelines};
    pipelines::table
        .inner_join(applications::table)
        .filter(pipelines::id.eq(pipeline))
        .select(applications::team_id)
        .first(conn)
}
