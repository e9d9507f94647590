//! View model of the DevOps Pipelines page: every pipeline as a row of stage cards, loaded with a
//! constant number of queries however many pipelines there are.

use std::collections::HashMap;

use crate::db::Conn;
use crate::db::ids::{ApplicationId, InstanceId, PipelineId, StageId};
use crate::db::models::deployments::{self, Deployment};
use crate::db::models::instances::Instance;
use crate::db::models::pipelines::Pipeline;
use crate::db::models::stages::{self, Stage};
use crate::db::models::{env_vars, teams::Membership};
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::nodered::Runtimes;
use crate::nodered::state::RuntimeState;
use crate::web::views::ago;

/// The play button of a stage card.
pub struct PlayButton {
    /// "Push to Production".
    pub label: String,
    /// Whether it can be pressed now.
    pub enabled: bool,
    /// Why not, when disabled.
    pub reason: String,
}

/// One stage card.
pub struct StageCard {
    /// Stage id.
    pub id: StageId,
    /// Stage name.
    pub name: String,
    /// Instance bound to it.
    pub instance_id: InstanceId,
    /// Instance name.
    pub instance_name: String,
    /// Live state key (CSS) and label.
    pub state: (&'static str, &'static str),
    /// Only owners may deploy to it.
    pub protected: bool,
    /// Env vars on the instance that still need a value.
    pub needs_values: i64,
    /// "3 minutes ago by alice", or None for never.
    pub last_deployed: Option<String>,
    /// A promotion onto this stage is under way: its step.
    pub progress: Option<&'static str>,
    /// The outcome of the latest finished promotion onto this stage, when it was not a success
    /// or just happened: (css class, text).
    pub result: Option<(&'static str, String)>,
    /// None on the last stage.
    pub play: Option<PlayButton>,
    /// First and last (for the move buttons).
    pub first: bool,
    /// Last stage.
    pub last: bool,
}

/// One pipeline with its cards.
pub struct PipelineView {
    /// Pipeline id.
    pub id: PipelineId,
    /// Name.
    pub name: String,
    /// Cards in order.
    pub stages: Vec<StageCard>,
    /// Whether a promotion in it is under way (the page polls faster).
    pub active: bool,
}

/// Words for a deployment step.
pub fn step_label(step: &str) -> &'static str {
    match step {
        "queued" => "Queued…",
        "reading" => "Reading the source…",
        "checking" => "Checking the target…",
        "deploying" => "Deploying…",
        "verifying" => "Verifying…",
        "restoring" => "Failed — restoring…",
        _ => "Finishing…",
    }
}

fn state_of(runtimes: &Runtimes, id: &InstanceId) -> (&'static str, &'static str) {
    match runtimes.status(id).state {
        RuntimeState::Running { .. } => ("running", "Running"),
        RuntimeState::Stopped => ("stopped", "Stopped"),
        RuntimeState::Installing => ("installing", "Installing"),
        RuntimeState::Starting { .. } => ("starting", "Starting"),
        RuntimeState::Stopping => ("stopping", "Stopping"),
        RuntimeState::Crashed { .. } => ("crashed", "Crashed"),
        RuntimeState::Error { .. } => ("error", "Error"),
    }
}

fn result_of(latest: Option<&Deployment>) -> Option<(&'static str, String)> {
    let d = latest.filter(|d| !d.is_active())?;
    let at = ago(d.finished_at.unwrap_or(d.started_at));
    match d.status.as_str() {
        "succeeded" => {
            // "Last deployed" already says when, who and how long; only new keys need a line.
            let keys = d.new_keys();
            (!keys.is_empty()).then(|| {
                let keys = keys.join(", ");
                (
                    "ok",
                    format!("New env vars need a value on {}: {keys}", d.target_name),
                )
            })
        }
        "interrupted" => Some((
            "failed",
            format!(
                "Interrupted {at} (server stopped); {} was restored.",
                d.target_name
            ),
        )),
        _ => Some((
            "failed",
            format!("Failed {at}: {}", d.error.clone().unwrap_or_default()),
        )),
    }
}

