//! An instance's live status card (polled by htmx) and its start / stop / restart controls.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::db::models::instances::InstanceScope;
use crate::domain::roles::Action;
use crate::domain::states::DesiredState;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::{Access, can};
use crate::web::instances::view::StatusView;
use crate::web::views::{render, see_other, wants_fragment};

#[derive(Template)]
#[template(path = "instances/_status.html")]
struct StatusFragment {
    status: StatusView,
    /// The session's CSRF token, for the control forms (they work without JavaScript).
    csrf: String,
}

/// `GET /instance/{id}/status`: the live status card (htmx); a full navigation gets the overview.
pub async fn status(
    Access { user, scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !wants_fragment(&req) {
        return Ok(see_other(&crate::web::urls::instance_overview(
            &scope.instance.id,
        )));
    }
    status_fragment(&state, &user, &scope)
}

fn status_fragment(
    state: &AppState,
    user: &CurrentUser,
    scope: &InstanceScope,
) -> Result<HttpResponse, AppError> {
    let can_manage = scope.membership.role.allows(Action::ManageInstances);
    let status = StatusView::new(
        &scope.instance,
        &state.runtimes.status(&scope.instance.id),
        can_manage,
    );
    let csrf = user.session.csrf_token()?;
    render(StatusCode::OK, &StatusFragment { status, csrf })
}

/// What a control button asks for.
#[derive(Debug, Clone, Copy)]
enum Control {
    /// Start and keep running.
    Start,
    /// Stop and keep stopped.
    Stop,
    /// Restart now.
    Restart,
}

/// `POST /instance/{id}/start`.
pub async fn start(
    access: Access<InstanceScope, can::ManageInstances>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    control(access, state, req, Control::Start).await
}

/// `POST /instance/{id}/stop`.
pub async fn stop(
    access: Access<InstanceScope, can::ManageInstances>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    control(access, state, req, Control::Stop).await
}

/// `POST /instance/{id}/restart`.
pub async fn restart(
    access: Access<InstanceScope, can::ManageInstances>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    control(access, state, req, Control::Restart).await
}

async fn control(
    Access {
        user, mut scope, ..
    }: Access<InstanceScope, can::ManageInstances>,
    state: web::Data<AppState>,
    req: HttpRequest,
    what: Control,
) -> Result<HttpResponse, AppError> {
    let id = scope.instance.id.clone();
    // Answer with the state the command leads to, not the one before it (briefly wait for it).
    let mut changes = state.runtimes.watch(&id);
    changes.borrow_and_update();
    match what {
        Control::Start => crate::instances::set_running(&state.instances(), &id, true).await?,
        Control::Stop => crate::instances::set_running(&state.instances(), &id, false).await?,
        Control::Restart => crate::instances::restart(&state.instances(), &id).await?,
    }
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), changes.changed()).await;
    scope.instance.desired_state = if matches!(what, Control::Stop) {
        DesiredState::Stopped
    } else {
        DesiredState::Running
    };
    if wants_fragment(&req) {
        return status_fragment(&state, &user, &scope);
    }
    let done = match what {
        Control::Start => "is starting",
        Control::Stop => "is stopped",
        Control::Restart => "is restarting",
    };
    user.session
        .flash("success", format!("{} {done}.", scope.instance.name))?;
    Ok(see_other(&crate::web::urls::instance_overview(&id)))
}
