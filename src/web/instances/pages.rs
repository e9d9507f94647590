//! Instances: the application's Instances tab (list, create), the overview with its live status and
//! start / stop / restart, and the live log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::ids::InstanceId;
use crate::db::models::applications::{Application, ApplicationScope};
use crate::db::models::deployments;
use crate::db::models::instance_settings;
use crate::db::models::instances::{self, Instance, InstanceScope};
use crate::db::models::teams::Team;
use crate::domain::endpoints::EndpointAccess;
use crate::domain::flows::paths_under;
use crate::domain::names;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::nodered::EDITOR_PREFIX;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::{Access, can};
use crate::web::instances::view::{InstanceHeader, StatusView};
use crate::web::urls;
use crate::web::views::{Chrome, FormErrors, chrome, render, see_other, wants_fragment};

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
    /// Each instance's status and its own origin.
    instances: Vec<(StatusView, String)>,
    name: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "applications/_instance_list.html")]
struct InstanceList {
    app: Application,
    /// Each instance's status and its own origin.
    instances: Vec<(StatusView, String)>,
}

#[derive(Template)]
#[template(path = "instances/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    h: InstanceHeader,
    status: StatusView,
    node_red_version: String,
    last_deployed: Option<String>,
    /// When its flows last changed (any deploy).
    flows_changed: Option<String>,
    /// Who may call its flows' endpoints, in words.
    endpoint_access: &'static str,
    /// Flow paths under the editor prefix (never reachable).
    reserved: Vec<String>,
    /// Whether its runtime runs in the sandbox.
    sandboxed: bool,
}

/// The create-instance form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    name: String,
}

async fn instances_tab(
    user: &CurrentUser,
    state: &AppState,
    req: &HttpRequest,
    scope: ApplicationScope,
    status: StatusCode,
    form: (String, FormErrors),
) -> Result<HttpResponse, AppError> {
    let app = scope.application.id.clone();
    let list = state
        .db
        .run(move |conn| Ok(instances::list_for_application(conn, &app)?))
        .await?;
    let can_manage = scope.membership.role.allows(Action::ManageInstances);
    let views = rows(state, &list, can_manage);
    if wants_fragment(req) && status == StatusCode::OK {
        let app = scope.application;
        return render(
            status,
            &InstanceList {
                app,
                instances: views,
            },
        );
    }
    let title = format!("Instances · {}", scope.application.name);
    let page = InstancesTab {
        chrome: chrome(user, title, Some(&scope.membership.team))?,
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

/// Each instance's status and its own origin, as the list shows them.
fn rows(state: &AppState, list: &[Instance], can_manage: bool) -> Vec<(StatusView, String)> {
    list.iter()
        .map(|i| {
            let status = StatusView::new(i, &state.runtimes.status(&i.id), can_manage);
            (status, state.origins.instance_origin(&i.label))
        })
        .collect()
}

/// `GET /application/{id}/instances` (the list alone for htmx polling).
pub async fn list(
    Access { user, scope, .. }: Access<ApplicationScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let empty = (String::new(), FormErrors::default());
    instances_tab(&user, &state, &req, scope, StatusCode::OK, empty).await
}

/// `POST /application/{id}/instances`: create and start an instance.
pub async fn create(
    Access { user, scope, .. }: Access<ApplicationScope, can::ManageInstances>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    if !errors.any() {
        let app = &scope.application.id;
        match crate::instances::create(&state.instances(), app, &name).await {
            Ok(instance) => {
                let created = format!("Instance {} created; Node-RED is starting.", instance.name);
                user.session.flash("success", created)?;
                return Ok(see_other(&urls::instance_overview(&instance.id)));
            }
            Err(e) if e.is_unique_violation() => errors.add(
                "name",
                "This application already has an instance with this name.",
            ),
            Err(e) => return Err(e),
        }
    }
    let (status, form) = (
        StatusCode::UNPROCESSABLE_ENTITY,
        (form.into_inner().name, errors),
    );
    instances_tab(&user, &state, &req, scope, status, form).await
}

/// `GET /instance/{id}`: the overview.
pub async fn root(id: web::Path<InstanceId>) -> HttpResponse {
    see_other(&crate::web::urls::instance_overview(&id))
}

/// `GET /instance/{id}/overview`.
pub async fn overview(
    Access { user, scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (target, runtimes) = (scope.instance.id.clone(), state.runtimes.clone());
    let (last, changed, access) = state
        .db
        .run(move |conn| {
            let last = deployments::latest_success_onto_instance(conn, &target)?;
            let access = instance_settings::get(conn, &target)?.endpoint_access();
            Ok((last, runtimes.flows_changed_at(&target), access))
        })
        .await?;
    let reserved = crate::promotion::flows_of(&*state.runtimes, &scope.instance.id)
        .await
        .map(|flows| paths_under(&flows, EDITOR_PREFIX))
        .unwrap_or_default();
    let last_deployed = last.map(|d| {
        let when = crate::web::views::ago(d.finished_at.unwrap_or(d.started_at));
        format!("{when} by {}, from {}", d.started_by_name, d.source_name)
    });
    let h = InstanceHeader::new(scope, "overview", &state.origins);
    let runtime = state.runtimes.status(&h.instance.id);
    let status = StatusView::new(&h.instance, &runtime, h.can_control);
    let title = format!("{} · {}", h.instance.name, h.app.name);
    let page = OverviewPage {
        chrome: chrome(&user, title, Some(&h.team))?,
        node_red_version: h.instance.node_red_version.clone(),
        last_deployed,
        flows_changed: changed.map(crate::web::views::ago),
        endpoint_access: endpoint_words(access),
        reserved,
        sandboxed: state.runtimes.isolation().await.is_ok(),
        status,
        h,
    };
    render(StatusCode::OK, &page)
}

/// Who may call an instance's endpoints, in words.
fn endpoint_words(access: EndpointAccess) -> &'static str {
    match access {
        EndpointAccess::Anyone => "anyone",
        EndpointAccess::Basic => "clients with the user name and password of Settings > Security",
        EndpointAccess::Members => "members of the team only (signed in through redstage)",
    }
}
