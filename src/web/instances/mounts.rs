//! Instance settings > Security > Sandbox folders: host folders an administrator lets one
//! instance's sandbox see (read-only or writable). Everyone on the team sees them; only platform
//! administrators change them, since a folder can hold anything of the host's.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::models::instance_settings;
use crate::db::models::instances::InstanceScope;
use crate::domain::mounts;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::instances::settings::{Shown, refused, save};

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
    Access { user, scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
    form: web::Form<MountsForm>,
) -> Result<HttpResponse, AppError> {
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
            refused(&user, &state, scope, "security", shown).await
        }
    }
}
