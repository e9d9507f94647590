//! The promotion service: what pressing play on a pipeline stage does (DESIGN.md, "Promotion").
//!
//! [`start`] authorises, claims the target in the database (one active promotion per target,
//! enforced by a unique index) and hands the work to a background task on the server's main
//! runtime; the `deployments` row tells the pages how far it got. The task (`run`) reads the
//! source (`read`), pre-flights the target (`preflight`), snapshots it and adds the missing env
//! keys (`snapshot`), deploys and verifies (`deploy`), and restores the target from the
//! snapshot when anything after the snapshot fails (`restore`). [`recover`] finishes the
//! promotions a stopped server left behind.

mod deploy;
mod files;
mod preflight;
mod preview;
mod read;
mod recover;
mod restore;
mod rollback;
mod run;
mod snapshot;
mod uninstall;

use std::sync::Arc;

use crate::db::Db;
use crate::db::ids::{DeploymentId, PipelineId, SnapshotId, StageId, TeamId};
use crate::db::models::audit::{self, Actor};
use crate::db::models::deployments::{self, Claim};
use crate::db::models::instances::Instance;
use crate::db::models::pipelines::Pipeline;
use crate::db::models::stages::{self, Stage};
use crate::db::models::teams::Team;
use crate::db::models::users::User;
use crate::domain::play;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::events::Events;
use crate::nodered::RuntimeDriver;
use crate::nodered::hold::Holds;

pub use preview::{Preview, preview};

/// The flows an instance's runtime last stored (what it runs), read through its driver.
pub async fn flows_of(
    runtimes: &dyn RuntimeDriver,
    id: &crate::db::ids::InstanceId,
) -> Result<Vec<serde_json::Value>, String> {
    runtimes.read_flows(id).await
}
pub use recover::recover;
pub use rollback::{RollbackRequest, roll_back};

/// What the web layer knows when play is pressed on `source` (a stage of `pipeline`).
pub struct PlayRequest {
    /// The pipeline, already scoped to the user's team.
    pub pipeline: Pipeline,
    /// The pipeline's team.
    pub team: Team,
    /// The user's role in it.
    pub role: Role,
    /// The stage whose content is pushed to the next stage.
    pub source: StageId,
    /// Who pressed play.
    pub actor: User,
}

/// The handles promotions work with: the database, the runtimes and the gates that hold a
/// target's flow requests while it is changed (not the whole app state).
#[derive(Clone)]
pub struct Ctx {
    pub(crate) db: Db,
    pub(crate) runtimes: Arc<dyn RuntimeDriver>,
    pub(crate) holds: Arc<Holds>,
    /// Where each step and the finish are announced (the pages' live streams listen).
    pub(crate) events: Events,
}

impl Ctx {
    /// Promotions over this database and these runtimes, holding flow requests at these gates
    /// and announcing their progress on `events`.
    pub fn new(
        db: Db,
        runtimes: Arc<dyn RuntimeDriver>,
        holds: Arc<Holds>,
        events: Events,
    ) -> Self {
        Self {
            db,
            runtimes,
            holds,
            events,
        }
    }
}

/// One claimed promotion, as the background task carries it.
pub(crate) struct Job {
    pub(crate) id: DeploymentId,
    pub(crate) team: TeamId,
    pub(crate) pipeline: PipelineId,
    pub(crate) actor: Actor,
    pub(crate) source: Instance,
    pub(crate) target: Instance,
    /// A rollback: the content comes from this snapshot of the target (`source` is the target).
    pub(crate) from_snapshot: Option<SnapshotId>,
    /// "Development → Production" (the deployment's from → to), the subject of audit events.
    pub(crate) subject: String,
}

impl Job {
    /// The audit action for `what` ("started", "succeeded", "failed") of this kind of job.
    pub(crate) fn action(&self, what: &str) -> String {
        action(self.from_snapshot.is_some(), what)
    }
}

/// "promotion.started", or "rollback.started" for a rollback.
fn action(rollback: bool, what: &str) -> String {
    let kind = if rollback { "rollback" } else { "promotion" };
    format!("{kind}.{what}")
}

/// Why a promotion stopped, in words a user can act on (shown on the stage card).
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        tracing::error!(error = ?error, "promotion: database error");
        Failure(
            "redstage could not record the promotion in its database; see the server log.".into(),
        )
    }
}

