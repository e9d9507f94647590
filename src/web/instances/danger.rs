//! Instance settings > Danger zone: Duplicate Instance and Delete Instance.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::models::instances::InstanceScope;
use crate::db::models::stages;
use crate::domain::names;
use crate::error::AppError;
use crate::instances::EnvCopy;
use crate::state::AppState;
use crate::web::access::{Access, can};
use crate::web::instances::settings::{Shown, refused};
use crate::web::views::see_other;

/// The duplicate form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DuplicateForm {
    name: String,
    /// `values` (keys and values) or `keys` (keys only).
    env: String,
}

/// The delete form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// `POST /instance/{id}/duplicate`: a new instance of the same application with the same flows,
/// credentials, modules, settings and environment (keys and values, or keys only).
pub async fn duplicate(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<DuplicateForm>,
) -> Result<HttpResponse, AppError> {
    let mut shown = Shown::default();
    let name = shown.errors.check("name", names::name(&form.name));
    let env = match form.env.as_str() {
        "values" => EnvCopy::KeysAndValues,
        "keys" => EnvCopy::KeysOnly,
        _ => {
            shown.errors.add("env", "Choose whether values are copied.");
            EnvCopy::KeysOnly
        }
    };
    if !shown.errors.any() {
        match crate::instances::duplicate(&state.instances(), &scope.instance, &name, env).await {
            Ok(copy) => {
                let keys = match env {
                    EnvCopy::KeysOnly => " Its environment variables need values.",
                    EnvCopy::KeysAndValues => "",
                };
                let what = format!("{} duplicated as {}", scope.instance.name, copy.name);
                user.session
                    .flash("success", format!("{what}; it is starting.{keys}"))?;
                return Ok(see_other(&copy.overview_url()));
            }
            Err(e) if e.is_unique_violation() => shown.errors.add(
                "name",
                "This application already has an instance with this name.",
            ),
            Err(e) => return Err(e),
        }
    }
    shown.values.set("name", &form.name).set("env", &form.env);
    refused(&user, &state, scope, "danger", shown).await
}

/// `POST /instance/{id}/delete`: confirmed by typing the name; stops the runtime, removes its files.
pub async fn delete(
    Access { user, scope, .. }: Access<InstanceScope, can::ChangeInstance>,
    state: web::Data<AppState>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(why) = why_not_delete(&state, &scope, &form.confirm).await? {
        let mut shown = Shown::default();
        shown.errors.add("confirm", why);
        shown.values.set("env", "keys");
        return refused(&user, &state, scope, "danger", shown).await;
    }
    crate::instances::remove(&state.instances(), &scope.instance.id).await?;
    user.session.flash(
        "success",
        format!("Instance {} deleted.", scope.instance.name),
    )?;
    Ok(see_other(&scope.application.instances_url()))
}

/// Why the instance cannot be deleted now: the name was not typed, or a pipeline uses it.
async fn why_not_delete(
    state: &AppState,
    scope: &InstanceScope,
    confirm: &str,
) -> Result<Option<String>, AppError> {
    if confirm.trim() != scope.instance.name {
        return Ok(Some("Type the instance name exactly to confirm.".into()));
    }
    let id = scope.instance.id.clone();
    let used_by = state
        .db
        .run(move |conn| Ok(stages::pipelines_using(conn, &id)?))
        .await?;
    if used_by.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!(
        "{} is a stage of the pipeline {}: remove it from there first.",
        scope.instance.name,
        used_by.join(", ")
    )))
}
