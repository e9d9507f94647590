//! Instance settings > Security > Sandbox folders: host folders an administrator lets one
//! instance's sandbox see (read-only or writable). Everyone on the team sees them; only platform
//! administrators change them, since a folder can hold anything of the host's.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::InstanceId;
use crate::db::models::instance_settings;
use crate::domain::mounts;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::instances::pages::load;
use crate::web::instances::settings::{Shown, save, settings_page};

/// The form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MountsForm {
    sandbox_mounts: String,
}

/// Why a folder cannot be given to a sandbox: it must exist, and hold nothing of redstage's own.
fn check_folders(text: &str, data_dir: &std::path::Path) -> Result<String, String> {
    let mut lines = Vec::new();
    for mount in mounts::parse(text)? {
        let real = mount
            .path
            .canonicalize()
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| format!("{} is not a folder on this machine.", mount.path.display()))?;
        if real.starts_with(data_dir) || data_dir.starts_with(&real) {
            return Err(format!(
                "{} holds redstage's data directory (its keys, database and other instances).",
                mount.path.display()
            ));
        }
        let mode = if mount.writable { "rw" } else { "ro" };
        lines.push(format!("{mode} {}", real.display()));
    }
    Ok(lines.join("\n"))
}

/// `POST /instance/{id}/settings/mounts`: administrators only; applies at the next start.
pub async fn mounts(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    form: web::Form<MountsForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    if !user.user.is_admin {
        return Err(AppError::Forbidden(
            "Only platform administrators give instances folders of this machine.".into(),
        ));
    }
    match check_folders(&form.sandbox_mounts, &state.settings.data_dir) {
        Ok(text) => {
            let instance = scope.instance.id.clone();
            let mut settings = state
                .db
                .run(move |conn| Ok(instance_settings::get(conn, &instance)?))
                .await?;
            settings.sandbox_mounts = text;
            save(&user, &state, &scope, settings, "security").await
        }
        Err(message) => {
            let mut shown = Shown::default();
            shown.errors.add("sandbox_mounts", message);
            shown.values.set("sandbox_mounts", &form.sandbox_mounts);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            settings_page(&user, &state, scope, "security", status, shown).await
        }
    }
}
