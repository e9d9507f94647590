//! `instance_settings`: the user-facing Node-RED settings of an instance (editor, palette,
//! security). settings.js is generated from them on every start; they never travel in a promotion.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::ids::InstanceId;
use crate::db::schema::instance_settings as s;
use crate::domain::endpoints::EndpointAccess;

/// The settings row of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = s, check_for_backend(diesel::sqlite::Sqlite), treat_none_as_null = true)]
pub struct InstanceSettings {
    /// Owning instance.
    pub instance_id: InstanceId,
    /// Whether the Node-RED editor is served at all (`disableEditor`).
    pub editor_enabled: bool,
    /// `monaco` or `ace` (`editorTheme.codeEditor.lib`).
    pub code_editor: String,
    /// Editor page and header title; empty = the instance name.
    pub editor_title: String,
    /// Whether users may install nodes from the palette manager.
    pub palette_allow_install: bool,
    /// Modules that may not be installed, one per line (patterns like `node-red-contrib-*`).
    pub palette_deny_list: String,
    /// HTTP node basic-auth user; `None` = no authentication.
    pub http_auth_user: Option<String>,
    /// bcrypt hash of the HTTP node password.
    pub http_auth_pass_hash: Option<String>,
    /// Who may call the flows' endpoints: see [`InstanceSettings::endpoint_access`].
    pub endpoint_access: String,
    /// Host folders its sandbox sees ("ro /path" / "rw /path" lines); administrators only.
    pub sandbox_mounts: String,
}

impl InstanceSettings {
    /// Who may call the flows' endpoints (an unknown stored value is treated as the strictest).
    pub fn endpoint_access(&self) -> EndpointAccess {
        EndpointAccess::parse(&self.endpoint_access).unwrap_or(EndpointAccess::Members)
    }
}

/// The settings of an instance.
pub fn get(conn: &mut Conn, instance: &InstanceId) -> QueryResult<InstanceSettings> {
    s::table
        .find(instance)
        .select(InstanceSettings::as_select())
        .first(conn)
}

/// Replace the settings of `settings.instance_id`.
pub fn save(conn: &mut Conn, settings: &InstanceSettings) -> QueryResult<()> {
    diesel::update(s::table.find(&settings.instance_id))
        .set(settings)
        .execute(conn)
        .map(|_| ())
}

/// Copy every setting of one instance onto another (Duplicate Instance).
pub fn copy(conn: &mut Conn, from: &InstanceId, to: &InstanceId) -> QueryResult<()> {
    let mut settings = get(conn, from)?;
    settings.instance_id = to.clone();
    // An administrator gave these folders to that instance, not to copies of it.
    settings.sandbox_mounts = String::new();
    save(conn, &settings)
}
