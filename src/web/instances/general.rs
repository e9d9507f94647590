//! Instance settings > General: rename, and protection (owners only; only owners may then
//! deploy to the instance through a pipeline).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::models::instances::{self, InstanceScope};
use crate::db::models::labels as model_labels;
use crate::domain::{labels, names};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::{Access, can};
use crate::web::instances::settings::{Shown, refused};
use crate::web::views::see_other;

/// The rename form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GeneralForm {
    name: String,
    label: String,
}

/// `POST /instance/{id}/settings/general`: rename, and move to another label (origin); the old
/// label redirects to the new one for a while.
pub async fn general(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<GeneralForm>,
) -> Result<HttpResponse, AppError> {
    let mut shown = Shown::default();
    let name = shown.errors.check("name", names::name(&form.name));
    // Left empty (or not sent): the label stays as it is.
    let label = match form.label.trim() {
        "" => scope.instance.label.clone(),
        typed => shown.errors.check("label", labels::label(typed)),
    };
    if !shown.errors.any() && rename(&state, &scope, name, label, &mut shown).await? {
        user.session.flash("success", "Instance settings saved.")?;
        let to = crate::web::urls::instance_settings(&scope.instance.id, "general");
        return Ok(see_other(&to));
    }
    shown.values.set("label", &form.label);
    shown.values.set("name", &form.name);
    refused(&user, &state, scope, "general", shown).await
}

/// Rename and relabel in one transaction: whether it was saved, or the clash in `shown`.
async fn rename(
    state: &AppState,
    scope: &InstanceScope,
    name: String,
    label: String,
    shown: &mut Shown,
) -> Result<bool, AppError> {
    let instance = scope.instance.clone();
    let saved = state
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                instances::rename(conn, &instance.id, &name)?;
                Ok::<_, AppError>(model_labels::relabel(conn, &instance, &label)?)
            })
        })
        .await;
    state.routes.forget_all();
    match saved {
        Ok(Ok(())) => return Ok(true),
        Ok(Err(model_labels::Taken)) => shown.errors.add(
            "label",
            "Another instance has this label (or had it until recently).",
        ),
        Err(e) if e.is_unique_violation() => shown.errors.add(
            "name",
            "This application already has an instance with this name.",
        ),
        Err(e) => return Err(e),
    }
    Ok(false)
}

/// The protection form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProtectionForm {
    protected: bool,
}

/// `POST /instance/{id}/settings/protection`: owners protect an instance (only owners may then
/// deploy to it through a pipeline).
pub async fn protection(
    Access { user, scope, .. }: Access<InstanceScope, can::ManageProtected>,
    state: web::Data<AppState>,
    form: web::Form<ProtectionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, protected) = (scope.instance.id.clone(), form.protected);
    state
        .db
        .run(move |conn| Ok(instances::set_protected(conn, &id, protected)?))
        .await?;
    state.routes.forget_all();
    let said = if protected {
        "is protected: only owners can deploy to it now."
    } else {
        "is no longer protected."
    };
    user.session
        .flash("success", format!("{} {said}", scope.instance.name))?;
    Ok(see_other(&crate::web::urls::instance_settings(
        &scope.instance.id,
        "general",
    )))
}
