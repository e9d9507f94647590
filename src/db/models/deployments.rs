//! `deployments`: one row per press of play. The partial UNIQUE index on the target instance
//! (status queued or running) makes "one promotion onto an instance at a time" a database fact.

use diesel::prelude::*;

use crate::db::ids::{
    ApplicationId, DeploymentId, InstanceId, PipelineId, SnapshotId, StageId, UserId,
};
use crate::db::schema::{deployments as d, instances};
use crate::db::{Conn, now_ms};
use crate::domain::states::{DeploymentStatus, DeploymentStep};

/// Statuses of a deployment, by name (see [`DeploymentStatus`]).
pub mod status {
    use crate::domain::states::DeploymentStatus;

    /// Claimed, not started.
    pub const QUEUED: DeploymentStatus = DeploymentStatus::Queued;
    /// In progress.
    pub const RUNNING: DeploymentStatus = DeploymentStatus::Running;
    /// The target runs the promoted flows.
    pub const SUCCEEDED: DeploymentStatus = DeploymentStatus::Succeeded;
    /// Refused or failed; the target was restored.
    pub const FAILED: DeploymentStatus = DeploymentStatus::Failed;
    /// The server stopped mid-way; the target was restored at the next start.
    pub const INTERRUPTED: DeploymentStatus = DeploymentStatus::Interrupted;
}

/// One promotion.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = d, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Deployment {
    /// Opaque id.
    pub id: DeploymentId,
    /// The pipeline it ran in.
    pub pipeline_id: PipelineId,
    /// Stage pushed from (None once that stage is deleted).
    pub source_stage_id: Option<StageId>,
    /// Stage pushed to.
    pub target_stage_id: Option<StageId>,
    /// Instance read from.
    pub source_instance_id: InstanceId,
    /// Instance written to.
    pub target_instance_id: InstanceId,
    /// Source instance name at the time.
    pub source_name: String,
    /// Target instance name at the time.
    pub target_name: String,
    /// Snapshot of the target before the deploy (to restore from).
    pub snapshot_before: Option<SnapshotId>,
    /// Snapshot of what was deployed.
    pub snapshot_promoted: Option<SnapshotId>,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: DeploymentStatus,
    /// How far it got.
    #[diesel(deserialize_as = String)]
    pub step: DeploymentStep,
    /// Who pressed play.
    pub started_by: Option<UserId>,
    /// Their name at the time.
    pub started_by_name: String,
    /// Unix milliseconds.
    pub started_at: i64,
    /// Unix milliseconds, once over.
    pub finished_at: Option<i64>,
    /// Why it failed, in words a user can act on.
    pub error: Option<String>,
    /// JSON array of env keys that arrived on the target without a value.
    pub new_env_keys: String,
    /// Whether the target was restarted (its environment changed).
    pub restarted: bool,
}

impl Deployment {
    /// Whether it is still going.
    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }

    /// Env keys that arrived without a value.
    pub fn new_keys(&self) -> Vec<String> {
        serde_json::from_str(&self.new_env_keys).unwrap_or_default()
    }

    /// How long it took, once over.
    pub fn duration_ms(&self) -> Option<i64> {
        self.finished_at.map(|f| f - self.started_at)
    }
}

/// What a new claim is made of.
pub struct Claim<'a> {
    /// Pipeline.
    pub pipeline: &'a PipelineId,
    /// Source and target stages.
    pub stages: (&'a StageId, &'a StageId),
    /// Source and target instances.
    pub instances: (&'a InstanceId, &'a InstanceId),
    /// Their names.
    pub names: (&'a str, &'a str),
    /// Who pressed play.
    pub user: (&'a UserId, &'a str),
}

/// Claim the target: insert a `queued` deployment. A promotion already queued or running onto
/// the same instance makes this a UNIQUE violation.
pub fn claim(conn: &mut Conn, claim: Claim<'_>) -> QueryResult<Deployment> {
    diesel::insert_into(d::table)
        .values((
            d::id.eq(DeploymentId::generate()),
            d::pipeline_id.eq(claim.pipeline),
            d::source_stage_id.eq(claim.stages.0),
            d::target_stage_id.eq(claim.stages.1),
            d::source_instance_id.eq(claim.instances.0),
            d::target_instance_id.eq(claim.instances.1),
            d::source_name.eq(claim.names.0),
            d::target_name.eq(claim.names.1),
            d::status.eq(DeploymentStatus::Queued.as_str()),
            d::step.eq(DeploymentStep::Queued.as_str()),
            d::started_by.eq(claim.user.0),
            d::started_by_name.eq(claim.user.1),
            d::started_at.eq(now_ms()),
        ))
        .returning(Deployment::as_returning())
        .get_result(conn)
}

/// A deployment by id.
pub fn find(conn: &mut Conn, id: &DeploymentId) -> QueryResult<Deployment> {
    d::table
        .find(id)
        .select(Deployment::as_select())
        .first(conn)
}

