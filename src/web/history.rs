//! A pipeline's history: every deployment (who, when, from -> to, duration, result, error, new
//! env keys needing values) and the audit trail of every change to the pipeline.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::pipelines::load;
use super::views::{Chrome, ago, chrome, render};
use crate::auth::CurrentUser;
use crate::db::ids::PipelineId;
use crate::db::models::applications::Application;
use crate::db::models::audit::{self, AuditEvent};
use crate::db::models::deployments::{self, Deployment};
use crate::db::models::teams::Team;
use crate::error::AppError;
use crate::state::AppState;

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
}

/// `GET /pipeline/{id}/history`: deployments and audit events of a pipeline.
pub async fn history(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<PipelineId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
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
    let rows = list
        .into_iter()
        .map(|d| HistoryRow {
            when: ago(d.started_at),
            took: d
                .duration_ms()
                .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
                .unwrap_or_else(|| "—".into()),
            keys: d.new_keys(),
            d,
        })
        .collect();
    let events = events
        .into_iter()
        .map(|e| {
            let when = ago(e.at);
            (e, when)
        })
        .collect();
    let page = HistoryPage {
        chrome: chrome(
            &user,
            format!("History · {}", scope.pipeline.name),
            Some(&scope.membership.team),
        )?,
        team: scope.membership.team,
        app: scope.application,
        pipeline: scope.pipeline,
        rows,
        events,
    };
    render(StatusCode::OK, &page)
}
