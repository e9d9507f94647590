//! Instances: the application's Instances tab (list, create), the overview with its live status and
//! start / stop / restart, and the live log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::require;
use super::instance_view::{InstanceHeader, StatusView};
use super::views::{Chrome, FormErrors, chrome, render, see_other, wants_fragment};
use crate::auth::CurrentUser;
use crate::db::ids::{ApplicationId, InstanceId};
use crate::db::models::applications::{self, Application};
use crate::db::models::deployments;
use crate::db::models::instances::{self, InstanceScope};
use crate::db::models::teams::Team;
use crate::domain::names;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "applications/instances.html")]
struct InstancesTab {
    chrome: Chrome,
    team: Team,
    app: Application,
    tab: &'static str,
    tab_label: &'static str,
    can_create: bool,
    node_error: Option<String>,
    instances: Vec<StatusView>,
    name: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "applications/_instance_list.html")]
struct InstanceList {
    app: Application,
    instances: Vec<StatusView>,
}

#[derive(Template)]
#[template(path = "instances/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    h: InstanceHeader,
    status: StatusView,
    node_red_version: String,
    last_deployed: Option<String>,
}

#[derive(Template)]
#[template(path = "instances/_status.html")]
struct StatusFragment {
    status: StatusView,
}

/// The create-instance form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    name: String,
}

/// Load an instance as seen by the signed-in user (404 for outsiders).
pub async fn load(
    user: &CurrentUser,
    state: &AppState,
    id: InstanceId,
) -> Result<InstanceScope, AppError> {
    let uid = user.user.id.clone();
    state
        .db
        .run(move |conn| instances::scope(conn, &id, &uid))
        .await
}

async fn instances_tab(
    user: &CurrentUser,
    state: &AppState,
    req: &HttpRequest,
    id: ApplicationId,
    status: StatusCode,
    form: (String, FormErrors),
) -> Result<HttpResponse, AppError> {
    let uid = user.user.id.clone();
    let (scope, list) = state
        .db
        .run(move |conn| {
            let scope = applications::scope(conn, &id, &uid)?;
            let list = instances::list_for_application(conn, &scope.application.id)?;
            Ok((scope, list))
        })
        .await?;
    let can_manage = scope.membership.role.allows(Action::ManageInstances);
    let views = list
        .iter()
        .map(|i| StatusView::new(i, &state.runtimes.status(&i.id), can_manage))
        .collect();
    if wants_fragment(req) && status == StatusCode::OK {
        return render(
            status,
            &InstanceList {
                app: scope.application,
                instances: views,
            },
        );
    }
    let page = InstancesTab {
        chrome: chrome(
            user,
            format!("Instances · {}", scope.application.name),
            Some(&scope.membership.team),
        )?,
        team: scope.membership.team,
        app: scope.application,
        tab: "instances",
        tab_label: "Instances",
        can_create: can_manage,
        node_error: state.runtimes.node_error().map(str::to_owned),
        instances: views,
        name: form.0,
        errors: form.1,
    };
    render(status, &page)
}

/// `GET /application/{id}/instances` (the list alone for htmx polling).
pub async fn list(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<ApplicationId>,
) -> Result<HttpResponse, AppError> {
    instances_tab(
        &user,
        &state,
        &req,
        id.into_inner(),
        StatusCode::OK,
        (String::new(), FormErrors::default()),
    )
    .await
}

/// `POST /application/{id}/instances`: create and start an instance.
pub async fn create(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<ApplicationId>,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let uid = user.user.id.clone();
    let scope = {
        let id = id.clone();
        state
            .db
            .run(move |conn| applications::scope(conn, &id, &uid))
            .await?
    };
    require(&scope.membership, Action::ManageInstances)?;
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    if !errors.any() {
        match crate::instances::create(&state, &id, &name).await {
            Ok(instance) => {
                user.session.flash(
                    "success",
                    format!("Instance {} created; Node-RED is starting.", instance.name),
                )?;
                return Ok(see_other(&super::urls::instance_overview(&instance.id)));
            }
            Err(e) if e.is_unique_violation() => errors.add(
                "name",
                "This application already has an instance with this name.",
            ),
            Err(e) => return Err(e),
        }
    }
    let form = (form.into_inner().name, errors);
    instances_tab(
        &user,
        &state,
        &req,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        form,
    )
    .await
}

/// `GET /instance/{id}`: the overview.
pub async fn root(id: web::Path<InstanceId>) -> HttpResponse {
    see_other(&super::urls::instance_overview(&id))
}

