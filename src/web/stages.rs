//! Stages of a pipeline: add (at the end, or before / after a stage), edit (rename, rebind),
//! move left / right, remove. Forms load into the pipeline block with htmx and work as pages
//! without it; every order change is one transaction (`db::models::stages`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::require;
use super::pipelines::{actor, load, respond};
use super::views::{Chrome, FormErrors, chrome, render, wants_fragment};
use crate::auth::CurrentUser;
use crate::db::ids::{InstanceId, PipelineId, StageId};
use crate::db::models::audit;
use crate::db::models::instances::{self, Instance};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, Stage};
use crate::domain::names;
use crate::domain::roles::Action;
use crate::domain::stages::{Direction, Placement};
use crate::error::AppError;
use crate::state::AppState;

/// The add / edit stage form as a page (without htmx).
#[derive(Template)]
#[template(path = "pipelines/stage_form.html")]
struct StageFormPage {
    chrome: Chrome,
    form: StageFormFragment,
}

/// The add / edit stage form as a fragment in the pipeline block.
#[derive(Template)]
#[template(path = "pipelines/_stage_form.html")]
struct StageFormFragment {
    chrome: Chrome,
    scope: PipelineScope,
    /// `Some` when editing.
    stage: Option<Stage>,
    /// Where a new stage goes: ("before"|"after", stage id) or None for the end.
    anchor: Option<(String, String)>,
    choices: Vec<Instance>,
    name: String,
    instance: String,
    errors: FormErrors,
}

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

fn anchor_of(before: &str, after: &str) -> Option<(String, String)> {
    match (before.is_empty(), after.is_empty()) {
        (false, _) => Some(("before".into(), before.to_owned())),
        (true, false) => Some(("after".into(), after.to_owned())),
        _ => None,
    }
}

/// Instances of the application not yet in the pipeline (plus `keep`, the one being edited).
async fn choices(
    state: &AppState,
    scope: &PipelineScope,
    keep: Option<&InstanceId>,
) -> Result<Vec<Instance>, AppError> {
    let (app, pipeline, keep) = (
        scope.application.id.clone(),
        scope.pipeline.id.clone(),
        keep.cloned(),
    );
    state
        .db
        .run(move |conn| {
            let used: Vec<InstanceId> =
                stages::list_with_instances(conn, std::slice::from_ref(&pipeline))?
                    .into_iter()
                    .map(|(_, i)| i.id)
                    .collect();
            let all = instances::list_for_application(conn, &app)?;
            Ok(all
                .into_iter()
                .filter(|i| !used.contains(&i.id) || keep.as_ref() == Some(&i.id))
                .collect())
        })
        .await
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    user: &CurrentUser,
    state: &AppState,
    req: &HttpRequest,
    scope: PipelineScope,
    stage: Option<Stage>,
    anchor: Option<(String, String)>,
    values: (String, String),
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let choices = choices(state, &scope, stage.as_ref().map(|s| &s.instance_id)).await?;
    let title = if stage.is_some() {
        "Edit stage"
    } else {
        "Add stage"
    };
    let slot = format!("#pipeline-{}-slot", scope.pipeline.id);
    let form = StageFormFragment {
        chrome: chrome(
            user,
            format!("{title} · {}", scope.pipeline.name),
            Some(&scope.membership.team),
        )?,
        scope,
        stage,
        anchor,
        choices,
        name: values.0,
        instance: values.1,
        errors,
    };
    if !wants_fragment(req) {
        return render(
            status,
            &StageFormPage {
                chrome: form.chrome.clone(),
                form,
            },
        );
    }
    let mut response = render(status, &form)?;
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        // The form was posted from the block; put the errors where the form is.
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("hx-retarget"),
            slot.parse().map_err(|_| AppError::NotFound)?,
        );
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("hx-reswap"),
            actix_web::http::header::HeaderValue::from_static("innerHTML"),
        );
    }
    Ok(response)
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
    form_page(
        &user,
        &state,
        &req,
        scope,
        None,
        anchor,
        (String::new(), String::new()),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
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
        let (pid, team, who) = (
            scope.pipeline.id.clone(),
            scope.membership.team.id.clone(),
            actor(&user),
        );
        let added = state.db.run(move |conn| {
            let stage = stages::add(conn, &pid, &name, &instance.id, &placement)?;
            audit::record(
                conn,
                &team,
                Some(&pid),
                &who,
                "stage.added",
                &stage.name,
                &format!("bound to {}", instance.name),
            )?;
            Ok(stage)
        });
        match added.await {
            Ok(_) => return respond(&req, &state, scope).await,
            Err(e) if e.is_unique_violation() => errors.add(
                "instance",
                "This instance is already a stage of this pipeline.",
            ),
            Err(e) => return Err(e),
        }
    }
    let anchor = anchor_of(&form.before, &form.after);
    form_page(
        &user,
        &state,
        &req,
        scope,
        None,
        anchor,
        (form.name, form.instance),
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The instance picked in a stage form: one of the application's, not already in the pipeline.
async fn chosen_instance(
    state: &AppState,
    scope: &PipelineScope,
    raw: &str,
    keep: Option<&InstanceId>,
    errors: &mut FormErrors,
) -> Result<Option<Instance>, AppError> {
    if raw.is_empty() {
        errors.add("instance", "Choose an instance.");
        return Ok(None);
    }
    let found = choices(state, scope, keep)
        .await?
        .into_iter()
        .find(|i| i.id.as_str() == raw);
    if found.is_none() {
        errors.add(
            "instance",
            "Choose one of this application's instances that is not in the pipeline yet.",
        );
    }
    Ok(found)
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
    let values = (stage.name.clone(), stage.instance_id.to_string());
    form_page(
        &user,
        &state,
        &req,
        scope,
        Some(stage),
        None,
        values,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
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
        let (sid, pid, team, who) = (
            stage.id.clone(),
            scope.pipeline.id.clone(),
            scope.membership.team.id.clone(),
            actor(&user),
        );
        let updated = state.db.run(move |conn| {
            stages::update(conn, &sid, &name, &instance.id)?;
            Ok(audit::record(
                conn,
                &team,
                Some(&pid),
                &who,
                "stage.edited",
                &name,
                &format!("bound to {}", instance.name),
            )?)
        });
        match updated.await {
            Ok(()) => return respond(&req, &state, scope).await,
            Err(e) if e.is_unique_violation() => errors.add(
                "instance",
                "This instance is already a stage of this pipeline.",
            ),
            Err(e) => return Err(e),
        }
    }
    form_page(
        &user,
        &state,
        &req,
        scope,
        Some(stage),
        None,
        (form.name, form.instance),
        errors,
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
    let (pid, team, who) = (
        scope.pipeline.id.clone(),
        scope.membership.team.id.clone(),
        actor(&user),
    );
    state
        .db
        .run(move |conn| {
            stages::move_stage(conn, &stage, direction)?;
            Ok(audit::record(
                conn,
                &team,
                Some(&pid),
                &who,
                "stage.moved",
                &stage.name,
                &form.direction,
            )?)
        })
        .await?;
    respond(&req, &state, scope).await
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
    let (pid, team, who) = (
        scope.pipeline.id.clone(),
        scope.membership.team.id.clone(),
        actor(&user),
    );
    state
        .db
        .run(move |conn| {
            stages::remove(conn, &stage)?;
            Ok(audit::record(
                conn,
                &team,
                Some(&pid),
                &who,
                "stage.removed",
                &stage.name,
                "",
            )?)
        })
        .await?;
    respond(&req, &state, scope).await
}
