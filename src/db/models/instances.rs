//! `instances`: the Node-RED runtimes of an application, as records (the live process is the
//! supervisor's business, see `nodered::supervisor`).

use diesel::prelude::*;

use super::applications::Application;
use super::teams::{Membership, Team};
use crate::db::ids::{ApplicationId, InstanceId, UserId};
use crate::db::schema::{applications, instance_settings, instances, team_members, teams};
use crate::db::{Conn, now_ms};
use crate::domain::states::DesiredState;
use crate::error::AppError;

/// An instance record.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = instances, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Instance {
    /// Opaque id.
    pub id: InstanceId,
    /// The owning application.
    pub application_id: ApplicationId,
    /// Name, unique (case-insensitively) in the application.
    pub name: String,
    /// Node-RED's `credentialSecret` for this runtime.
    pub credential_secret: String,
    /// What the supervisor brings its runtime to.
    #[diesel(deserialize_as = String)]
    pub desired_state: DesiredState,
    /// Node-RED version the runtime uses.
    pub node_red_version: String,
    /// Only owners may promote onto a protected instance.
    pub protected: bool,
    /// Last change to env vars or settings (Unix ms); a runtime started earlier needs a restart.
    pub config_changed_at: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The DNS label of its own origin (`{label}.{domain}`), unique.
    pub label: String,
}

/// What a stage card shows of its instance: the pipelines page loads one per card (a hundred),
/// so not its secret nor its settings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instances, check_for_backend(diesel::sqlite::Sqlite))]
pub struct InstanceCard {
    /// Opaque id.
    pub id: InstanceId,
    /// Name.
    pub name: String,
    /// Only owners may promote onto it.
    pub protected: bool,
    /// The DNS label of its own origin.
    pub label: String,
}

impl From<Instance> for InstanceCard {
    fn from(instance: Instance) -> Self {
        InstanceCard {
            id: instance.id,
            name: instance.name,
            protected: instance.protected,
            label: instance.label,
        }
    }
}

impl Instance {
    /// Whether the supervisor should keep the runtime running.
    pub fn should_run(&self) -> bool {
        self.desired_state == DesiredState::Running
    }
}

/// An instance as seen by a member of its team.
#[derive(Debug, Clone)]
pub struct InstanceScope {
    /// The instance.
    pub instance: Instance,
    /// Its application.
    pub application: Application,
    /// The team and the viewer's role there.
    pub membership: Membership,
}

/// What a new instance is made of.
pub struct NewInstance<'a> {
    /// Application it belongs to.
    pub application: &'a ApplicationId,
    /// Its name.
    pub name: &'a str,
    /// Its credential secret.
    pub credential_secret: &'a str,
    /// Node-RED version.
    pub node_red_version: &'a str,
}

/// Insert an instance (meant to run) with default settings; a taken name is a UNIQUE violation.
/// (A plain transaction: it nests as a savepoint inside a caller's, e.g. Duplicate Instance.)
pub fn create(conn: &mut Conn, new: NewInstance<'_>) -> QueryResult<Instance> {
    conn.transaction(|conn| {
        let label = super::labels::free_label(conn, new.name)?;
        let instance: Instance = diesel::insert_into(instances::table)
            .values((
                instances::id.eq(InstanceId::generate()),
                instances::label.eq(label),
                instances::application_id.eq(new.application),
                instances::name.eq(new.name),
                instances::credential_secret.eq(new.credential_secret),
                instances::node_red_version.eq(new.node_red_version),
                instances::created_at.eq(now_ms()),
            ))
            .returning(Instance::as_returning())
            .get_result(conn)?;
        diesel::insert_into(instance_settings::table)
            .values(instance_settings::instance_id.eq(&instance.id))
            .execute(conn)?;
        Ok(instance)
    })
}

/// The application's instances, by name.
pub fn list_for_application(conn: &mut Conn, app: &ApplicationId) -> QueryResult<Vec<Instance>> {
    instances::table
        .filter(instances::application_id.eq(app))
        .order(instances::name.asc())
        .select(Instance::as_select())
        .load(conn)
}