/// `GET /instance/{id}/overview`.
pub async fn overview(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    let target = scope.instance.id.clone();
    let last = state
        .db
        .run(move |conn| Ok(deployments::latest_success_onto(conn, &[target])?))
        .await?;
    let last_deployed = last.first().map(|d| {
        let when = super::views::ago(d.finished_at.unwrap_or(d.started_at));
        format!("{when} by {}, from {}", d.started_by_name, d.source_name)
    });
    let h = InstanceHeader::new(scope, "overview");
    let status = StatusView::new(
        &h.instance,
        &state.runtimes.status(&h.instance.id),
        h.can_manage,
    );
    let page = OverviewPage {
        chrome: chrome(
            &user,
            format!("{} · {}", h.instance.name, h.app.name),
            Some(&h.team),
        )?,
        node_red_version: h.instance.node_red_version.clone(),
        last_deployed,
        status,
        h,
    };
    render(StatusCode::OK, &page)
}

/// `GET /instance/{id}/status`: the live status card (htmx); a full navigation gets the overview.
pub async fn status(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    if !wants_fragment(&req) {
        return Ok(see_other(&super::urls::instance_overview(
            &scope.instance.id,
        )));
    }
    status_fragment(&state, &scope)
}

fn status_fragment(state: &AppState, scope: &InstanceScope) -> Result<HttpResponse, AppError> {
    let can_manage = scope.membership.role.allows(Action::ManageInstances);
    let status = StatusView::new(
        &scope.instance,
        &state.runtimes.status(&scope.instance.id),
        can_manage,
    );
    render(StatusCode::OK, &StatusFragment { status })
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
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    control(user, state, req, id, Control::Start).await
}

/// `POST /instance/{id}/stop`.
pub async fn stop(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    control(user, state, req, id, Control::Stop).await
}

/// `POST /instance/{id}/restart`.
pub async fn restart(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    control(user, state, req, id, Control::Restart).await
}

async fn control(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
    what: Control,
) -> Result<HttpResponse, AppError> {
    let mut scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManageInstances)?;
    let id = scope.instance.id.clone();
    // Answer with the state the command leads to, not the one before it (briefly wait for it).
    let mut changes = state.runtimes.runtime(&id).subscribe();
    changes.borrow_and_update();
    match what {
        Control::Start => crate::instances::set_running(&state, &id, true).await?,
        Control::Stop => crate::instances::set_running(&state, &id, false).await?,
        Control::Restart => crate::instances::restart(&state, &id).await?,
    }
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), changes.changed()).await;
    scope.instance.desired_state = if matches!(what, Control::Stop) {
        "stopped"
    } else {
        "running"
    }
    .into();
    if wants_fragment(&req) {
        return status_fragment(&state, &scope);
    }
    let done = match what {
        Control::Start => "is starting",
        Control::Stop => "is stopped",
        Control::Restart => "is restarting",
    };
    user.session
        .flash("success", format!("{} {done}.", scope.instance.name))?;
    Ok(see_other(&super::urls::instance_overview(&id)))
}

#[derive(Template)]
#[template(path = "instances/logs.html")]
struct LogsPage {
    chrome: Chrome,
    h: InstanceHeader,
    lines: Vec<(u64, String)>,
    next: u64,
}

#[derive(Template)]
#[template(path = "instances/_log_lines.html")]
struct LogLines {
    id: InstanceId,
    lines: Vec<(u64, String)>,
    next: u64,
}

/// Query of the log poller.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct After {
    after: u64,
}

fn next_after(lines: &[(u64, String)], after: u64) -> u64 {
    lines.last().map(|(seq, _)| seq + 1).unwrap_or(after)
}

/// `GET /instance/{id}/logs`: the last lines of the runtime's output, followed live.
pub async fn logs(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    let lines = state.runtimes.runtime(&scope.instance.id).logs.since(0);
    let h = InstanceHeader::new(scope, "logs");
    let next = next_after(&lines, 0);
    let page = LogsPage {
        chrome: chrome(&user, format!("Logs · {}", h.instance.name), Some(&h.team))?,
        h,
        lines,
        next,
    };
    render(StatusCode::OK, &page)
}

/// `GET /instance/{id}/logs/lines?after=N`: new lines for the live view (htmx).
pub async fn log_lines(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<InstanceId>,
    query: web::Query<After>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    if !wants_fragment(&req) {
        return Ok(see_other(&super::urls::instance_logs(&scope.instance.id)));
    }
    let lines = state
        .runtimes
        .runtime(&scope.instance.id)
        .logs
        .since(query.after);
    let next = next_after(&lines, query.after);
    render(
        StatusCode::OK,
        &LogLines {
            id: scope.instance.id,
            lines,
            next,
        },
    )
}
