//! Play: the confirmation that says exactly what a promotion will do, and starting it.
//! The promotion itself runs in the background (`promotion`); the pipeline block shows progress.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::Conn;
use crate::db::models::instances::{self, Instance};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, Stage, StageScope};
use crate::db::models::{env_vars, instance_settings};
use crate::domain::env::keys_to_add;
use crate::domain::flows::FlowsChange;
use crate::domain::restart::Restarts;
use crate::error::AppError;
use crate::instances::spec::process_env;
use crate::nodered::state::RuntimeState;
use crate::promotion::{self, PlayRequest};
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::pipelines::page::anchor;
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

/// What the database says about a push from a stage: its pipeline, both ends, the env keys that
/// will arrive, whether the target's palette is locked, and the target's environment.
struct Ends {
    scope: PipelineScope,
    source: (Stage, Instance),
    target: (Stage, Instance),
    new_keys: Vec<String>,
    palette_locked: bool,
    target_env: Vec<(String, String)>,
}

/// Both ends of a push from `stage`, once the member may make it (authorised before any runtime
/// is read: a viewer must not make the server do that work).
fn ends(conn: &mut Conn, StageScope { stage, pipeline }: StageScope) -> Result<Ends, AppError> {
    let all = stages::list_for_pipeline(conn, &pipeline.pipeline.id)?;
    let at = all
        .iter()
        .position(|(s, _)| s.id == stage.id)
        .ok_or(AppError::NotFound)?;
    let source = all.get(at).cloned().ok_or(AppError::NotFound)?;
    let (target, target_instance) = all.get(at + 1).cloned().ok_or_else(|| {
        let last = format!(
            "{} is the last stage: there is nowhere to push it.",
            stage.name
        );
        AppError::BadRequest(last)
    })?;
    let membership = &pipeline.membership;
    promotion::authorise(membership.role, &target_instance, &membership.team)?;
    let target_vars = env_vars::list(conn, &target_instance.id)?;
    let new_keys = keys_to_add(
        env_vars::keys(conn, &source.1.id)?
            .iter()
            .map(String::as_str),
        target_vars.iter().map(|v| v.key.as_str()),
    );
    Ok(Ends {
        scope: pipeline,
        new_keys,
        palette_locked: !instance_settings::get(conn, &target_instance.id)?.palette_allow_install,
        target_env: process_env(&target_vars),
        target: (target, instances::find(conn, &target_instance.id)?),
        source,
    })
}

/// The plan of a push from the stage: what the database says, then what the runtimes say.
async fn plan(state: &AppState, scope: StageScope) -> Result<(PipelineScope, Plan), AppError> {
    let ends = state.db.run(move |conn| ends(conn, scope)).await?;
    let (source, target) = (&ends.source.1.id, &ends.target.1.id);
    let preview = promotion::preview(&*state.runtimes, source, target).await;
    let modules: Vec<String> = preview
        .modules
        .into_iter()
        .map(|(module, version)| format!("{module} {version}"))
        .collect();
    let running = state.runtimes.status(target).state;
    let by_npm = ends.palette_locked && !modules.is_empty();
    // New keys arrive without a value, so the environment after the push is the target's own.
    let restarts = Restarts::new(by_npm, &state.runtimes.launch_env(target), &ends.target_env);
    let plan = Plan {
        source: ends.source,
        target: ends.target,
        new_keys: ends.new_keys,
        target_running: matches!(running, RuntimeState::Running { .. }),
        target_restarts: restarts.any(),
        modules,
        flows: preview.flows,
        palette_locked: ends.palette_locked,
    };
    Ok((ends.scope, plan))
}

/// `GET /stage/{id}/promote`: the confirmation (a dialog with htmx, a page without).
pub async fn confirm(
    Access { user, scope, .. }: Access<StageScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (scope, plan) = plan(&state, scope).await?;
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
    Access { user, scope, .. }: Access<StageScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let StageScope {
        stage,
        pipeline: scope,
    } = scope;
    let request = PlayRequest {
        pipeline: scope.pipeline.clone(),
        team: scope.membership.team.clone(),
        role: scope.membership.role,
        source: stage.id,
        actor: user.user.clone(),
    };
    promotion::start(&state.promotions(), request).await?;
    if wants_fragment(&req) {
        // Only the dialog closes: the card's progress and outcome come on the page's live
        // stream. The block as read now could arrive after the stream's newer news (a promotion
        // refused at once) and put the card back as it was.
        return Ok(HttpResponse::NoContent()
            .insert_header(("HX-Trigger", "promotion-started"))
            .finish());
    }
    user.session.flash(
        "info",
        "Promotion started; the stage card shows its progress.",
    )?;
    Ok(see_other(&anchor(&scope)))
}
