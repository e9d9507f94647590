//! Instance settings tabs: General (rename), Editor, Palette, Security. Each maps to settings.js
//! (see `nodered::settings_js` for the exact keys) and applies at the next start.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::ids::InstanceId;
use crate::db::models::env_vars::{self, EnvVar};
use crate::db::models::instance_settings::{self, InstanceSettings};
use crate::db::models::instances::{self, InstanceScope};
use crate::domain::endpoints::EndpointAccess;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::Access;
use crate::web::instances::view::{InstanceHeader, StatusView};
use crate::web::views::{Chrome, FormErrors, FormValues, chrome, render, see_other};

/// The settings sections, in the order of the side menu.
pub const SECTIONS: [(&str, &str); 6] = [
    ("general", "General"),
    ("environment", "Environment"),
    ("editor", "Editor"),
    ("palette", "Palette"),
    ("security", "Security"),
    ("danger", "Danger zone"),
];

/// A row of the environment table.
pub struct EnvRow {
    /// Variable name.
    pub key: String,
    /// Value as typed (empty for hidden ones: they are never sent to the browser).
    pub value: String,
    /// The key exists but has no value yet.
    pub needs_value: bool,
    /// Masked in the UI.
    pub hidden: bool,
}

#[derive(Template)]
#[template(path = "instances/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    h: InstanceHeader,
    sections: [(&'static str, &'static str); 6],
    section: &'static str,
    status: StatusView,
    settings: InstanceSettings,
    vars: Vec<EnvRow>,
    values: FormValues,
    errors: FormErrors,
    editing: String,
    can_protect: bool,
    /// Whether runtimes run sandboxed on this server.
    sandboxed: bool,
}

/// What a re-rendered settings form shows.
#[derive(Default)]
pub struct Shown {
    /// Submitted values.
    pub values: FormValues,
    /// Their errors.
    pub errors: FormErrors,
    /// The env var whose row form had errors.
    pub editing: String,
}

impl EnvRow {
    fn new(v: EnvVar) -> Self {
        EnvRow {
            needs_value: v.value.is_none(),
            value: if v.hidden {
                String::new()
            } else {
                v.value.unwrap_or_default()
            },
            key: v.key,
            hidden: v.hidden,
        }
    }
}

/// A settings section again, with what was submitted and why it was refused (422).
pub async fn refused(
    user: &CurrentUser,
    state: &AppState,
    scope: InstanceScope,
    section: &'static str,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    settings_page(user, state, scope, section, status, shown).await
}

/// Render a settings section of an instance.
pub async fn settings_page(
    user: &CurrentUser,
    state: &AppState,
    scope: InstanceScope,
    section: &'static str,
    status: StatusCode,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let (settings, vars) = load(state, scope.instance.id.clone()).await?;
    let h = InstanceHeader::new(scope, "settings", &state.origins);
    let runtime = state.runtimes.status(&h.instance.id);
    let values = match shown.errors.any() {
        true => shown.values,
        false => current_values(&h, &settings, section),
    };
    let title = format!("Settings · {}", h.instance.name);
    let page = SettingsPage {
        can_protect: h.role.allows(Action::ManageProtected),
        sandboxed: state.runtimes.isolation().await.is_ok(),
        chrome: chrome(user, title, Some(&h.team))?,
        status: StatusView::new(&h.instance, &runtime, h.can_control),
        h,
        sections: SECTIONS,
        section,
        settings,
        vars: vars.into_iter().map(EnvRow::new).collect(),
        values,
        errors: shown.errors,
        editing: shown.editing,
    };
    render(status, &page)
}

/// An instance's settings and its environment variables, in one trip to the database.
async fn load(
    state: &AppState,
    id: InstanceId,
) -> Result<(InstanceSettings, Vec<EnvVar>), AppError> {
    state
        .db
        .run(move |conn| {
            Ok((
                instance_settings::get(conn, &id)?,
                env_vars::list(conn, &id)?,
            ))
        })
        .await
}

fn current_values(h: &InstanceHeader, s: &InstanceSettings, section: &str) -> FormValues {
    let mut v = FormValues::default();
    match section {
        "general" => v
            .set("name", &h.instance.name)
            .set("label", &h.instance.label),
        "editor" => v
            .set("editor_enabled", s.editor_enabled.to_string())
            .set("code_editor", &s.code_editor)
            .set("editor_title", &s.editor_title),
        "palette" => v
            .set("palette_allow_install", s.palette_allow_install.to_string())
            .set("palette_deny_list", &s.palette_deny_list),
        "security" => v
            .set("http_auth", security_choice(s.endpoint_access()))
            .set(
                "http_auth_user",
                s.http_auth_user.clone().unwrap_or_default(),
            ),
        "danger" => v.set("env", "keys"),
        _ => &mut v,
    };
    v
}

/// The Security form's value for an endpoint access (`none` is "anyone", as the form always said).
pub fn security_choice(access: EndpointAccess) -> &'static str {
    match access {
        EndpointAccess::Anyone => "none",
        EndpointAccess::Basic => "basic",
        EndpointAccess::Members => "members",
    }
}

/// `GET /instance/{id}/settings`.
pub async fn root(id: web::Path<InstanceId>) -> HttpResponse {
    see_other(&crate::web::urls::instance_settings(&id, "general"))
}

/// `GET /instance/{id}/settings/{section}` (registered on each section's own resource too).
pub async fn show(
    Access { user, scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let last = req.path().rsplit('/').next().unwrap_or_default();
    let section = SECTIONS
        .iter()
        .find(|(s, _)| *s == last)
        .map(|(s, _)| *s)
        .ok_or(AppError::NotFound)?;
    let status = StatusCode::OK;
    settings_page(&user, &state, scope, section, status, Shown::default()).await
}

/// Save settings (and note that a restart applies them), then go back to the section.
pub async fn save(
    user: &CurrentUser,
    state: &AppState,
    scope: &InstanceScope,
    settings: InstanceSettings,
    section: &str,
) -> Result<HttpResponse, AppError> {
    let id = scope.instance.id.clone();
    state
        .db
        .run(move |conn| {
            instance_settings::save(conn, &settings)?;
            Ok(instances::touch_config(conn, &id)?)
        })
        .await?;
    // Who may call the endpoints is the proxy's to know at once.
    state.routes.forget_all();
    user.session.flash(
        "success",
        format!(
            "Saved. Restart {} to apply the change.",
            scope.instance.name
        ),
    )?;
    Ok(see_other(&crate::web::urls::instance_settings(
        &scope.instance.id,
        section,
    )))
}
