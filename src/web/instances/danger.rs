//! Instance settings > Danger zone: Duplicate Instance and Delete Instance.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::InstanceId;
use crate::db::models::stages;
use crate::domain::names;
use crate::error::AppError;
use crate::instances::EnvCopy;
use crate::state::AppState;
use crate::web::instances::settings::{Shown, load_for_change, settings_page};
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
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    form: web::Form<DuplicateForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load_for_change(&user, &state, id.into_inner()).await?;
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
                let keys = if env == EnvCopy::KeysOnly {
                    " Its environment variables need values."
                } else {
                    ""
                };
                user.session.flash(
                    "success",
                    format!(
                        "{} duplicated as {}; it is starting.{keys}",
                        scope.instance.name, copy.name
                    ),
                )?;
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
    settings_page(
        &user,
        &state,
        scope,
        "danger",
        StatusCode::UNPROCESSABLE_ENTITY,
        shown,
    )
    .await
}

/// `POST /instance/{id}/delete`: confirmed by typing the name; stops the runtime, removes its files.
pub async fn delete(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load_for_change(&user, &state, id.into_inner()).await?;
    if form.confirm.trim() != scope.instance.name {
        let mut shown = Shown::default();
        shown
            .errors
            .add("confirm", "Type the instance name exactly to confirm.");
        shown.values.set("env", "keys");
        return settings_page(
            &user,
            &state,
            scope,
            "danger",
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
        )
        .await;
    }
    let id = scope.instance.id.clone();
    let used_by = state
        .db
        .run(move |conn| Ok(stages::pipelines_using(conn, &id)?))
        .await?;
    if !used_by.is_empty() {
        let mut shown = Shown::default();
        let names = used_by.join(", ");
        shown.errors.add(
            "confirm",
            format!(
                "{} is a stage of the pipeline {names}: remove it from there first.",
                scope.instance.name
            ),
        );
        shown.values.set("env", "keys");
        return settings_page(
            &user,
            &state,
            scope,
            "danger",
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
        )
        .await;
    }
    crate::instances::remove(&state.instances(), &scope.instance.id).await?;
    user.session.flash(
        "success",
        format!("Instance {} deleted.", scope.instance.name),
    )?;
    Ok(see_other(&scope.application.instances_url()))
}