/// Authorise, claim the target, start the promotion in the background; returns at once.
pub async fn start(ctx: &Ctx, request: PlayRequest) -> Result<DeploymentId, AppError> {
    if !request.role.allows(Action::Promote) {
        let refusal = play::Refusal::Viewer;
        return Err(AppError::Forbidden(refusal.message("", &request.team.name)));
    }
    let (pipeline, source_id) = (request.pipeline.id.clone(), request.source.clone());
    let (source, target) = ctx
        .db
        .run(move |conn| Ok(stages::list_for_pipeline(conn, &pipeline)?))
        .await
        .and_then(|stages| pick(stages, &source_id, &request.pipeline))?;
    authorise(request.role, &target.1, &request.team)?;
    let claiming = Claiming {
        team: &request.team,
        pipeline: &request.pipeline,
        actor: &request.actor,
        source_name: source.1.name.clone(),
        source,
        target,
        from_snapshot: None,
    };
    let job = claim(ctx, claiming).await?;
    let id = job.id.clone();
    ctx.runtimes.spawn(Box::pin(run::run(ctx.clone(), job)));
    Ok(id)
}

/// Whether `role` may push onto `target` (whether it is busy is the claim's to say: 409).
pub fn authorise(role: Role, target: &Instance, team: &Team) -> Result<(), AppError> {
    let target = play::Target {
        name: &target.name,
        protected: target.protected,
        busy: false,
    };
    play::check(role, &target)
        .map_err(|refusal| AppError::Forbidden(refusal.message(target.name, &team.name)))
}

/// A stage with its instance.
type Placed = (Stage, Instance);

/// The source stage and the one after it, both with their instances.
fn pick(
    stages: Vec<(Stage, Instance)>,
    source: &StageId,
    pipeline: &Pipeline,
) -> Result<(Placed, Placed), AppError> {
    let at = stages
        .iter()
        .position(|(stage, _)| &stage.id == source)
        .ok_or(AppError::NotFound)?;
    let mut rest = stages.into_iter().skip(at);
    let source = rest.next().ok_or(AppError::NotFound)?;
    let target = rest.next().ok_or_else(|| {
        AppError::BadRequest(format!(
            "{} is the last stage: there is nowhere to push it.",
            source.0.name
        ))
    })?;
    let outside = |i: &Instance| i.application_id != pipeline.application_id;
    if outside(&source.1) || outside(&target.1) {
        return Err(AppError::NotFound);
    }
    Ok((source, target))
}

/// What a claim is made of.
struct Claiming<'a> {
    team: &'a Team,
    pipeline: &'a Pipeline,
    actor: &'a User,
    /// The deployment's "from" (a stage's instance, or what a rollback restores).
    source_name: String,
    source: Placed,
    target: Placed,
    from_snapshot: Option<SnapshotId>,
}

/// Insert the `queued` deployment and the "started" audit event in one transaction.
async fn claim(ctx: &Ctx, c: Claiming<'_>) -> Result<Job, AppError> {
    let (team, pipeline) = (c.team.id.clone(), c.pipeline.id.clone());
    let actor = Actor {
        id: Some(c.actor.id.clone()),
        name: c.actor.username.clone(),
    };
    let user = c.actor.id.clone();
    let stages = (c.source.0.id.clone(), c.target.0.id.clone());
    let names = (c.source_name.clone(), c.target.1.name.clone());
    let instances = (c.source.1.id.clone(), c.target.1.id.clone());
    let subject = format!("{} → {}", names.0, names.1);
    let started = action(c.from_snapshot.is_some(), "started");
    let (who, about) = (actor.clone(), subject.clone());
    let claimed = ctx
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let claim = Claim {
                    pipeline: &pipeline,
                    stages: (&stages.0, &stages.1),
                    instances: (&instances.0, &instances.1),
                    names: (&names.0, &names.1),
                    user: (&user, &who.name),
                };
                let deployment = deployments::claim(conn, claim)?;
                audit::record(conn, &team, Some(&pipeline), &who, &started, &about, "")?;
                Ok::<_, AppError>(deployment.id)
            })
        })
        .await
        .map_err(|e| match e.is_unique_violation() {
            true => AppError::Conflict(format!("{} is already being deployed.", c.target.1.name)),
            false => e,
        })?;
    ctx.events.pipeline(&c.pipeline.id);
    Ok(Job {
        id: claimed,
        team: c.team.id.clone(),
        pipeline: c.pipeline.id.clone(),
        actor,
        source: c.source.1,
        target: c.target.1,
        from_snapshot: c.from_snapshot,
        subject,
    })
}
