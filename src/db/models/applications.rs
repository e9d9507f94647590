//! `applications`: what a team builds; holds instances and pipelines.

use diesel::prelude::*;

use super::teams::{Membership, Team};
use crate::db::ids::{ApplicationId, TeamId, UserId};
use crate::db::schema::{applications, team_members, teams};
use crate::db::{Conn, now_ms};
use crate::error::AppError;

/// An application of a team.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = applications, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Application {
    /// Opaque id.
    pub id: ApplicationId,
    /// The owning team.
    pub team_id: TeamId,
    /// Name, unique (case-insensitively) in the team.
    pub name: String,
    /// Optional free text.
    pub description: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// An application as seen by a member of its team.
#[derive(Debug, Clone)]
pub struct ApplicationScope {
    /// The application.
    pub application: Application,
    /// Its team and the viewer's role there.
    pub membership: Membership,
}

/// Create an application; a name already used in the team is a UNIQUE violation.
pub fn create(
    conn: &mut Conn,
    team: &TeamId,
    name: &str,
    description: &str,
) -> QueryResult<Application> {
    diesel::insert_into(applications::table)
        .values((
            applications::id.eq(ApplicationId::generate()),
            applications::team_id.eq(team),
            applications::name.eq(name),
            applications::description.eq(description),
            applications::created_at.eq(now_ms()),
        ))
        .returning(Application::as_returning())
        .get_result(conn)
}

/// The team's applications, by name.
pub fn list_for_team(conn: &mut Conn, team: &TeamId) -> QueryResult<Vec<Application>> {
    applications::table
        .filter(applications::team_id.eq(team))
        .order(applications::name.asc())
        .select(Application::as_select())
        .load(conn)
}

/// The application as seen by `user`, in one query; `NotFound` unless they are in its team.
pub fn scope(
    conn: &mut Conn,
    id: &ApplicationId,
    user: &UserId,
) -> Result<ApplicationScope, AppError> {
    let (application, team, role): (Application, Team, String) = applications::table
        .inner_join(teams::table.inner_join(team_members::table))
        .filter(applications::id.eq(id))
        .filter(team_members::user_id.eq(user))
        .select((
            Application::as_select(),
            Team::as_select(),
            team_members::role,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let role = super::parse_role(&role)?;
    Ok(ApplicationScope {
        application,
        membership: Membership { team, role },
    })
}

/// Rename / re-describe; a clash with another application of the team is a UNIQUE violation.
pub fn update(
    conn: &mut Conn,
    id: &ApplicationId,
    name: &str,
    description: &str,
) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set((
            applications::name.eq(name),
            applications::description.eq(description),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Delete an application.
pub fn delete(conn: &mut Conn, id: &ApplicationId) -> QueryResult<()> {
    diesel::delete(applications::table.find(id))
        .execute(conn)
        .map(|_| ())
}