/// Record progress (and `running` once past `queued`).
pub fn set_step(conn: &mut Conn, id: &DeploymentId, step: DeploymentStep) -> QueryResult<()> {
    diesel::update(d::table.find(id))
        .set((
            d::step.eq(step.as_str()),
            d::status.eq(DeploymentStatus::Running.as_str()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Record the snapshots taken.
pub fn set_snapshots(
    conn: &mut Conn,
    id: &DeploymentId,
    before: &SnapshotId,
    promoted: &SnapshotId,
) -> QueryResult<()> {
    diesel::update(d::table.find(id))
        .set((
            d::snapshot_before.eq(before),
            d::snapshot_promoted.eq(promoted),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Finish: `succeeded`, `failed` or `interrupted`, with the reason and the env keys that need values.
pub fn finish(
    conn: &mut Conn,
    id: &DeploymentId,
    outcome: DeploymentStatus,
    error: Option<&str>,
    new_keys: &[String],
    restarted: bool,
) -> QueryResult<()> {
    let keys = serde_json::to_string(new_keys).unwrap_or_else(|_| "[]".into());
    diesel::update(d::table.find(id))
        .set((
            d::status.eq(outcome.as_str()),
            d::step.eq(DeploymentStep::Done.as_str()),
            d::error.eq(error),
            d::new_env_keys.eq(keys),
            d::restarted.eq(restarted),
            d::finished_at.eq(now_ms()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deployments left `queued` or `running` (by a server that stopped mid-way).
pub fn unfinished(conn: &mut Conn) -> QueryResult<Vec<Deployment>> {
    d::table
        .filter(d::status.eq_any([status::QUEUED.as_str(), status::RUNNING.as_str()]))
        .select(Deployment::as_select())
        .load(conn)
}

/// The newest deployment onto each instance of an application (any status), one query.
pub fn latest_in_application(conn: &mut Conn, app: &ApplicationId) -> QueryResult<Vec<Deployment>> {
    let newer = diesel::alias!(crate::db::schema::deployments as newer);
    // Per instance, the id of its newest deployment: an index probe on (target, started_at).
    let newest = newer
        .filter(newer.field(d::target_instance_id).eq(instances::id))
        .order((newer.field(d::started_at).desc(), newer.field(d::id).desc()))
        .select(newer.field(d::id))
        .limit(1)
        .single_value();
    let ids = instances::table
        .filter(instances::application_id.eq(app))
        .select(newest);
    d::table
        .filter(d::id.nullable().eq_any(ids))
        .select(Deployment::as_select())
        .load(conn)
}

/// The newest successful deployment onto each instance of an application, one query.
pub fn latest_success_in_application(
    conn: &mut Conn,
    app: &ApplicationId,
) -> QueryResult<Vec<Deployment>> {
    let newer = diesel::alias!(crate::db::schema::deployments as newer);
    let newest = newer
        .filter(newer.field(d::target_instance_id).eq(instances::id))
        .filter(newer.field(d::status).eq(status::SUCCEEDED.as_str()))
        .order((newer.field(d::started_at).desc(), newer.field(d::id).desc()))
        .select(newer.field(d::id))
        .limit(1)
        .single_value();
    let ids = instances::table
        .filter(instances::application_id.eq(app))
        .select(newest);
    d::table
        .filter(d::id.nullable().eq_any(ids))
        .select(Deployment::as_select())
        .load(conn)
}

/// The newest deployment onto one instance (any status), if any.
pub fn latest_onto_instance(
    conn: &mut Conn,
    target: &InstanceId,
) -> QueryResult<Option<Deployment>> {
    d::table
        .filter(d::target_instance_id.eq(target))
        .order((d::started_at.desc(), d::id.desc()))
        .select(Deployment::as_select())
        .first(conn)
        .optional()
}

/// The newest successful deployment onto one instance, if any.
pub fn latest_success_onto_instance(
    conn: &mut Conn,
    target: &InstanceId,
) -> QueryResult<Option<Deployment>> {
    d::table
        .filter(d::target_instance_id.eq(target))
        .filter(d::status.eq(status::SUCCEEDED.as_str()))
        .order((d::started_at.desc(), d::id.desc()))
        .select(Deployment::as_select())
        .first(conn)
        .optional()
}

/// A pipeline's deployments, newest first.
pub fn history(conn: &mut Conn, pipeline: &PipelineId, limit: i64) -> QueryResult<Vec<Deployment>> {
    d::table
        .filter(d::pipeline_id.eq(pipeline))
        .order((d::started_at.desc(), d::id.desc()))
        .limit(limit)
        .select(Deployment::as_select())
        .load(conn)
}

/// A deployment with its pipeline, as seen by a member of its team.
#[derive(Debug, Clone)]
pub struct DeploymentScope {
    /// The deployment.
    pub deployment: Deployment,
    /// Its pipeline, application and the viewer's membership.
    pub pipeline: super::pipelines::PipelineScope,
}

/// The deployment as seen by `user`; `NotFound` for unknown ones and outsiders alike.
pub fn scope(
    conn: &mut Conn,
    id: &DeploymentId,
    user: &crate::db::ids::UserId,
) -> Result<DeploymentScope, crate::error::AppError> {
    let deployment = find(conn, id)?;
    let pipeline = super::pipelines::scope(conn, &deployment.pipeline_id, user)?;
    Ok(DeploymentScope {
        deployment,
        pipeline,
    })
}
