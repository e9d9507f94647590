//! `teams`: a team, created together with its first owner, and the team scope of a request.

use diesel::prelude::*;

use crate::db::ids::{TeamId, UserId};
use crate::db::schema::{team_members, teams};
use crate::db::{Conn, now_ms};
use crate::domain::roles::Role;
use crate::error::AppError;

/// A team.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = teams, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Team {
    /// Opaque id.
    pub id: TeamId,
    /// Display name.
    pub name: String,
    /// Unique URL name.
    pub slug: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A team seen by one of its members.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The team.
    pub team: Team,
    /// The member's role in it.
    pub role: Role,
}

/// Create a team whose owner is `owner`, in one transaction. A taken slug is a UNIQUE violation.
pub fn create_with_owner(
    conn: &mut Conn,
    name: &str,
    slug: &str,
    owner: &UserId,
) -> QueryResult<Team> {
    conn.immediate_transaction(|conn| {
        let team: Team = diesel::insert_into(teams::table)
            .values((
                teams::id.eq(TeamId::generate()),
                teams::name.eq(name),
                teams::slug.eq(slug),
                teams::created_at.eq(now_ms()),
            ))
            .returning(Team::as_returning())
            .get_result(conn)?;
        diesel::insert_into(team_members::table)
            .values((
                team_members::team_id.eq(&team.id),
                team_members::user_id.eq(owner),
                team_members::role.eq(Role::Owner.as_str()),
                team_members::created_at.eq(now_ms()),
            ))
            .execute(conn)?;
        Ok(team)
    })
}

/// The teams a user belongs to, by name, with their role.
pub fn for_user(conn: &mut Conn, user: &UserId) -> QueryResult<Vec<Membership>> {
    let rows: Vec<(Team, String)> = teams::table
        .inner_join(team_members::table)
        .filter(team_members::user_id.eq(user))
        .order(teams::name.asc())
        .select((Team::as_select(), team_members::role))
        .load(conn)?;
    rows.into_iter()
        .map(|(team, role)| {
            Ok(Membership {
                team,
                role: super::parse_role(&role)?,
            })
        })
        .collect()
}

/// The team with `slug` as seen by `user`; `NotFound` when it does not exist or they are not a member,
/// so that outsiders cannot tell the two apart.
pub fn scope(conn: &mut Conn, slug: &str, user: &UserId) -> Result<Membership, AppError> {
    let (team, role): (Team, String) = teams::table
        .inner_join(team_members::table)
        .filter(teams::slug.eq(slug))
        .filter(team_members::user_id.eq(user))
        .select((Team::as_select(), team_members::role))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(Membership {
        team,
        role: super::parse_role(&role)?,
    })
}

/// The team with this id as seen by `user` (same `NotFound` rule as [`scope`]).
pub fn scope_by_id(conn: &mut Conn, id: &TeamId, user: &UserId) -> Result<Membership, AppError> {
    let (team, role): (Team, String) = teams::table
        .inner_join(team_members::table)
        .filter(teams::id.eq(id))
        .filter(team_members::user_id.eq(user))
        .select((Team::as_select(), team_members::role))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(Membership {
        team,
        role: super::parse_role(&role)?,
    })
}
