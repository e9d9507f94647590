//! `pipeline_stages`: the ordered stages of a pipeline. Every edit rewrites the positions of the
//! whole pipeline in one transaction, as computed by `domain::stages`. The web layer runs each
//! edit inside an immediate transaction together with its audit event (`web::pipelines::audited`),
//! where these nest as savepoints.

use diesel::prelude::*;

use super::instances::Instance;
use crate::db::ids::{ApplicationId, InstanceId, PipelineId, StageId};
use crate::db::schema::{instances, pipeline_stages as stages, pipelines};
use crate::db::{Conn, now_ms};
use crate::domain::stages::{self as order, Direction, OrderError, Placement};
use crate::error::AppError;

/// A stage.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = stages, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Stage {
    /// Opaque id.
    pub id: StageId,
    /// Its pipeline.
    pub pipeline_id: PipelineId,
    /// 0-based position, no gaps.
    pub position: i32,
    /// Display name.
    pub name: String,
    /// The instance it is bound to.
    pub instance_id: InstanceId,
    /// Unix milliseconds.
    pub created_at: i64,
}

fn refused(error: OrderError) -> AppError {
    match error {
        OrderError::UnknownStage => AppError::NotFound,
        OrderError::AlreadyPresent => {
            AppError::Conflict("This stage is already in the pipeline.".into())
        }
    }
}

/// Stage ids of a pipeline in order.
fn current_order(conn: &mut Conn, pipeline: &PipelineId) -> QueryResult<Vec<StageId>> {
    stages::table
        .filter(stages::pipeline_id.eq(pipeline))
        .order(stages::position.asc())
        .select(stages::id)
        .load(conn)
}

/// Write `order` as positions 0..n-1 (two passes: the UNIQUE(pipeline, position) index must hold
/// after every statement, so positions first move out of the way).
fn write_order(conn: &mut Conn, pipeline: &PipelineId, order: &[StageId]) -> QueryResult<()> {
    diesel::update(stages::table.filter(stages::pipeline_id.eq(pipeline)))
        .set(stages::position.eq((stages::position + 1) * -1))
        .execute(conn)?;
    for (position, id) in order.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        diesel::update(stages::table.find(id))
            .set(stages::position.eq(position))
            .execute(conn)?;
    }
    Ok(())
}

/// The stages of one pipeline with their instances, in order.
pub fn list_for_pipeline(
    conn: &mut Conn,
    pipeline: &PipelineId,
) -> QueryResult<Vec<(Stage, Instance)>> {
    stages::table
        .inner_join(instances::table)
        .filter(stages::pipeline_id.eq(pipeline))
        .order(stages::position.asc())
        .select((Stage::as_select(), Instance::as_select()))
        .load(conn)
}

/// The stages of one page of an application's pipelines, the same page as
/// `pipelines::page_for_application` returns, by pipeline then position. Their instances come
/// apart (`instances::cards_for_application`): a page of a hundred cards shows a few instances.
/// The page is a subquery rather than a list of ids, so the statement text never changes and
/// stays prepared.
pub fn list_for_page(
    conn: &mut Conn,
    app: &ApplicationId,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Stage>> {
    let page = pipelines::table
        .filter(pipelines::application_id.eq(app))
        .order((pipelines::created_at.asc(), pipelines::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(pipelines::id);
    stages::table
        .filter(stages::pipeline_id.eq_any(page))
        .order((stages::pipeline_id.asc(), stages::position.asc()))
        .select(Stage::as_select())
        .load(conn)
}

/// The stage by id (no authorisation: callers check the pipeline's scope).
pub fn find(conn: &mut Conn, id: &StageId) -> QueryResult<Stage> {
    stages::table
        .find(id)
        .select(Stage::as_select())
        .first(conn)
}

/// Add a stage bound to `instance` at `placement`. An instance already in the pipeline is a
/// UNIQUE violation.
pub fn add(
    conn: &mut Conn,
    pipeline: &PipelineId,
    name: &str,
    instance: &InstanceId,
    placement: &Placement<StageId>,
) -> Result<Stage, AppError> {
    conn.transaction(|conn| {
        let before = current_order(conn, pipeline)?;
        let id = StageId::generate();
        let after = order::insert(&before, id.clone(), placement).map_err(refused)?;
        let temporary = -i32::try_from(before.len()).unwrap_or(i32::MAX) - 2;
        diesel::insert_into(stages::table)
            .values((
                stages::id.eq(&id),
                stages::pipeline_id.eq(pipeline),
                stages::position.eq(temporary),
                stages::name.eq(name),
                stages::instance_id.eq(instance),
                stages::created_at.eq(now_ms()),
            ))
            .execute(conn)?;
        write_order(conn, pipeline, &after)?;
        Ok(find(conn, &id)?)
    })
}

/// Move a stage one place left or right.
pub fn move_stage(conn: &mut Conn, stage: &Stage, direction: Direction) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let before = current_order(conn, &stage.pipeline_id)?;
        let after = order::move_stage(&before, &stage.id, direction).map_err(refused)?;
        Ok(write_order(conn, &stage.pipeline_id, &after)?)
    })
}

/// Remove a stage; the ones after it close up.
pub fn remove(conn: &mut Conn, stage: &Stage) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let before = current_order(conn, &stage.pipeline_id)?;
        let after = order::remove(&before, &stage.id).map_err(refused)?;
        diesel::delete(stages::table.find(&stage.id)).execute(conn)?;
        Ok(write_order(conn, &stage.pipeline_id, &after)?)
    })
}

/// Rename and/or rebind to another instance (an instance already in the pipeline is a UNIQUE violation).
pub fn update(conn: &mut Conn, id: &StageId, name: &str, instance: &InstanceId) -> QueryResult<()> {
    diesel::update(stages::table.find(id))
        .set((stages::name.eq(name), stages::instance_id.eq(instance)))
        .execute(conn)
        .map(|_| ())
}

/// Names of the pipelines that use an instance (deleting it is refused while there are any).
pub fn pipelines_using(conn: &mut Conn, instance: &InstanceId) -> QueryResult<Vec<String>> {
    stages::table
        .inner_join(pipelines::table)
        .filter(stages::instance_id.eq(instance))
        .select(pipelines::name)
        .distinct()
        .load(conn)
}

/// A stage with its pipeline, as seen by a member of its team.
#[derive(Debug, Clone)]
pub struct StageScope {
    /// The stage.
    pub stage: Stage,
    /// Its pipeline, application and the viewer's membership.
    pub pipeline: super::pipelines::PipelineScope,
}

/// The stage as seen by `user`; `NotFound` for unknown stages and outsiders alike.
pub fn scope(
    conn: &mut Conn,
    id: &StageId,
    user: &crate::db::ids::UserId,
) -> Result<StageScope, AppError> {
    let stage = find(conn, id)?;
    let pipeline = super::pipelines::scope(conn, &stage.pipeline_id, user)?;
    Ok(StageScope { stage, pipeline })
}
