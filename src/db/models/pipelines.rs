//! `pipelines`: named, ordered chains of stages in an application.

use diesel::prelude::*;

use super::applications::Application;
use super::teams::{Membership, Team};
use crate::db::ids::{ApplicationId, PipelineId, UserId};
use crate::db::schema::{applications, pipelines, team_members, teams};
use crate::db::{Conn, now_ms};
use crate::domain::paging::Pager;
use crate::error::AppError;

/// A pipeline.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = pipelines, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Pipeline {
    /// Opaque id.
    pub id: PipelineId,
    /// The application it belongs to.
    pub application_id: ApplicationId,
    /// Display name.
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A pipeline as seen by a member of its team.
#[derive(Debug, Clone)]
pub struct PipelineScope {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// Its application.
    pub application: Application,
    /// The team and the viewer's role there.
    pub membership: Membership,
}

/// Create a pipeline.
pub fn create(conn: &mut Conn, app: &ApplicationId, name: &str) -> QueryResult<Pipeline> {
    diesel::insert_into(pipelines::table)
        .values((
            pipelines::id.eq(PipelineId::generate()),
            pipelines::application_id.eq(app),
            pipelines::name.eq(name),
            pipelines::created_at.eq(now_ms()),
        ))
        .returning(Pipeline::as_returning())
        .get_result(conn)
}

/// The page `requested` of the application's pipelines (clamped to those that exist), oldest
/// first (the order they were built in), and where it is among all of them.
pub fn page_for_application(
    conn: &mut Conn,
    app: &ApplicationId,
    requested: &str,
    size: i64,
) -> QueryResult<(Vec<Pipeline>, Pager)> {
    let total = pipelines::table
        .filter(pipelines::application_id.eq(app))
        .count()
        .get_result(conn)?;
    let pager = Pager::new(requested, total, size);
    let page = pipelines::table
        .filter(pipelines::application_id.eq(app))
        .order((pipelines::created_at.asc(), pipelines::id.asc()))
        .offset(pager.offset())
        .limit(size)
        .select(Pipeline::as_select())
        .load(conn)?;
    Ok((page, pager))
}

/// Those of `ids` that are pipelines of `app` (still), oldest first: what an open page shows.
pub fn of_application(
    conn: &mut Conn,
    app: &ApplicationId,
    ids: &[PipelineId],
) -> QueryResult<Vec<Pipeline>> {
    pipelines::table
        .filter(pipelines::application_id.eq(app))
        .filter(pipelines::id.eq_any(ids))
        .order((pipelines::created_at.asc(), pipelines::id.asc()))
        .select(Pipeline::as_select())
        .load(conn)
}

/// The pipeline as seen by `user`, in one query; `NotFound` unless they are in its team.
pub fn scope(conn: &mut Conn, id: &PipelineId, user: &UserId) -> Result<PipelineScope, AppError> {
    let (pipeline, application, team, role): (Pipeline, Application, Team, String) =
        pipelines::table
            .inner_join(
                applications::table.inner_join(teams::table.inner_join(team_members::table)),
            )
            .filter(pipelines::id.eq(id))
            .filter(team_members::user_id.eq(user))
            .select((
                Pipeline::as_select(),
                Application::as_select(),
                Team::as_select(),
                team_members::role,
            ))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
    let role = super::parse_role(&role)?;
    Ok(PipelineScope {
        pipeline,
        application,
        membership: Membership { team, role },
    })
}

/// Rename.
pub fn rename(conn: &mut Conn, id: &PipelineId, name: &str) -> QueryResult<()> {
    diesel::update(pipelines::table.find(id))
        .set(pipelines::name.eq(name))
        .execute(conn)
        .map(|_| ())
}

/// Delete with its stages (instances are not touched).
pub fn delete(conn: &mut Conn, id: &PipelineId) -> QueryResult<()> {
    diesel::delete(pipelines::table.find(id))
        .execute(conn)
        .map(|_| ())
}