/// What the stage cards show of each instance of an application, with how many of its env
/// vars still need a value.
pub fn cards_for_application(
    conn: &mut Conn,
    app: &ApplicationId,
) -> QueryResult<Vec<(InstanceCard, i64)>> {
    use crate::db::schema::instance_env_vars as env;
    let missing = env::table
        .filter(env::instance_id.eq(instances::id))
        .filter(env::value.is_null())
        .count()
        .single_value()
        .assume_not_null();
    instances::table
        .filter(instances::application_id.eq(app))
        .select((InstanceCard::as_select(), missing))
        .load(conn)
}

/// How many instances an application holds.
pub fn count_for_application(conn: &mut Conn, app: &ApplicationId) -> QueryResult<i64> {
    instances::table
        .filter(instances::application_id.eq(app))
        .count()
        .get_result(conn)
}

/// The ids of every instance.
pub fn all_ids(conn: &mut Conn) -> QueryResult<Vec<InstanceId>> {
    instances::table.select(instances::id).load(conn)
}

/// Every instance that should be running (started again when the server starts).
pub fn list_meant_to_run(conn: &mut Conn) -> QueryResult<Vec<Instance>> {
    instances::table
        .filter(instances::desired_state.eq(DesiredState::Running.as_str()))
        .select(Instance::as_select())
        .load(conn)
}

/// The instance record by id (no authorisation: for the supervisor).
pub fn find(conn: &mut Conn, id: &InstanceId) -> QueryResult<Instance> {
    instances::table
        .find(id)
        .select(Instance::as_select())
        .first(conn)
}

/// The instance as seen by `user`, in one query; `NotFound` unless they are in its team.
pub fn scope(conn: &mut Conn, id: &InstanceId, user: &UserId) -> Result<InstanceScope, AppError> {
    let (instance, application, team, role): (Instance, Application, Team, String) =
        instances::table
            .inner_join(
                applications::table.inner_join(teams::table.inner_join(team_members::table)),
            )
            .filter(instances::id.eq(id))
            .filter(team_members::user_id.eq(user))
            .select((
                Instance::as_select(),
                Application::as_select(),
                Team::as_select(),
                team_members::role,
            ))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
    let role = super::parse_role(&role)?;
    Ok(InstanceScope {
        instance,
        application,
        membership: Membership { team, role },
    })
}

/// Rename; a clash in the application is a UNIQUE violation.
pub fn rename(conn: &mut Conn, id: &InstanceId, name: &str) -> QueryResult<()> {
    diesel::update(instances::table.find(id))
        .set(instances::name.eq(name))
        .execute(conn)
        .map(|_| ())
}

/// Record whether the runtime should run.
pub fn set_desired_state(conn: &mut Conn, id: &InstanceId, state: DesiredState) -> QueryResult<()> {
    diesel::update(instances::table.find(id))
        .set(instances::desired_state.eq(state.as_str()))
        .execute(conn)
        .map(|_| ())
}

/// Mark or unmark an instance as protected (only owners may promote onto it).
pub fn set_protected(conn: &mut Conn, id: &InstanceId, protected: bool) -> QueryResult<()> {
    diesel::update(instances::table.find(id))
        .set(instances::protected.eq(protected))
        .execute(conn)
        .map(|_| ())
}

/// Note that env vars or settings changed (they apply at the next start).
pub fn touch_config(conn: &mut Conn, id: &InstanceId) -> QueryResult<()> {
    diesel::update(instances::table.find(id))
        .set(instances::config_changed_at.eq(now_ms()))
        .execute(conn)
        .map(|_| ())
}

/// Delete the record (env vars and settings go with it).
pub fn delete(conn: &mut Conn, id: &InstanceId) -> QueryResult<()> {
    diesel::delete(instances::table.find(id))
        .execute(conn)
        .map(|_| ())
}
