//! `sessions`: platform sessions kept server-side, found by the SHA-256 of their cookie's key.

use diesel::prelude::*;

use crate::db::ids::UserId;
use crate::db::schema::sessions as s;
use crate::db::{Conn, now_ms};

/// What is stored of a session besides its values.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Who signed in with it, if anyone.
    pub user_id: Option<UserId>,
    /// The sign-in's id.
    pub sign_in: Option<String>,
    /// The browser it was signed in from.
    pub user_agent: String,
    /// The address it was signed in from.
    pub address: String,
}

/// A live session as the Account page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    /// Opaque id (for "sign out").
    pub public_id: String,
    /// Its sign-in's id.
    pub sign_in: Option<String>,
    /// Browser.
    pub user_agent: String,
    /// Address.
    pub address: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub last_seen: i64,
}

/// The values of the live session `key_sha256`, if it is within both its idle expiry and its
/// absolute lifetime (counted from `created_after`: sessions made before it are over).
pub fn load(conn: &mut Conn, key_sha256: &str, created_after: i64) -> QueryResult<Option<String>> {
    s::table
        .filter(s::key_sha256.eq(key_sha256))
        .filter(s::expires_at.gt(now_ms()))
        .filter(s::created_at.gt(created_after))
        .select(s::state)
        .first(conn)
        .optional()
}

/// Store a new session (and drop the expired ones).
pub fn insert(
    conn: &mut Conn,
    key_sha256: &str,
    public_id: &str,
    state: &str,
    facts: &Facts,
    expires_at: i64,
) -> QueryResult<()> {
    let now = now_ms();
    diesel::delete(s::table.filter(s::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(s::table)
        .values((
            s::key_sha256.eq(key_sha256),
            s::public_id.eq(public_id),
            s::user_id.eq(&facts.user_id),
            s::sign_in.eq(&facts.sign_in),
            s::state.eq(state),
            s::user_agent.eq(&facts.user_agent),
            s::address.eq(&facts.address),
            s::created_at.eq(now),
            s::last_seen.eq(now),
            s::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Replace the values of a session; whether it still exists.
pub fn update(
    conn: &mut Conn,
    key_sha256: &str,
    state: &str,
    facts: &Facts,
    expires_at: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(s::table.find(key_sha256))
        .set((
            s::state.eq(state),
            s::user_id.eq(&facts.user_id),
            s::sign_in.eq(&facts.sign_in),
            s::user_agent.eq(&facts.user_agent),
            s::address.eq(&facts.address),
            s::last_seen.eq(now_ms()),
            s::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Note that a session was used now.
pub fn touch(conn: &mut Conn, key_sha256: &str, expires_at: i64) -> QueryResult<()> {
    diesel::update(s::table.find(key_sha256))
        .set((s::last_seen.eq(now_ms()), s::expires_at.eq(expires_at)))
        .execute(conn)
        .map(|_| ())
}

/// End one session.
pub fn delete(conn: &mut Conn, key_sha256: &str) -> QueryResult<()> {
    diesel::delete(s::table.find(key_sha256))
        .execute(conn)
        .map(|_| ())
}

/// The user's live sessions, most recently used first.
pub fn list_for_user(conn: &mut Conn, user: &UserId) -> QueryResult<Vec<Listed>> {
    s::table
        .filter(s::user_id.eq(user))
        .filter(s::expires_at.gt(now_ms()))
        .order(s::last_seen.desc())
        .select((
            s::public_id,
            s::sign_in,
            s::user_agent,
            s::address,
            s::created_at,
            s::last_seen,
        ))
        .load(conn)
}

/// End the user's session `public_id`; its sign-in id (whose editor sessions end too), if it was theirs.
pub fn revoke(conn: &mut Conn, user: &UserId, public_id: &str) -> QueryResult<Option<String>> {
    let found: Option<Option<String>> = s::table
        .filter(s::user_id.eq(user))
        .filter(s::public_id.eq(public_id))
        .select(s::sign_in)
        .first(conn)
        .optional()?;
    diesel::delete(
        s::table
            .filter(s::user_id.eq(user))
            .filter(s::public_id.eq(public_id)),
    )
    .execute(conn)?;
    Ok(found.map(|sign_in| sign_in.unwrap_or_default()))
}

/// End every session of a user (disabled, deleted); how many there were.
pub fn end_all_for_user(conn: &mut Conn, user: &UserId) -> QueryResult<usize> {
    diesel::delete(s::table.filter(s::user_id.eq(user))).execute(conn)
}

/// End every session of a user but the one of sign-in `keep` (their own password change).
pub fn end_others(conn: &mut Conn, user: &UserId, keep: Option<&str>) -> QueryResult<usize> {
    match keep {
        Some(keep) => diesel::delete(
            s::table
                .filter(s::user_id.eq(user))
                .filter(s::sign_in.is_null().or(s::sign_in.ne(keep))),
        )
        .execute(conn),
        None => end_all_for_user(conn, user),
    }
}
