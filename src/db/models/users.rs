//! `users`: accounts with their argon2id password hash.

use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::users;
use crate::db::{Conn, now_ms};

/// A user account.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite))]
pub struct User {
    /// Opaque id.
    pub id: UserId,
    /// Unique (case-insensitively) sign-in name.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Administrators manage accounts.
    pub is_admin: bool,
    /// Sessions carry this; a password change bumps it and ends the other sessions.
    pub session_epoch: i32,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Disabled by an administrator: cannot sign in, has no sessions.
    pub disabled: bool,
}

/// Create a user; a taken user name is a UNIQUE violation.
pub fn insert(
    conn: &mut Conn,
    username: &str,
    password_hash: &str,
    is_admin: bool,
) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::generate()),
            users::username.eq(username),
            users::password_hash.eq(password_hash),
            users::is_admin.eq(is_admin),
            users::created_at.eq(now_ms()),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}

/// The user with this id.
pub fn find(conn: &mut Conn, id: &UserId) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// The user with this name (case-insensitive), if any.
pub fn find_by_username(conn: &mut Conn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// How many accounts exist (zero means the first administrator must be created).
pub fn count(conn: &mut Conn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// Every account, by name.
pub fn list(conn: &mut Conn) -> QueryResult<Vec<User>> {
    users::table
        .order(users::username.asc())
        .select(User::as_select())
        .load(conn)
}

/// Replace the password hash and end the user's other sessions; returns the new epoch.
pub fn set_password(conn: &mut Conn, id: &UserId, password_hash: &str) -> QueryResult<i32> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::session_epoch.eq(users::session_epoch + 1),
        ))
        .returning(users::session_epoch)
        .get_result(conn)
}

/// Disable or enable an account.
pub fn set_disabled(conn: &mut Conn, id: &UserId, disabled: bool) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)
        .map(|_| ())
}

/// Delete an account (its memberships and sessions go with it).
pub fn delete(conn: &mut Conn, id: &UserId) -> QueryResult<()> {
    diesel::delete(users::table.find(id))
        .execute(conn)
        .map(|_| ())
}
