//! Stages of a pipeline: add (at the end, or before / after a stage), edit (rename, rebind),
//! move left / right, remove. Forms load into the pipeline block with htmx and work as pages
//! without it; every order change is one transaction (`db::models::stages`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, StageScope};
use crate::domain::names;
use crate::domain::stages::Direction;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::{Access, can};
use crate::web::pipelines::audit::{Audit, audited};
use crate::web::pipelines::page::respond;
use crate::web::pipelines::stage_form::{Shown, anchor_of, chosen_instance, render_form};
use crate::web::views::FormErrors;

/// Where to add (query of the new-stage form, hidden fields of its post).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnchorQuery {
    before: String,
    after: String,
}

/// The stage form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    name: String,
    instance: String,
    before: String,
    after: String,
}

/// The move form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

/// `GET /pipeline/{id}/stages/new?before=|after=`.
pub async fn new_form(
    Access { user, scope, .. }: Access<PipelineScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AnchorQuery>,
) -> Result<HttpResponse, AppError> {
    let shown = Shown {
        anchor: anchor_of(&query.before, &query.after),
        ..Shown::default()
    };
    render_form(&user, &state, &req, scope, shown, StatusCode::OK).await
}

/// `POST /pipeline/{id}/stages`: add a stage.
pub async fn add(
    Access { user, scope, .. }: Access<PipelineScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let instance = chosen_instance(&state, &scope, &form.instance, None, &mut errors).await?;
    let anchor = anchor_of(&form.before, &form.after);
    if let (false, Some(instance)) = (errors.any(), instance) {
        let (pid, placement) = (scope.pipeline.id.clone(), anchor.clone());
        let added = audited(&state, &user, &scope, move |conn| {
            let stage = stages::add(conn, &pid, &name, &instance.id, &placement)?;
            let details = format!("bound to {}", instance.name);
            Ok(((), Audit::new("stage.added", stage.name, details)))
        });
        if saved(added.await, &mut errors)? {
            return respond(&req, &state, &user, scope).await;
        }
    }
    let (name, instance) = (form.name, form.instance);
    let shown = Shown {
        anchor,
        name,
        instance,
        errors,
        ..Shown::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_form(&user, &state, &req, scope, shown, status).await
}

/// Whether a stage change was saved; a clash (the instance is already a stage of this
/// pipeline) becomes the form's error instead.
fn saved(result: Result<(), AppError>, errors: &mut FormErrors) -> Result<bool, AppError> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.is_unique_violation() => {
            errors.add(
                "instance",
                "This instance is already a stage of this pipeline.",
            );
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// `GET /stage/{id}/edit`.
pub async fn edit_form(
    Access { user, scope, .. }: Access<StageScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let StageScope { stage, pipeline } = scope;
    let (name, instance) = (stage.name.clone(), stage.instance_id.to_string());
    let shown = Shown {
        stage: Some(stage),
        name,
        instance,
        ..Shown::default()
    };
    render_form(&user, &state, &req, pipeline, shown, StatusCode::OK).await
}

/// `POST /stage/{id}/edit`: rename and/or rebind.
pub async fn update(
    Access { user, scope, .. }: Access<StageScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (StageScope { stage, pipeline }, form) = (scope, form.into_inner());
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let keep = Some(&stage.instance_id);
    let instance = chosen_instance(&state, &pipeline, &form.instance, keep, &mut errors).await?;
    if let (false, Some(instance)) = (errors.any(), instance) {
        let sid = stage.id.clone();
        let updated = audited(&state, &user, &pipeline, move |conn| {
            stages::update(conn, &sid, &name, &instance.id)?;
            let details = format!("bound to {}", instance.name);
            Ok(((), Audit::new("stage.edited", name, details)))
        });
        if saved(updated.await, &mut errors)? {
            return respond(&req, &state, &user, pipeline).await;
        }
    }
    let shown = Shown {
        stage: Some(stage),
        name: form.name,
        instance: form.instance,
        errors,
        ..Shown::default()
    };
    render_form(
        &user,
        &state,
        &req,
        pipeline,
        shown,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /stage/{id}/move` (`direction=left|right`).
pub async fn move_stage(
    Access { user, scope, .. }: Access<StageScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let StageScope { stage, pipeline } = scope;
    let direction = match form.direction.as_str() {
        "left" => Direction::Left,
        "right" => Direction::Right,
        _ => return Err(AppError::BadRequest("Move left or right.".into())),
    };
    audited(&state, &user, &pipeline, move |conn| {
        stages::move_stage(conn, &stage, direction)?;
        let event = Audit::new("stage.moved", stage.name, form.direction.clone());
        Ok(((), event))
    })
    .await?;
    respond(&req, &state, &user, pipeline).await
}

/// `POST /stage/{id}/delete`: the stages after it close up.
pub async fn remove(
    Access { user, scope, .. }: Access<StageScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let StageScope { stage, pipeline } = scope;
    audited(&state, &user, &pipeline, move |conn| {
        stages::remove(conn, &stage)?;
        Ok(((), Audit::new("stage.removed", stage.name, "")))
    })
    .await?;
    respond(&req, &state, &user, pipeline).await
}
