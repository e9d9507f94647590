//! Instance labels and their aliases: which instance an instance origin's `{label}` names, and
//! the labels an instance had before, which redirect to its current origin for a while.

use diesel::prelude::*;

use super::instances::Instance;
use crate::db::ids::InstanceId;
use crate::db::schema::{instance_label_aliases as aliases, instances};
use crate::db::{Conn, now_ms};
use crate::domain::labels;

/// How long an old label keeps redirecting to the instance's new one.
pub const ALIAS_LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Whether `label` names an instance, or an alias still in force, other than `except`.
fn taken(conn: &mut Conn, label: &str, except: Option<&InstanceId>) -> QueryResult<bool> {
    let owner: Option<InstanceId> = instances::table
        .filter(instances::label.eq(label))
        .select(instances::id)
        .first(conn)
        .optional()?;
    let alias: Option<InstanceId> = aliases::table
        .filter(aliases::label.eq(label))
        .filter(aliases::until.gt(now_ms()))
        .select(aliases::instance_id)
        .first(conn)
        .optional()?;
    Ok([owner, alias]
        .into_iter()
        .flatten()
        .any(|id| Some(&id) != except))
}

/// The first free label for an instance named `name` (`dev`, `dev-2`, ...).
pub fn free_label(conn: &mut Conn, name: &str) -> QueryResult<String> {
    for candidate in labels::candidates(name).take(10_000) {
        if !taken(conn, &candidate, None)? {
            return Ok(candidate);
        }
    }
    // Ten thousand instances of one name: fall back to something unique.
    Ok(format!("i-{}", InstanceId::generate()))
}

/// The instance whose origin is `label`.
pub fn find(conn: &mut Conn, label: &str) -> QueryResult<Option<Instance>> {
    instances::table
        .filter(instances::label.eq(label))
        .select(Instance::as_select())
        .first(conn)
        .optional()
}

/// The instance that had `label` until recently (its old origin redirects to the new one).
pub fn find_alias(conn: &mut Conn, label: &str) -> QueryResult<Option<Instance>> {
    aliases::table
        .inner_join(instances::table)
        .filter(aliases::label.eq(label))
        .filter(aliases::until.gt(now_ms()))
        .select(Instance::as_select())
        .first(conn)
        .optional()
}

/// The label is taken by another instance (or one's recent alias).
#[derive(Debug, PartialEq, Eq)]
pub struct Taken;

/// Give `instance` the label `new` (already validated); its old label redirects for
/// [`ALIAS_LIFETIME_MS`]. Runs in the caller's transaction.
pub fn relabel(conn: &mut Conn, instance: &Instance, new: &str) -> QueryResult<Result<(), Taken>> {
    if instance.label == new {
        return Ok(Ok(()));
    }
    if taken(conn, new, Some(&instance.id))? {
        return Ok(Err(Taken));
    }
    // Coming back to an old label: it is no alias any more.
    diesel::delete(aliases::table.filter(aliases::label.eq(new))).execute(conn)?;
    diesel::replace_into(aliases::table)
        .values((
            aliases::label.eq(&instance.label),
            aliases::instance_id.eq(&instance.id),
            aliases::until.eq(now_ms() + ALIAS_LIFETIME_MS),
        ))
        .execute(conn)?;
    diesel::update(instances::table.find(&instance.id))
        .set(instances::label.eq(new))
        .execute(conn)?;
    Ok(Ok(()))
}
