//! Instance settings Editor, Palette and Security: validated, stored, rendered into settings.js
//! at the next start (mapping documented in `nodered::settings_js`).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::ids::InstanceId;
use crate::db::models::instance_settings::{self, InstanceSettings};
use crate::db::models::instances::InstanceScope;
use crate::domain::endpoints::EndpointAccess;
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::{Access, can};
use crate::web::instances::settings::{Shown, refused, save};

/// The Editor form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditorForm {
    editor_enabled: bool,
    code_editor: String,
    editor_title: String,
}

/// The Palette form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaletteForm {
    palette_allow_install: bool,
    palette_deny_list: String,
}

/// The Security form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SecurityForm {
    http_auth: String,
    http_auth_user: String,
    http_auth_password: String,
}

async fn current(
    state: &AppState,
    id: &InstanceId,
) -> Result<instance_settings::InstanceSettings, AppError> {
    let id = id.clone();
    state
        .db
        .run(move |conn| Ok(instance_settings::get(conn, &id)?))
        .await
}

/// `POST /instance/{id}/settings/editor`.
pub async fn editor(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<EditorForm>,
) -> Result<HttpResponse, AppError> {
    let mut shown = Shown::default();
    if !matches!(form.code_editor.as_str(), "monaco" | "ace") {
        shown.errors.add("code_editor", "Choose Monaco or Ace.");
    }
    let title = form.editor_title.trim();
    if title.chars().count() > names::MAX_NAME || title.chars().any(char::is_control) {
        shown
            .errors
            .add("editor_title", "Use at most 100 characters on one line.");
    }
    if shown.errors.any() {
        shown
            .values
            .set("editor_enabled", form.editor_enabled.to_string())
            .set("code_editor", &form.code_editor)
            .set("editor_title", &form.editor_title);
        return refused(&user, &state, scope, "editor", shown).await;
    }
    let mut settings = current(&state, &scope.instance.id).await?;
    settings.editor_enabled = form.editor_enabled;
    settings.code_editor = form.code_editor.clone();
    settings.editor_title = title.to_owned();
    save(&user, &state, &scope, settings, "editor").await
}

/// A deny-list entry: an npm module name, optionally a `*` wildcard or an `@version` range.
fn deny_entry_ok(entry: &str) -> bool {
    let name = entry
        .strip_prefix('@')
        .map_or(entry, |rest| rest.split_once('/').map_or("", |(_, n)| n));
    !name.is_empty()
        && entry.len() <= 214
        && entry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._*@/^~<>=|".contains(c))
}

/// `POST /instance/{id}/settings/palette`.
pub async fn palette(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<PaletteForm>,
) -> Result<HttpResponse, AppError> {
    let entries: Vec<&str> = form
        .palette_deny_list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut shown = Shown::default();
    if let Some(bad) = entries.iter().find(|e| !deny_entry_ok(e)) {
        shown.errors.add("palette_deny_list", format!("{bad:?} is not a module name or pattern (e.g. node-red-contrib-* or node-red-node-random@0.4)."));
        shown
            .values
            .set(
                "palette_allow_install",
                form.palette_allow_install.to_string(),
            )
            .set("palette_deny_list", &form.palette_deny_list);
        return refused(&user, &state, scope, "palette", shown).await;
    }
    let mut settings = current(&state, &scope.instance.id).await?;
    settings.palette_allow_install = form.palette_allow_install;
    settings.palette_deny_list = entries.join("\n");
    save(&user, &state, &scope, settings, "palette").await
}

/// `POST /instance/{id}/settings/security`: who may call the flows' endpoints: anyone
/// (`http_auth=none`), HTTP basic authentication, or the team's members.
pub async fn security(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<SecurityForm>,
) -> Result<HttpResponse, AppError> {
    let mut settings = current(&state, &scope.instance.id).await?;
    let mut shown = Shown::default();
    match form.http_auth.as_str() {
        "none" => {
            settings.endpoint_access = EndpointAccess::Anyone.as_str().into();
            settings.http_auth_user = None;
            settings.http_auth_pass_hash = None;
        }
        "members" => settings.endpoint_access = EndpointAccess::Members.as_str().into(),
        "basic" => basic_auth(&mut settings, &form, &mut shown).await?,
        _ => shown
            .errors
            .add("http_auth", "Choose who may call the endpoints."),
    }
    if shown.errors.any() {
        shown
            .values
            .set("http_auth", &form.http_auth)
            .set("http_auth_user", &form.http_auth_user);
        return refused(&user, &state, scope, "security", shown).await;
    }
    save(&user, &state, &scope, settings, "security").await
}

/// HTTP basic authentication for the endpoints: the user name, and the password (an empty one
/// keeps the password set before), hashed off the executor.
async fn basic_auth(
    settings: &mut InstanceSettings,
    form: &SecurityForm,
    shown: &mut Shown,
) -> Result<(), AppError> {
    settings.endpoint_access = EndpointAccess::Basic.as_str().into();
    let user_name = shown
        .errors
        .check("http_auth_user", names::username(&form.http_auth_user));
    let keep = form.http_auth_password.is_empty() && settings.http_auth_pass_hash.is_some();
    if !keep {
        let password = names::password(&form.http_auth_password);
        shown.errors.check("http_auth_password", password);
    }
    if shown.errors.any() {
        return Ok(());
    }
    if !keep {
        let password = form.http_auth_password.clone();
        let hash = tokio::task::spawn_blocking(move || bcrypt::hash(password, 10))
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?
            .map_err(|e| AppError::Unexpected(e.into()))?;
        settings.http_auth_pass_hash = Some(hash);
    }
    settings.http_auth_user = Some(user_name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::deny_entry_ok;

    #[test]
    fn deny_entries_are_module_names_or_patterns() {
        for ok in [
            "node-red-contrib-*",
            "node-red-node-random@0.4.1",
            "@flowfuse/node-red-dashboard",
            "*",
        ] {
            assert!(deny_entry_ok(ok), "{ok}");
        }
        for bad in ["rm -rf /; x", "\"quoted\"", "a`b`", "@scope"] {
            assert!(!deny_entry_ok(bad), "{bad}");
        }
    }
}
