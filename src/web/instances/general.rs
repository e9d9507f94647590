//! Instance settings > General: rename, and protection (owners only; only owners may then
//! deploy to the instance through a pipeline).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::InstanceId;
use crate::db::models::{instances, labels as model_labels};
use crate::domain::roles::Action;
use crate::domain::{labels, names};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::require;
use crate::web::instances::pages::load;
use crate::web::instances::settings::{Shown, load_for_change, settings_page};
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
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    form: web::Form<GeneralForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load_for_change(&user, &state, id.into_inner()).await?;
    let mut shown = Shown::default();
    let name = shown.errors.check("name", names::name(&form.name));
    // Left empty (or not sent): the label stays as it is.
    let label = match form.label.trim() {
        "" => scope.instance.label.clone(),
        typed => shown.errors.check("label", labels::label(typed)),
    };
    if !shown.errors.any() {
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
            Ok(Ok(())) => {
                user.session.flash("success", "Instance settings saved.")?;
                return Ok(see_other(&crate::web::urls::instance_settings(
                    &scope.instance.id,
                    "general",
                )));
            }
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
    }
    shown.values.set("label", &form.label);
    shown.values.set("name", &form.name);
    settings_page(
        &user,
        &state,
        scope,
        "general",
        StatusCode::UNPROCESSABLE_ENTITY,
        shown,
    )
    .await
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
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    form: web::Form<ProtectionForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManageProtected)?;
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
