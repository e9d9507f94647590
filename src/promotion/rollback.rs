//! Rolling a target back: a successful push is undone by deploying the snapshot taken of its
//! target just before it. It runs as a promotion whose content comes from that snapshot (same
//! claim, steps, pre-flight, fresh snapshot, verify and restore on failure); env keys do not
//! change, and the modules the snapshot recorded are installed if the target lacks them.

use super::{Claiming, Ctx, claim, run};
use crate::db::ids::DeploymentId;
use crate::db::models::deployments::{self, status};
use crate::db::models::instances;
use crate::db::models::pipelines::Pipeline;
use crate::db::models::stages;
use crate::db::models::teams::Team;
use crate::db::models::users::User;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;

/// What the web layer knows when "roll back" is pressed on a deployment of `pipeline`.
pub struct RollbackRequest {
    /// The pipeline, already scoped to the user's team.
    pub pipeline: Pipeline,
    /// The pipeline's team.
    pub team: Team,
    /// The user's role in it.
    pub role: Role,
    /// The push to undo.
    pub deployment: DeploymentId,
    /// Who pressed it.
    pub actor: User,
}

/// Authorise, claim the target, start the rollback in the background; returns at once.
pub async fn roll_back(ctx: &Ctx, request: RollbackRequest) -> Result<DeploymentId, AppError> {
    if !request.role.allows(Action::Promote) {
        return Err(AppError::Forbidden(format!(
            "Viewers cannot roll back: ask a member or an owner of {}.",
            request.team.name
        )));
    }
    let (id, pipeline) = (request.deployment.clone(), request.pipeline.id.clone());
    let (pushed, stage, target) = ctx
        .db
        .run(move |conn| {
            let pushed = deployments::find(conn, &id)?;
            if pushed.pipeline_id != pipeline {
                return Err(AppError::NotFound);
            }
            let stage = match &pushed.target_stage_id {
                Some(stage) => stages::find(conn, stage)?,
                None => {
                    return Err(AppError::BadRequest(format!(
                        "The stage of {} was removed from this pipeline: roll it back from its \
                         own history.",
                        pushed.target_name
                    )));
                }
            };
            let target = instances::find(conn, &pushed.target_instance_id)?;
            Ok((pushed, stage, target))
        })
        .await?;
    let snapshot = match (pushed.status, &pushed.snapshot_before) {
        (status::SUCCEEDED, Some(snapshot)) => snapshot.clone(),
        (status::SUCCEEDED, None) => {
            return Err(AppError::BadRequest(format!(
                "The snapshot of {} from before this push is gone (only the latest ten are kept).",
                target.name
            )));
        }
        _ => {
            return Err(AppError::BadRequest(
                "Only a successful push can be rolled back: a failed one restored its target \
                 already."
                    .into(),
            ));
        }
    };
    super::authorise(request.role, &target, &request.team)?;
    let claiming = Claiming {
        team: &request.team,
        pipeline: &request.pipeline,
        actor: &request.actor,
        source_name: format!(
            "{} before the push from {}",
            target.name, pushed.source_name
        ),
        source: (stage.clone(), target.clone()),
        target: (stage, target),
        from_snapshot: Some(snapshot),
    };
    let job = claim(ctx, claiming).await?;
    let id = job.id.clone();
    ctx.runtimes.spawn(Box::pin(run::run(ctx.clone(), job)));
    Ok(id)
}
