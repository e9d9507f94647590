//! Editor tickets and sessions of instance origins. Tickets are one-time and short-lived; sessions
//! are tied to the platform session that minted them. Only SHA-256 digests of both are stored.

use diesel::prelude::*;

use super::users::User;
use crate::db::ids::{InstanceId, UserId};
use crate::db::schema::{editor_sessions as sessions, editor_tickets as tickets, users};
use crate::db::{Conn, now_ms};

/// A ticket about to be stored.
pub struct NewTicket<'a> {
    /// SHA-256 (hex) of the ticket.
    pub sha256: &'a str,
    /// Who opens the editor.
    pub user: &'a UserId,
    /// Which instance.
    pub instance: &'a InstanceId,
    /// The platform session that minted it.
    pub platform_session: &'a str,
    /// Where to land on the instance origin.
    pub next_path: &'a str,
    /// Unix ms after which it is void.
    pub expires_at: i64,
}

/// A ticket, as its exchange finds it.
#[derive(Debug, Clone, Queryable)]
pub struct Ticket {
    /// Who opens the editor.
    pub user_id: UserId,
    /// Which instance.
    pub instance_id: InstanceId,
    /// The platform session that minted it.
    pub platform_session: String,
    /// Where to land.
    pub next_path: String,
}

/// Store a ticket (and drop the expired ones).
pub fn insert_ticket(conn: &mut Conn, t: NewTicket<'_>) -> QueryResult<()> {
    diesel::delete(tickets::table.filter(tickets::expires_at.lt(now_ms()))).execute(conn)?;
    diesel::insert_into(tickets::table)
        .values((
            tickets::ticket_sha256.eq(t.sha256),
            tickets::user_id.eq(t.user),
            tickets::instance_id.eq(t.instance),
            tickets::platform_session.eq(t.platform_session),
            tickets::next_path.eq(t.next_path),
            tickets::expires_at.eq(t.expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Take the unexpired ticket `sha256` for `instance`, so that it cannot be used again.
pub fn consume_ticket(
    conn: &mut Conn,
    sha256: &str,
    instance: &InstanceId,
) -> QueryResult<Option<Ticket>> {
    diesel::delete(
        tickets::table
            .filter(tickets::ticket_sha256.eq(sha256))
            .filter(tickets::instance_id.eq(instance))
            .filter(tickets::expires_at.gt(now_ms())),
    )
    .returning((
        tickets::user_id,
        tickets::instance_id,
        tickets::platform_session,
        tickets::next_path,
    ))
    .get_result(conn)
    .optional()
}

/// A session about to be stored.
pub struct NewSession<'a> {
    /// SHA-256 (hex) of the cookie value.
    pub sha256: &'a str,
    /// The ticket it was exchanged for.
    pub ticket: &'a Ticket,
    /// The user's session epoch now.
    pub session_epoch: i32,
    /// Unix ms after which it is over.
    pub expires_at: i64,
}

/// Store a session (and drop the expired ones).
pub fn insert_session(conn: &mut Conn, s: NewSession<'_>) -> QueryResult<()> {
    let now = now_ms();
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_sha256.eq(s.sha256),
            sessions::user_id.eq(&s.ticket.user_id),
            sessions::instance_id.eq(&s.ticket.instance_id),
            sessions::platform_session.eq(&s.ticket.platform_session),
            sessions::session_epoch.eq(s.session_epoch),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(s.expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user of the live session `sha256` on `instance`, if it is unexpired and the user's
/// password has not changed since it began.
pub fn session_user(
    conn: &mut Conn,
    sha256: &str,
    instance: &InstanceId,
) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_sha256.eq(sha256))
        .filter(sessions::instance_id.eq(instance))
        .filter(sessions::expires_at.gt(now_ms()))
        .filter(sessions::session_epoch.eq(users::session_epoch))
        .filter(users::disabled.eq(false))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// End one session (signing out of the editor).
pub fn delete_session(conn: &mut Conn, sha256: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_sha256.eq(sha256)))
        .execute(conn)
        .map(|_| ())
}

/// End every editor session and ticket minted by a platform session (it signed out).
pub fn end_platform_session(conn: &mut Conn, platform_session: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::platform_session.eq(platform_session)))
        .execute(conn)?;
    diesel::delete(tickets::table.filter(tickets::platform_session.eq(platform_session)))
        .execute(conn)
        .map(|_| ())
}

/// End every editor session and ticket of a user (disabled, deleted).
pub fn end_for_user(conn: &mut Conn, user: &UserId) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(conn)?;
    diesel::delete(tickets::table.filter(tickets::user_id.eq(user)))
        .execute(conn)
        .map(|_| ())
}
