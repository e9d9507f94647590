//! Stages of a pipeline: add (at the end, or before / after a stage), edit (rename, rebind),
//! move left / right, remove. Forms load into the pipeline block with htmx and work as pages
//! without it; every order change is one transaction (`db::models::stages`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::{PipelineId, StageId};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, Stage};
use crate::domain::names;
use crate::domain::roles::Action;
use crate::domain::stages::{Direction, Placement};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::require;
use crate::web::pipelines::page::{Audit, audited, load, respond};
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
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
    query: web::Query<AnchorQuery>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let anchor = anchor_of(&query.before, &query.after);
    let shown = Shown {
        anchor,
        ..Shown::default()
    };
    render_form(&user, &state, &req, scope, shown, StatusCode::OK).await
}

/// `POST /pipeline/{id}/stages`: add a stage.
pub async fn add(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let instance = chosen_instance(&state, &scope, &form.instance, None, &mut errors).await?;
    let placement = match anchor_of(&form.before, &form.after) {
        Some((side, at)) if side == "before" => Placement::Before(StageId::from(at)),
        Some((_, at)) => Placement::After(StageId::from(at)),
        None => Placement::End,
    };
    if let (false, Some(instance)) = (errors.any(), instance) {
        let pid = scope.pipeline.id.clone();
        let added = audited(&state, &user, &scope, move |conn| {
            let stage = stages::add(conn, &pid, &name, &instance.id, &placement)?;
            let details = format!("bound to {}", instance.name);
            Ok((
                (),
                Audit {
                    action: "stage.added",
                    subject: stage.name,
                    details,
                },
            ))
        });
        match added.await {
            Ok(_) => return respond(&req, &state, &user, scope).await,
            Err(e) if e.is_unique_violation() => errors.add(
                "instance",
                "This instance is already a stage of this pipeline.",
            ),
            Err(e) => return Err(e),
        }
    }
    let anchor = anchor_of(&form.before, &form.after);
    let shown = Shown {
        anchor,
        name: form.name,
        instance: form.instance,
        errors,
        ..Shown::default()
    };
    render_form(
        &user,
        &state,
        &req,
        scope,
        shown,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Load a stage with its pipeline's scope (404 for outsiders and unknown stages).
async fn load_stage(
    user: &CurrentUser,
    state: &AppState,
    id: StageId,
) -> Result<(Stage, PipelineScope), AppError> {
    let uid = user.user.id.clone();
    state
        .db
        .run(move |conn| {
            let stage = stages::find(conn, &id)?;
            let scope = crate::db::models::pipelines::scope(conn, &stage.pipeline_id, &uid)?;
            Ok((stage, scope))
        })
        .await
}

/// `GET /stage/{id}/edit`.
pub async fn edit_form(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
) -> Result<HttpResponse, AppError> {
    let (stage, scope) = load_stage(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let (name, instance) = (stage.name.clone(), stage.instance_id.to_string());
    let shown = Shown {
        stage: Some(stage),
        name,
        instance,
        ..Shown::default()
    };
    render_form(&user, &state, &req, scope, shown, StatusCode::OK).await
}

/// `POST /stage/{id}/edit`: rename and/or rebind.
pub async fn update(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
    form: web::Form<StageForm>,
) -> Result<HttpResponse, AppError> {
    let (stage, scope) = load_stage(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let instance = chosen_instance(
        &state,
        &scope,
        &form.instance,
        Some(&stage.instance_id),
        &mut errors,
    )
    .await?;
    if let (false, Some(instance)) = (errors.any(), instance) {
        let sid = stage.id.clone();
        let updated = audited(&state, &user, &scope, move |conn| {
            stages::update(conn, &sid, &name, &instance.id)?;
            let details = format!("bound to {}", instance.name);
            Ok((
                (),
                Audit {
                    action: "stage.edited",
                    subject: name,
                    details,
                },
            ))
        });
        match updated.await {
            Ok(()) => return respond(&req, &state, &user, scope).await,
            Err(e) if e.is_unique_violation() => errors.add(
                "instance",
                "This instance is already a stage of this pipeline.",
            ),
            Err(e) => return Err(e),
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
        scope,
        shown,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /stage/{id}/move` (`direction=left|right`).
pub async fn move_stage(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let (stage, scope) = load_stage(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let direction = match form.direction.as_str() {
        "left" => Direction::Left,
        "right" => Direction::Right,
        _ => return Err(AppError::BadRequest("Move left or right.".into())),
    };
    audited(&state, &user, &scope, move |conn| {
        stages::move_stage(conn, &stage, direction)?;
        Ok((
            (),
            Audit {
                action: "stage.moved",
                subject: stage.name,
                details: form.direction.clone(),
            },
        ))
    })
    .await?;
    respond(&req, &state, &user, scope).await
}

/// `POST /stage/{id}/delete`: the stages after it close up.
pub async fn remove(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
) -> Result<HttpResponse, AppError> {
    let (stage, scope) = load_stage(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    audited(&state, &user, &scope, move |conn| {
        stages::remove(conn, &stage)?;
        Ok((
            (),
            Audit {
                action: "stage.removed",
                subject: stage.name,
                details: String::new(),
            },
        ))
    })
    .await?;
    respond(&req, &state, &user, scope).await
}
