//! `team_members`: who is in a team with which role; changes keep the last-owner rule.

use diesel::prelude::*;

use crate::db::ids::{TeamId, UserId};
use crate::db::schema::{team_members, users};
use crate::db::{Conn, now_ms};
use crate::domain::members::check_change;
use crate::domain::roles::Role;
use crate::error::AppError;

/// One row of the members page.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's account.
    pub user_id: UserId,
    /// Their user name.
    pub username: String,
    /// Their role in the team.
    pub role: Role,
    /// When they joined (Unix milliseconds).
    pub joined_at: i64,
}

/// Members of a team: owners first, then by name.
pub fn list(conn: &mut Conn, team: &TeamId) -> QueryResult<Vec<Member>> {
    let rows: Vec<(UserId, String, String, i64)> = team_members::table
        .inner_join(users::table)
        .filter(team_members::team_id.eq(team))
        .order(users::username.asc())
        .select((
            users::id,
            users::username,
            team_members::role,
            team_members::created_at,
        ))
        .load(conn)?;
    let mut members = rows
        .into_iter()
        .map(|(user_id, username, role, joined_at)| {
            Ok(Member {
                user_id,
                username,
                role: super::parse_role(&role)?,
                joined_at,
            })
        })
        .collect::<QueryResult<Vec<_>>>()?;
    members.sort_by_key(|m| m.role);
    Ok(members)
}

/// Add a user to a team; an existing member is a UNIQUE (primary key) violation.
pub fn add(conn: &mut Conn, team: &TeamId, user: &UserId, role: Role) -> QueryResult<()> {
    diesel::insert_into(team_members::table)
        .values((
            team_members::team_id.eq(team),
            team_members::user_id.eq(user),
            team_members::role.eq(role.as_str()),
            team_members::created_at.eq(now_ms()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Change a member's role (`None` removes them) in one transaction that counts the owners first,
/// so two owners demoting each other at once cannot leave the team without one.
pub fn change(
    conn: &mut Conn,
    team: &TeamId,
    user: &UserId,
    new: Option<Role>,
) -> Result<(), AppError> {
    conn.immediate_transaction(|conn| {
        let current: String = team_members::table
            .find((team, user))
            .select(team_members::role)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let owners: i64 = team_members::table
            .filter(team_members::team_id.eq(team))
            .filter(team_members::role.eq(Role::Owner.as_str()))
            .count()
            .get_result(conn)?;
        let owners = usize::try_from(owners).unwrap_or(0);
        check_change(super::parse_role(&current)?, new, owners)
            .map_err(|e| AppError::Conflict(e.message().into()))?;
        let row = team_members::table.find((team, user));
        match new {
            Some(role) => diesel::update(row)
                .set(team_members::role.eq(role.as_str()))
                .execute(conn)?,
            None => diesel::delete(row).execute(conn)?,
        };
        Ok(())
    })
}
