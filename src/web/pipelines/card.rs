//! One stage card of the DevOps Pipelines page: the instance and its live state, the last
//! promotion onto it and how it ended, when its flows last changed, and its play button (with
//! a hint when its flows changed since they were last pushed to the next stage).

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::ids::{InstanceId, StageId};
use crate::db::models::deployments::Deployment;
use crate::db::models::instances::InstanceCard;
use crate::db::models::stages::Stage;
use crate::domain::play;
use crate::domain::roles::{Action, Role};
use crate::domain::states::DeploymentStatus;
use crate::nodered::RuntimeDriver;
use crate::web::pipelines::view::Row;
use crate::web::views::ago;

/// The play button of a stage card.
pub struct PlayButton {
    /// "Push to Production".
    pub label: String,
    /// Whether it can be pressed now.
    pub enabled: bool,
    /// Why not, when disabled.
    pub reason: String,
    /// "Changed since the last push to Production", when its flows did.
    pub unpushed: Option<String>,
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
    /// The instance's own origin (one string for all the cards of an instance).
    pub instance_url: Arc<str>,
    /// Live state key (CSS) and label.
    pub state: (&'static str, &'static str),
    /// Only owners may deploy to it.
    pub protected: bool,
    /// Env vars on the instance that still need a value.
    pub needs_values: i64,
    /// The last promotion onto it: "3 minutes ago by alice in 0.2 s"; None for never.
    pub last_deployed: Option<String>,
    /// When its flows last changed (any deploy: editor, promotion, restore), if it has any.
    pub flows_changed: Option<String>,
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

fn state_of(runtimes: &dyn RuntimeDriver, id: &InstanceId) -> (&'static str, &'static str) {
    let state = runtimes.status(id).state;
    (state.key(), state.name())
}

fn result_of(latest: Option<&Deployment>) -> Option<(&'static str, String)> {
    let d = latest.filter(|d| !d.is_active())?;
    let at = ago(d.finished_at.unwrap_or(d.started_at));
    match d.status {
        DeploymentStatus::Succeeded => {
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
        DeploymentStatus::Interrupted => Some((
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

/// What the cards of a page are built from, loaded once for all its pipelines.
pub struct Cards<'a> {
    /// Live states.
    pub runtimes: &'a dyn RuntimeDriver,
    /// The viewer's role.
    pub role: Role,
    /// The team's name (for the protected-stage reason).
    pub team: &'a str,
    /// The newest deployment onto each instance.
    pub latest: HashMap<InstanceId, Deployment>,
    /// The newest successful deployment onto each instance.
    pub success: HashMap<InstanceId, Deployment>,
    /// How many env vars need a value, per instance.
    pub missing: HashMap<InstanceId, i64>,
    /// When each instance's flows last changed (see [`RuntimeDriver::flows_changed_at`]).
    pub changed: HashMap<InstanceId, Option<i64>>,
    /// Each instance's own origin.
    pub urls: HashMap<InstanceId, Arc<str>>,
}

impl Cards<'_> {
    /// Whether a promotion onto `instance` is under way.
    pub fn busy(&self, instance: &InstanceId) -> bool {
        self.latest.get(instance).is_some_and(Deployment::is_active)
    }

    /// The cards of one pipeline's stages, in order.
    pub fn build(&self, rows: &[Row]) -> Vec<StageCard> {
        let changed: Vec<Option<i64>> = rows
            .iter()
            .map(|(_, instance)| self.changed.get(&instance.id).copied().flatten())
            .collect();
        rows.iter()
            .enumerate()
            .map(|(index, (stage, instance))| {
                let latest = self.latest.get(&instance.id);
                // Viewers get no play button at all.
                let play = rows
                    .get(index + 1)
                    .filter(|_| self.role.allows(Action::Promote))
                    .map(|(next, target)| {
                        let mut play =
                            play_button(self.role, next, target, self.busy(&target.id), self.team);
                        play.unpushed = unpushed(
                            changed[index],
                            instance,
                            self.success.get(&target.id),
                            &next.name,
                        );
                        play
                    });
                StageCard {
                    id: stage.id.clone(),
                    name: stage.name.clone(),
                    instance_id: instance.id.clone(),
                    instance_name: instance.name.clone(),
                    instance_url: self.urls.get(&instance.id).cloned().unwrap_or_default(),
                    state: state_of(self.runtimes, &instance.id),
                    protected: instance.protected,
                    needs_values: self.missing.get(&instance.id).copied().unwrap_or(0),
                    last_deployed: self.success.get(&instance.id).map(last_deployed),
                    flows_changed: changed[index].map(ago),
                    progress: latest.filter(|d| d.is_active()).map(|d| d.step.label()),
                    result: result_of(latest),
                    play,
                    first: index == 0,
                    last: index + 1 == rows.len(),
                }
            })
            .collect()
    }
}

/// "3 minutes ago by alice in 0.2 s".
fn last_deployed(d: &Deployment) -> String {
    let took = d
        .duration_ms()
        .map(|ms| format!(" in {:.1} s", ms as f64 / 1000.0))
        .unwrap_or_default();
    let when = ago(d.finished_at.unwrap_or(d.started_at));
    format!("{when} by {}{took}", d.started_by_name)
}

/// The hint that `source`'s flows (changed at `changed`) are not on the next stage: they changed
/// after the last successful push from it, or none came from it.
fn unpushed(
    changed: Option<i64>,
    source: &InstanceCard,
    pushed: Option<&Deployment>,
    next: &str,
) -> Option<String> {
    let changed = changed?;
    match pushed.filter(|d| d.source_instance_id == source.id) {
        Some(d) if d.started_at >= changed => None,
        Some(_) => Some(format!("Changed since the last push to {next}")),
        None => Some(format!("Not pushed to {next} yet")),
    }
}

fn play_button(
    role: Role,
    next: &Stage,
    target: &InstanceCard,
    busy: bool,
    team: &str,
) -> PlayButton {
    let facts = play::Target {
        name: &target.name,
        protected: target.protected,
        busy,
    };
    let reason = match play::check(role, &facts) {
        Ok(()) => String::new(),
        Err(refusal) => refusal.message(&target.name, team),
    };
    PlayButton {
        label: format!("Push to {}", next.name),
        enabled: reason.is_empty(),
        reason,
        unpushed: None,
    }
}