/// Which pipelines of an application to show.
pub enum Shown<'a> {
    /// One page of the application's pipelines.
    Page {
        /// Its pipelines, as `pipelines::page_for_application` returned them.
        pipelines: Vec<Pipeline>,
        /// Offset of that page.
        offset: i64,
        /// Size of that page.
        limit: i64,
    },
    /// A single pipeline (the block htmx polls).
    One(&'a Pipeline),
}

/// Build the views of some pipelines of `app` in four queries whose text never changes (so they
/// stay prepared), however many pipelines there are.
pub fn load(
    conn: &mut Conn,
    runtimes: &Runtimes,
    membership: &Membership,
    app: &ApplicationId,
    shown: Shown<'_>,
) -> Result<Vec<PipelineView>, AppError> {
    let (pipelines, all) = match shown {
        Shown::Page {
            pipelines,
            offset,
            limit,
        } => {
            let all = stages::list_for_page(conn, app, offset, limit)?;
            (pipelines, all)
        }
        Shown::One(pipeline) => (
            vec![pipeline.clone()],
            stages::list_for_pipeline(conn, &pipeline.id)?,
        ),
    };
    let by_target = |list: Vec<Deployment>| -> HashMap<InstanceId, Deployment> {
        list.into_iter()
            .map(|d| (d.target_instance_id.clone(), d))
            .collect()
    };
    let latest = by_target(deployments::latest_in_application(conn, app)?);
    let success = by_target(deployments::latest_success_in_application(conn, app)?);
    let missing: HashMap<InstanceId, i64> = env_vars::missing_values_in_application(conn, app)?
        .into_iter()
        .collect();
    let mut by_pipeline: HashMap<PipelineId, Vec<(Stage, Instance)>> = HashMap::new();
    for (stage, instance) in all {
        by_pipeline
            .entry(stage.pipeline_id.clone())
            .or_default()
            .push((stage, instance));
    }
    let role = membership.role;
    Ok(pipelines
        .into_iter()
        .map(|pipeline| {
            let rows = by_pipeline.remove(&pipeline.id).unwrap_or_default();
            let busy: Vec<bool> = rows
                .iter()
                .map(|(_, i)| latest.get(&i.id).is_some_and(Deployment::is_active))
                .collect();
            let count = rows.len();
            let stages: Vec<StageCard> = rows
                .iter()
                .enumerate()
                .map(|(index, (stage, instance))| {
                    let next = rows.get(index + 1);
                    // Viewers get no play button at all.
                    let play = next.filter(|_| role.allows(Action::Promote)).map(
                        |(next_stage, target)| {
                            play_button(
                                role,
                                next_stage,
                                target,
                                busy[index + 1],
                                &membership.team.name,
                            )
                        },
                    );
                    StageCard {
                        id: stage.id.clone(),
                        name: stage.name.clone(),
                        instance_id: instance.id.clone(),
                        instance_name: instance.name.clone(),
                        state: state_of(runtimes, &instance.id),
                        protected: instance.protected,
                        needs_values: missing.get(&instance.id).copied().unwrap_or(0),
                        last_deployed: success.get(&instance.id).map(|d| {
                            let took = d
                                .duration_ms()
                                .map(|ms| format!(" in {:.1} s", ms as f64 / 1000.0))
                                .unwrap_or_default();
                            let when = ago(d.finished_at.unwrap_or(d.started_at));
                            format!("{when} by {}{took}", d.started_by_name)
                        }),
                        progress: latest
                            .get(&instance.id)
                            .filter(|d| d.is_active())
                            .map(|d| step_label(&d.step)),
                        result: result_of(latest.get(&instance.id)),
                        play,
                        first: index == 0,
                        last: index + 1 == count,
                    }
                })
                .collect();
            PipelineView {
                active: busy.iter().any(|b| *b),
                id: pipeline.id,
                name: pipeline.name,
                stages,
            }
        })
        .collect())
}

fn play_button(role: Role, next: &Stage, target: &Instance, busy: bool, team: &str) -> PlayButton {
    let reason = if target.protected && !role.allows(Action::ManageProtected) {
        format!(
            "{} is protected: only owners of {team} can deploy to it.",
            target.name
        )
    } else if busy {
        format!("{} is being deployed.", target.name)
    } else {
        String::new()
    };
    PlayButton {
        label: format!("Push to {}", next.name),
        enabled: reason.is_empty(),
        reason,
    }
}
