//! Instance environment variables: add, edit, delete. Values reach the runtime as process
//! environment at its next start; hidden values are never sent back to the browser nor logged.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::Conn;
use crate::db::ids::InstanceId;
use crate::db::models::env_vars::{self, EnvVar};
use crate::db::models::instances::{self, InstanceScope};
use crate::domain::env;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::{Access, can};
use crate::web::instances::settings::{Shown, refused};
use crate::web::views::see_other;

/// An add or edit form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnvForm {
    key: String,
    value: String,
    hidden: bool,
}

fn validate(form: &EnvForm, shown: &mut Shown) -> (String, String) {
    let key = shown.errors.check("key", env::key(&form.key));
    let value = shown.errors.check("value", env::value(&form.value));
    (key, value)
}

async fn saved(
    (state, user): (&AppState, &CurrentUser),
    scope: &InstanceScope,
    what: String,
) -> Result<HttpResponse, AppError> {
    // The stage cards of the instance count the variables that need a value.
    let changed = crate::events::Subject::Instance(scope.instance.id.clone());
    state.events.publish(changed);
    user.session.flash(
        "success",
        format!("{what} Restart {} to apply it.", scope.instance.name),
    )?;
    Ok(see_other(&crate::web::urls::instance_settings(
        &scope.instance.id,
        "environment",
    )))
}

async fn refuse(
    user: &CurrentUser,
    state: &AppState,
    scope: InstanceScope,
    form: &EnvForm,
    mut shown: Shown,
) -> Result<HttpResponse, AppError> {
    shown
        .values
        .set("key", &form.key)
        .set("value", &form.value)
        .set("hidden", form.hidden.to_string());
    refused(user, state, scope, "environment", shown).await
}

/// `POST /instance/{id}/settings/environment`: add a variable (an empty value = "needs a value").
pub async fn add(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<EnvForm>,
) -> Result<HttpResponse, AppError> {
    let mut shown = Shown::default();
    let (key, value) = validate(&form, &mut shown);
    if !shown.errors.any() {
        let var = EnvVar {
            key: key.clone(),
            value: Some(value).filter(|v| !v.is_empty()),
            hidden: form.hidden,
        };
        let id = scope.instance.id.clone();
        let added = state.db.run(move |conn| {
            env_vars::add(conn, &id, &var)?;
            Ok(instances::touch_config(conn, &id)?)
        });
        match added.await {
            Ok(()) => return saved((&state, &user), &scope, format!("{key} added.")).await,
            Err(e) if e.is_unique_violation() => shown.errors.add(
                "key",
                format!("{key} is already defined on this instance; edit it in the list."),
            ),
            Err(e) => return Err(e),
        }
    }
    refuse(&user, &state, scope, &form, shown).await
}

/// `POST /instance/{id}/settings/environment/{key}`: edit (rename, new value, hidden flag). An
/// empty value on a hidden variable keeps the value it has.
pub async fn update(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<EnvForm>,
) -> Result<HttpResponse, AppError> {
    let (_, old_key) = path.into_inner();
    let mut shown = Shown {
        editing: old_key.clone(),
        ..Shown::default()
    };
    let (key, value) = validate(&form, &mut shown);
    if !shown.errors.any() {
        let (id, old) = (scope.instance.id.clone(), old_key.clone());
        let var = EnvVar {
            key,
            value: Some(value),
            hidden: form.hidden,
        };
        let updated = state.db.run(move |conn| update_var(conn, &id, &old, var));
        match updated.await {
            Ok(key) => return saved((&state, &user), &scope, format!("{key} saved.")).await,
            Err(e) if e.is_unique_violation() => shown
                .errors
                .add("key", "Another variable already has this name."),
            Err(e) => return Err(e),
        }
    }
    refuse(&user, &state, scope, &form, shown).await
}

/// Save an edited variable (`var.value` as typed): an empty value on a hidden variable keeps the
/// value it has. Returns the variable's (new) name.
fn update_var(
    conn: &mut Conn,
    id: &InstanceId,
    old: &str,
    mut var: EnvVar,
) -> Result<String, AppError> {
    let existing = env_vars::list(conn, id)?
        .into_iter()
        .find(|v| v.key == old)
        .ok_or(AppError::NotFound)?;
    let typed = var.value.take().unwrap_or_default();
    var.value = if typed.is_empty() && existing.hidden {
        existing.value
    } else {
        Some(typed).filter(|v| !v.is_empty())
    };
    env_vars::update(conn, id, old, &var)?;
    instances::touch_config(conn, id)?;
    Ok(var.key)
}

/// `POST /instance/{id}/settings/environment/{key}/delete`.
pub async fn delete(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (_, key) = path.into_inner();
    let (id, gone) = (scope.instance.id.clone(), key.clone());
    state
        .db
        .run(move |conn| {
            env_vars::delete(conn, &id, &gone)?;
            Ok(instances::touch_config(conn, &id)?)
        })
        .await?;
    saved((&state, &user), &scope, format!("{key} deleted.")).await
}
