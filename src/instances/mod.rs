//! The instance service: what creating, duplicating, starting and deleting an instance means,
//! across the database (records) and the runtime driver (processes and files).

mod restart;
pub mod routes;
pub mod spec;

use crate::db::Db;
use crate::db::ids::{ApplicationId, InstanceId, random_id};
use crate::db::models::env_vars::{self, EnvVar};
use crate::db::models::instance_settings;
use crate::db::models::instances::{self, Instance, NewInstance};
use crate::domain::states::DesiredState;
use crate::error::AppError;
use crate::nodered::RuntimeDriver;
use crate::nodered::hold::Holds;
use crate::nodered::install::NODE_RED_VERSION;

/// What a duplicate takes of the source's environment variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvCopy {
    /// Keys and their values.
    KeysAndValues,
    /// Keys only: every value needs setting on the copy.
    KeysOnly,
}

/// The handles instance work needs (not the whole app state).
pub struct Ctx<'a> {
    /// The database.
    pub db: &'a Db,
    /// The runtime driver.
    pub runtimes: &'a dyn RuntimeDriver,
    /// The instance origins' route cache (forgotten when an instance goes).
    pub routes: &'a routes::Routes,
    /// The gates that hold an instance's flow requests while it restarts.
    pub holds: &'a std::sync::Arc<Holds>,
}

/// A fresh credentialSecret: 64 hex characters.
fn new_secret() -> String {
    format!("{}{}{}", random_id(), random_id(), random_id())
}

/// Create an instance in `app` and start its runtime. A taken name is a UNIQUE violation.
pub async fn create(ctx: &Ctx<'_>, app: &ApplicationId, name: &str) -> Result<Instance, AppError> {
    let (app, name) = (app.clone(), name.to_owned());
    let instance = ctx
        .db
        .run(move |conn| {
            let secret = new_secret();
            let new = NewInstance {
                application: &app,
                name: &name,
                credential_secret: &secret,
                node_red_version: NODE_RED_VERSION,
            };
            Ok(instances::create(conn, new)?)
        })
        .await?;
    ctx.runtimes.start(&instance.id);
    Ok(instance)
}

/// Duplicate `source` as a new instance `name` of the same application: its flows (credentials
/// re-encrypted with the copy's own secret), extra modules, settings and environment variables.
/// The source is only read. The copy starts once its files are in place.
pub async fn duplicate(
    ctx: &Ctx<'_>,
    source: &Instance,
    name: &str,
    env: EnvCopy,
) -> Result<Instance, AppError> {
    let (src, name) = (source.clone(), name.to_owned());
    let copy = ctx
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let secret = new_secret();
                let new = NewInstance {
                    application: &src.application_id,
                    name: &name,
                    credential_secret: &secret,
                    node_red_version: &src.node_red_version,
                };
                let copy = instances::create(conn, new)?;
                instance_settings::copy(conn, &src.id, &copy.id)?;
                let vars: Vec<EnvVar> = env_vars::list(conn, &src.id)?
                    .into_iter()
                    .map(|v| match env {
                        EnvCopy::KeysAndValues => v,
                        EnvCopy::KeysOnly => EnvVar { value: None, ..v },
                    })
                    .collect();
                env_vars::copy_all(conn, &copy.id, &vars)?;
                Ok::<_, AppError>(copy)
            })
        })
        .await?;
    let copied = ctx.runtimes.copy_content(
        (&source.id, &source.credential_secret),
        (&copy.id, &copy.credential_secret),
    );
    if let Err(error) = copied.await {
        // Leave nothing half-made behind.
        remove(ctx, &copy.id).await?;
        return Err(AppError::Unexpected(
            error.context(format!("duplicating {} failed", source.name)),
        ));
    }
    ctx.runtimes.start(&copy.id);
    Ok(copy)
}

/// Stop the runtime, delete its record (its env vars, settings and snapshots go with it, in one
/// statement), then its files. The record goes first: a crash in between leaves files that no
/// record owns, which the next start sweeps ([`sweep_orphans`]), never a record without files.
pub async fn remove(ctx: &Ctx<'_>, id: &InstanceId) -> Result<(), AppError> {
    ctx.runtimes.remove(id).await;
    let record = id.clone();
    ctx.db
        .run(move |conn| {
            instances::delete(conn, &record).map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _,
                ) => AppError::Conflict(
                    "The instance is a stage of a pipeline: remove it from there first.".into(),
                ),
                other => other.into(),
            })
        })
        .await?;
    ctx.routes.forget_all();
    ctx.runtimes.delete_content(id).await;
    Ok(())
}

/// At server start, before any runtime starts: delete the userDirs that no instance owns (left by
/// a crash during a delete or a duplicate), and log each. Returns how many were swept.
pub async fn sweep_orphans(ctx: &Ctx<'_>) -> Result<usize, AppError> {
    let known: std::collections::HashSet<String> = ctx
        .db
        .run(|conn| Ok(instances::all_ids(conn)?))
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let swept = ctx.runtimes.sweep_content(known).await;
    for dir in &swept {
        tracing::warn!(%dir, "deleted the files of an instance that no longer exists");
    }
    Ok(swept.len())
}

/// Start (and keep running) or stop an instance, remembering the choice across server restarts.
pub async fn set_running(ctx: &Ctx<'_>, id: &InstanceId, running: bool) -> Result<(), AppError> {
    remember(ctx, id, running).await?;
    if running {
        ctx.runtimes.start(id);
    } else {
        ctx.runtimes.stop(id).await;
    }
    Ok(())
}

/// Restart an instance now (starting it if it was stopped); it stays meant to run. Its flow
/// requests wait until the new process runs its flows.
pub async fn restart(ctx: &Ctx<'_>, id: &InstanceId) -> Result<(), AppError> {
    remember(ctx, id, true).await?;
    restart::restart_held(ctx, id).await;
    Ok(())
}

async fn remember(ctx: &Ctx<'_>, id: &InstanceId, running: bool) -> Result<(), AppError> {
    let (record, desired) = (id.clone(), DesiredState::from_running(running));
    ctx.db
        .run(move |conn| Ok(instances::set_desired_state(conn, &record, desired)?))
        .await
}

/// At server start: bring up every instance that should run.
pub async fn start_all(ctx: &Ctx<'_>) -> Result<usize, AppError> {
    let meant = ctx
        .db
        .run(|conn| Ok(instances::list_meant_to_run(conn)?))
        .await?;
    for instance in &meant {
        ctx.runtimes.start(&instance.id);
    }
    Ok(meant.len())
}
