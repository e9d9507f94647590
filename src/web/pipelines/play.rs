//! Play: the confirmation that says exactly what a promotion will do, and starting it.
//! The promotion itself runs in the background (`promotion`); the pipeline block shows progress.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::auth::CurrentUser;
use crate::db::ids::StageId;
use crate::db::models::instances::{self, Instance};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, Stage};
use crate::db::models::{env_vars, instance_settings};
use crate::domain::env::keys_to_add;
use crate::domain::flows::FlowsChange;
use crate::domain::restart::Restarts;
use crate::error::AppError;
use crate::instances::spec::process_env;
use crate::nodered::state::RuntimeState;
use crate::promotion::{self, PlayRequest};
use crate::state::AppState;
use crate::web::pipelines::page::{fragment, load};
use crate::web::views::{Chrome, chrome, render, see_other, wants_fragment};

/// What the confirmation shows.
pub struct Plan {
    /// Stage pushed from, and its instance.
    pub source: (Stage, Instance),
    /// Stage pushed to, and its instance.
    pub target: (Stage, Instance),
    /// Env keys that will arrive on the target without a value.
    pub new_keys: Vec<String>,
    /// Whether the target is running (else the promotion will be refused).
    pub target_running: bool,
    /// Whether the target will restart (its environment changed since it started, or it must
    /// load modules its palette does not let the editor install).
    pub target_restarts: bool,
    /// Modules the target lacks: "name version", installed there first.
    pub modules: Vec<String>,
    /// How the target's flows change, when known.
    pub flows: Option<FlowsChange>,
    /// Whether they go in with npm and a restart (its palette does not allow installs).
    pub palette_locked: bool,
}

#[derive(Template)]
#[template(path = "pipelines/_promote.html")]
struct PromoteDialog {
    csrf: String,
    scope: PipelineScope,
    plan: Plan,
}

#[derive(Template)]
#[template(path = "pipelines/promote.html")]
struct PromotePage {
    chrome: Chrome,
    dialog: PromoteDialog,
}

/// The plan of a push from stage `id`, once the user may make it (authorised before any runtime
/// is read: a viewer must not make the server do that work).
async fn plan(
    user: &CurrentUser,
    state: &AppState,
    id: StageId,
) -> Result<(PipelineScope, Plan), AppError> {
    let uid = user.user.id.clone();
    let (scope, source, target, new_keys, palette_locked, target_env) = state
        .db
        .run(move |conn| {
            let stage = stages::find(conn, &id)?;
            let scope = crate::db::models::pipelines::scope(conn, &stage.pipeline_id, &uid)?;
            let all = stages::list_for_pipeline(conn, &scope.pipeline.id)?;
            let at = all
                .iter()
                .position(|(s, _)| s.id == stage.id)
                .ok_or(AppError::NotFound)?;
            let source = all.get(at).cloned().ok_or(AppError::NotFound)?;
            let target = all.get(at + 1).cloned().ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{} is the last stage: there is nowhere to push it.",
                    stage.name
                ))
            })?;
            promotion::authorise(scope.membership.role, &target.1, &scope.membership.team)?;
            let source_keys = env_vars::keys(conn, &source.1.id)?;
            let target_vars = env_vars::list(conn, &target.1.id)?;
            let new_keys = keys_to_add(
                source_keys.iter().map(String::as_str),
                target_vars.iter().map(|v| v.key.as_str()),
            );
            let target_instance = instances::find(conn, &target.1.id)?;
            let locked = !instance_settings::get(conn, &target.1.id)?.palette_allow_install;
            let env = process_env(&target_vars);
            Ok((
                scope,
                source,
                (target.0, target_instance),
                new_keys,
                locked,
                env,
            ))
        })
        .await?;
    let preview = promotion::preview(&*state.runtimes, &source.1.id, &target.1.id).await;
    let modules: Vec<String> = preview
        .modules
        .into_iter()
        .map(|(module, version)| format!("{module} {version}"))
        .collect();
    let running = state.runtimes.status(&target.1.id).state;
    let target_running = matches!(running, RuntimeState::Running { .. });
    let by_npm = palette_locked && !modules.is_empty();
    // New keys arrive without a value, so the environment after the push is the target's own.
    let restarts = Restarts::new(
        by_npm,
        &state.runtimes.launch_env(&target.1.id),
        &target_env,
    );
    Ok((
        scope,
        Plan {
            source,
            target,
            new_keys,
            target_running,
            target_restarts: restarts.any(),
            modules,
            flows: preview.flows,
            palette_locked,
        },
    ))
}

/// `GET /stage/{id}/promote`: the confirmation (a dialog with htmx, a page without).
pub async fn confirm(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
) -> Result<HttpResponse, AppError> {
    let (scope, plan) = plan(&user, &state, id.into_inner()).await?;
    let dialog = PromoteDialog {
        csrf: user.session.csrf_token()?,
        scope,
        plan,
    };
    if wants_fragment(&req) {
        return render(StatusCode::OK, &dialog);
    }
    let title = format!("Push to {}", dialog.plan.target.0.name);
    let page = PromotePage {
        chrome: chrome(&user, title, Some(&dialog.scope.membership.team))?,
        dialog,
    };
    render(StatusCode::OK, &page)
}

/// `POST /stage/{id}/promote`: start the promotion; 409 when the target is already being deployed.
pub async fn start(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<StageId>,
) -> Result<HttpResponse, AppError> {
    let source = id.into_inner();
    let pipeline_id = {
        let source = source.clone();
        state
            .db
            .run(move |conn| Ok(stages::find(conn, &source)?.pipeline_id))
            .await?
    };
    let scope = load(&user, &state, pipeline_id).await?;
    let request = PlayRequest {
        pipeline: scope.pipeline.clone(),
        team: scope.membership.team.clone(),
        role: scope.membership.role,
        source,
        actor: user.user.clone(),
    };
    promotion::start(&state.promotions(), request).await?;
    if wants_fragment(&req) {
        let mut response = fragment(&state, &user, scope, StatusCode::OK, None).await?;
        // Close the confirmation dialog.
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("hx-trigger"),
            actix_web::http::header::HeaderValue::from_static("promotion-started"),
        );
        return Ok(response);
    }
    user.session.flash(
        "info",
        "Promotion started; the stage card shows its progress.",
    )?;
    Ok(see_other(&format!(
        "{}#pipeline-{}",
        scope.application.pipelines_url(),
        scope.pipeline.id
    )))
}
