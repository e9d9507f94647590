//! A pipeline's history: every deployment (who, when, from -> to, duration, result, error, new
//! env keys needing values) and the audit trail of every change to the pipeline; and rolling a
//! successful push back from it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::models::applications::Application;
use crate::db::models::audit::{self, AuditEvent};
use crate::db::models::deployments::{self, Deployment, DeploymentScope};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::teams::Team;
use crate::domain::roles::Action;
use crate::domain::states::DeploymentStatus;
use crate::error::AppError;
use crate::promotion::{self, RollbackRequest};
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::pipelines::page::anchor;
use crate::web::views::{Chrome, ago, chrome, render, see_other};

/// A row of the history table.
pub struct HistoryRow {
    /// The deployment.
    pub d: Deployment,
    /// When, as an age.
    pub when: String,
    /// Duration in seconds, once over.
    pub took: String,
    /// Keys that arrived without a value.
    pub keys: Vec<String>,
}

#[derive(Template)]
#[template(path = "pipelines/history.html")]
struct HistoryPage {
    chrome: Chrome,
    team: Team,
    app: Application,
    pipeline: crate::db::models::pipelines::Pipeline,
    rows: Vec<HistoryRow>,
    events: Vec<(AuditEvent, String)>,
    /// Whether the user may roll pushes back (members and owners).
    can_roll_back: bool,
}

impl HistoryRow {
    fn new(d: Deployment) -> Self {
        HistoryRow {
            when: ago(d.started_at),
            took: d
                .duration_ms()
                .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
                .unwrap_or_else(|| "—".into()),
            keys: d.new_keys(),
            d,
        }
    }
}

/// `GET /pipeline/{id}/history`: deployments and audit events of a pipeline.
pub async fn history(
    Access { user, scope, .. }: Access<PipelineScope>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pid = scope.pipeline.id.clone();
    let (list, events) = state
        .db
        .run(move |conn| {
            Ok((
                deployments::history(conn, &pid, 200)?,
                audit::for_pipeline(conn, &pid, 200)?,
            ))
        })
        .await?;
    let rows = list.into_iter().map(HistoryRow::new).collect();
    let events = events.into_iter().map(|e| {
        let when = ago(e.at);
        (e, when)
    });
    let page = HistoryPage {
        chrome: chrome(
            &user,
            format!("History · {}", scope.pipeline.name),
            Some(&scope.membership.team),
        )?,
        can_roll_back: scope.membership.role.allows(Action::Promote),
        team: scope.membership.team,
        app: scope.application,
        pipeline: scope.pipeline,
        rows,
        events: events.collect(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /deployment/{id}/rollback`: undo a successful push by deploying the snapshot of its
/// target from just before it; the pipelines page shows the progress.
pub async fn roll_back(
    Access { user, scope, .. }: Access<DeploymentScope>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let DeploymentScope {
        deployment,
        pipeline,
    } = scope;
    let request = RollbackRequest {
        pipeline: pipeline.pipeline.clone(),
        team: pipeline.membership.team.clone(),
        role: pipeline.membership.role,
        deployment: deployment.id,
        actor: user.user.clone(),
    };
    promotion::roll_back(&state.promotions(), request).await?;
    user.session.flash(
        "info",
        "Rollback started; the stage card shows its progress.",
    )?;
    Ok(see_other(&anchor(&pipeline)))
}
