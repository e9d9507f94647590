//! `instance_env_vars`: an instance's own environment variables. A NULL value means the key exists
//! but still needs a value (it arrived with a promotion, or was duplicated keys-only).

use diesel::prelude::*;

use crate::db::ids::{ApplicationId, InstanceId};
use crate::db::schema::{instance_env_vars as env, instances};
use crate::db::{Conn, now_ms};

/// One variable.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = env, check_for_backend(diesel::sqlite::Sqlite))]
pub struct EnvVar {
    /// Name, unique per instance.
    pub key: String,
    /// Value, or `None` when it still needs one.
    pub value: Option<String>,
    /// Masked in the UI and never logged.
    pub hidden: bool,
}

/// The instance's variables, by key.
pub fn list(conn: &mut Conn, instance: &InstanceId) -> QueryResult<Vec<EnvVar>> {
    env::table
        .filter(env::instance_id.eq(instance))
        .order(env::key.asc())
        .select(EnvVar::as_select())
        .load(conn)
}

/// Add a variable; an existing key is a UNIQUE (primary key) violation.
pub fn add(conn: &mut Conn, instance: &InstanceId, var: &EnvVar) -> QueryResult<()> {
    diesel::insert_into(env::table)
        .values((
            env::instance_id.eq(instance),
            env::key.eq(&var.key),
            env::value.eq(&var.value),
            env::hidden.eq(var.hidden),
            env::updated_at.eq(now_ms()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Replace the variable `old_key` (renaming it when `var.key` differs); `NotFound` if it is gone.
pub fn update(
    conn: &mut Conn,
    instance: &InstanceId,
    old_key: &str,
    var: &EnvVar,
) -> QueryResult<()> {
    let changed = diesel::update(env::table.find((instance, old_key)))
        .set((
            env::key.eq(&var.key),
            env::value.eq(&var.value),
            env::hidden.eq(var.hidden),
            env::updated_at.eq(now_ms()),
        ))
        .execute(conn)?;
    if changed == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

/// Remove a variable; `NotFound` if it is gone.
pub fn delete(conn: &mut Conn, instance: &InstanceId, key: &str) -> QueryResult<()> {
    let deleted = diesel::delete(env::table.find((instance, key))).execute(conn)?;
    if deleted == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}

/// Give `instance` every variable of `vars` (used by Duplicate Instance).
pub fn copy_all(conn: &mut Conn, instance: &InstanceId, vars: &[EnvVar]) -> QueryResult<()> {
    vars.iter().try_for_each(|var| add(conn, instance, var))
}

/// For each instance of an application that has any, how many variables still need a value.
pub fn missing_values_in_application(
    conn: &mut Conn,
    app: &ApplicationId,
) -> QueryResult<Vec<(InstanceId, i64)>> {
    let in_app = instances::table
        .filter(instances::application_id.eq(app))
        .select(instances::id);
    env::table
        .filter(env::instance_id.eq_any(in_app))
        .filter(env::value.is_null())
        .group_by(env::instance_id)
        .select((env::instance_id, diesel::dsl::count_star()))
        .load(conn)
}

/// The keys of an instance's variables.
pub fn keys(conn: &mut Conn, instance: &InstanceId) -> QueryResult<Vec<String>> {
    env::table
        .filter(env::instance_id.eq(instance))
        .order(env::key.asc())
        .select(env::key)
        .load(conn)
}
