//! View models shared by the instance pages: the header (breadcrumb, tabs) and the live status card.

use crate::db::ids::InstanceId;
use crate::db::models::applications::Application;
use crate::db::models::instances::{Instance, InstanceScope};
use crate::db::models::teams::Team;
use crate::domain::origins::Origins;
use crate::domain::roles::may_change_instance;
use crate::domain::roles::{Action, Role};
use crate::nodered::install::NODE_RED_VERSION;
use crate::nodered::state::{RuntimeState, RuntimeStatus};
use crate::web::views::ago;

/// What the header of every instance page shows.
pub struct InstanceHeader {
    /// The team.
    pub team: Team,
    /// The application.
    pub app: Application,
    /// The instance.
    pub instance: Instance,
    /// The viewer's role.
    pub role: Role,
    /// Active tab: overview, settings, logs.
    pub tab: &'static str,
    /// Whether the viewer may change the instance (settings, environment, files; not when it is
    /// protected and they are no owner).
    pub can_manage: bool,
    /// Whether the viewer may start, stop and restart it.
    pub can_control: bool,
    /// Its own origin, where its editor and flows are served (`http://dev.localhost:8080`).
    pub url: String,
}

impl InstanceHeader {
    /// Header for `scope` with `tab` active.
    pub fn new(scope: InstanceScope, tab: &'static str, origins: &Origins) -> Self {
        let role = scope.membership.role;
        Self {
            url: origins.instance_origin(&scope.instance.label),
            team: scope.membership.team,
            app: scope.application,
            can_manage: may_change_instance(role, scope.instance.protected),
            can_control: role.allows(Action::ManageInstances),
            instance: scope.instance,
            role,
            tab,
        }
    }
}

/// The live status card (polled by htmx).
pub struct StatusView {
    /// Instance id.
    pub id: InstanceId,
    /// Instance name.
    pub name: String,
    /// State key (CSS class): running, stopped, crashed ...
    pub state: &'static str,
    /// Short label.
    pub label: String,
    /// Whether its runtime runs (the editor can be opened).
    pub running: bool,
    /// Error, crash or progress detail.
    pub detail: Option<String>,
    /// `127.0.0.1:port` while up.
    pub address: Option<String>,
    /// Poll faster while the state is changing.
    pub poll: &'static str,
    /// Controls (only for roles that may manage instances).
    pub can_start: bool,
    /// Stop button.
    pub can_stop: bool,
    /// Restart button.
    pub can_restart: bool,
    /// Env vars or settings changed after the runtime started.
    pub needs_restart: bool,
    /// "Last crash 3 minutes ago: …"
    pub last_crash: Option<String>,
}

impl StatusView {
    /// Build from the instance record, its runtime status and whether the viewer may act.
    pub fn new(instance: &Instance, status: &RuntimeStatus, can_manage: bool) -> Self {
        let (label, detail) = match &status.state {
            RuntimeState::Stopped => ("Stopped".to_owned(), None),
            RuntimeState::Installing => (
                format!("Installing Node-RED {NODE_RED_VERSION}…"),
                Some(
                    "The first start downloads Node-RED with npm; this takes a little while."
                        .to_owned(),
                ),
            ),
            RuntimeState::Starting { .. } => ("Starting…".to_owned(), None),
            RuntimeState::Running { since_ms, .. } => {
                (format!("Running since {}", ago(*since_ms)), None)
            }
            RuntimeState::Stopping => ("Stopping…".to_owned(), None),
            RuntimeState::Crashed {
                message,
                restart_at_ms,
            } => {
                let wait = ((restart_at_ms - crate::db::now_ms()).max(0) + 999) / 1000;
                (
                    format!("Crashed — restarting in {wait} s"),
                    Some(message.clone()),
                )
            }
            RuntimeState::Error { message } => ("Error".to_owned(), Some(message.clone())),
        };
        let up = matches!(
            status.state,
            RuntimeState::Running { .. }
                | RuntimeState::Starting { .. }
                | RuntimeState::Crashed { .. }
        );
        let needs_restart = match status.state {
            RuntimeState::Running { since_ms, .. } => instance.config_changed_at > since_ms,
            _ => false,
        };
        Self {
            id: instance.id.clone(),
            name: instance.name.clone(),
            state: status.state.key(),
            label,
            running: matches!(status.state, RuntimeState::Running { .. }),
            detail,
            address: status
                .state
                .address()
                .map(|a| a[url::Position::BeforeHost..url::Position::AfterPort].to_owned()),
            poll: if status.state.is_transient() {
                "1s"
            } else {
                "3s"
            },
            can_start: can_manage
                && matches!(
                    status.state,
                    RuntimeState::Stopped | RuntimeState::Error { .. }
                ),
            can_stop: can_manage && (up || status.state == RuntimeState::Installing),
            can_restart: can_manage && up,
            needs_restart: can_manage && needs_restart,
            last_crash: status.last_crash.as_ref().map(|(at, what)| {
                format!(
                    "{} ({} crash(es) since the server started): {what}",
                    ago(*at),
                    status.crashes
                )
            }),
        }
    }
}
