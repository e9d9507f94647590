//! Helpers for promotion tests: pipelines and stages made directly through the db models, plays
//! made by calling the promotion service as the web layer does, and a wait for the row to finish.
//! Free functions and `TestPipeline` methods (not `TestApp` methods), so that they cannot clash
//! with the pipelines UI helpers; import them with `use crate::helpers::promotion::*`.

use std::time::{Duration, Instant};

use redstage::db::ids::{ApplicationId, DeploymentId, InstanceId, StageId};
use redstage::db::models::audit;
use redstage::db::models::deployments::{self, Deployment};
use redstage::db::models::env_vars::{self, EnvVar};
use redstage::db::models::instance_settings::{self, InstanceSettings};
use redstage::db::models::instances::{self, Instance};
use redstage::db::models::pipelines::{self, Pipeline};
use redstage::db::models::stages::{self, Stage};
use redstage::db::models::teams::{self, Team};
use redstage::db::models::users::{self, User};
use redstage::domain::roles::Role;
use redstage::domain::stages::Placement;
use redstage::error::AppError;
use redstage::promotion::{self, PlayRequest};
use serde_json::Value;

use super::{Browser, Res, TestApp};

/// A pipeline made in the database, with its stages in order.
pub struct TestPipeline {
    pub pipeline: Pipeline,
    pub team: Team,
    pub stages: Vec<Stage>,
}

/// How long a promotion may take in tests (module installs use npm; restores may restart).
fn promotion_timeout() -> Duration {
    crate::helpers::patience(180)
}

/// Run database work on the server's pool.
pub async fn db<T: Send + 'static>(
    app: &TestApp,
    work: impl FnOnce(&mut redstage::db::Conn) -> Result<T, AppError> + Send + 'static,
) -> Res<T> {
    Ok(app.state.db.run(work).await?)
}

/// Pipeline "Release" of `app_id` (team plant-ops) with one stage per (name, instance id).
pub async fn db_pipeline(
    app: &TestApp,
    app_id: &str,
    stages: &[(&str, &str)],
) -> Res<TestPipeline> {
    let application = ApplicationId::from(app_id.to_owned());
    let stages: Vec<(String, InstanceId)> = stages
        .iter()
        .map(|(name, id)| ((*name).to_owned(), InstanceId::from((*id).to_owned())))
        .collect();
    db(app, move |conn| {
        let owner = users::find_by_username(conn, "olivia")?.ok_or(AppError::NotFound)?;
        let team = teams::scope(conn, "plant-ops", &owner.id)?.team;
        let pipeline = pipelines::create(conn, &application, "Release")?;
        let mut made = Vec::new();
        for (name, instance) in &stages {
            made.push(stages::add(
                conn,
                &pipeline.id,
                name,
                instance,
                &Placement::End,
            )?);
        }
        Ok(TestPipeline {
            pipeline,
            team,
            stages: made,
        })
    })
    .await
}

impl TestPipeline {
    /// Press play on stage `index` as `username` with `role`, as the web layer would.
    pub async fn play(
        &self,
        app: &TestApp,
        index: usize,
        username: &str,
        role: Role,
    ) -> Result<DeploymentId, AppError> {
        let name = username.to_owned();
        let actor = app
            .state
            .db
            .run(move |conn| users::find_by_username(conn, &name)?.ok_or(AppError::NotFound))
            .await?;
        self.play_stage(app, self.stages[index].id.clone(), actor, role)
            .await
    }

    /// Press play on any stage id.
    pub async fn play_stage(
        &self,
        app: &TestApp,
        source: StageId,
        actor: User,
        role: Role,
    ) -> Result<DeploymentId, AppError> {
        let request = PlayRequest {
            pipeline: self.pipeline.clone(),
            team: self.team.clone(),
            role,
            source,
            actor,
        };
        promotion::start(&app.state.promotions(), request).await
    }

    /// Play stage `index` as mark (a member) and wait for the end.
    pub async fn promote(&self, app: &TestApp, index: usize) -> Res<Deployment> {
        let id = self.play(app, index, "mark", Role::Member).await?;
        Ok(finished(app, &id).await?.0)
    }

    /// The audit actions recorded for the pipeline, oldest first.
    pub async fn audit_actions(&self, app: &TestApp) -> Res<Vec<String>> {
        let id = self.pipeline.id.clone();
        let events = db(app, move |conn| Ok(audit::for_pipeline(conn, &id, 100)?)).await?;
        Ok(events.into_iter().rev().map(|e| e.action).collect())
    }
}

/// The deployment row now.
pub async fn deployment(app: &TestApp, id: &DeploymentId) -> Res<Deployment> {
    let id = id.clone();
    db(app, move |conn| Ok(deployments::find(conn, &id)?)).await
}

/// Poll the deployment row (as the stage card does) until it is over; the row, and every
/// step it was seen in.
pub async fn finished(app: &TestApp, id: &DeploymentId) -> Res<(Deployment, Vec<String>)> {
    let deadline = Instant::now() + promotion_timeout();
    let mut steps: Vec<String> = Vec::new();
    loop {
        let row = deployment(app, id).await?;
        if steps.last().map(String::as_str) != Some(row.step.as_str()) {
            steps.push(row.step.to_string());
        }
        if !row.is_active() {
            // Shown when a test fails (or with --nocapture).
            eprintln!(
                "promotion {} -> {} in {:?} ms via {steps:?}: {:?}",
                row.target_name,
                row.status,
                row.duration_ms(),
                row.error
            );
            return Ok((row, steps));
        }
        if Instant::now() > deadline {
            return Err(format!("promotion still {} at step {}", row.status, row.step).into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The instance record.
pub async fn instance_record(app: &TestApp, id: &str) -> Res<Instance> {
    let id = InstanceId::from(id.to_owned());
    db(app, move |conn| Ok(instances::find(conn, &id)?)).await
}

/// The instance's env vars, by key.
pub async fn env_of(app: &TestApp, id: &str) -> Res<Vec<EnvVar>> {
    let id = InstanceId::from(id.to_owned());
    db(app, move |conn| Ok(env_vars::list(conn, &id)?)).await
}

/// The instance's settings.
pub async fn settings_of(app: &TestApp, id: &str) -> Res<InstanceSettings> {
    let id = InstanceId::from(id.to_owned());
    db(app, move |conn| Ok(instance_settings::get(conn, &id)?)).await
}

/// Save the instance's settings (applied at its next start).
pub async fn save_settings(app: &TestApp, settings: InstanceSettings) -> Res<()> {
    db(app, move |conn| {
        Ok(instance_settings::save(conn, &settings)?)
    })
    .await
}

/// Deploy flows given as JSON (no credentials) to a running instance.
pub async fn deploy_json(app: &TestApp, id: &str, flows: &Value) -> Res<String> {
    let nodes = flows.as_array().ok_or("flows are not an array")?;
    Ok(app.client(id)?.deploy(nodes, None).await?)
}

/// Restart an instance through its page and wait for the new process; its pid.
pub async fn restart_instance(app: &TestApp, who: &Browser, id: &str) -> Res<u32> {
    let old = app.pid(id);
    who.post(&format!("/instance/{id}/restart"), &[]).await?;
    app.wait_for_new_process(who, id, old).await
}

/// Start or stop an instance through its page and wait until it is in that state.
pub async fn set_running(who: &Browser, id: &str, running: bool) -> Res<()> {
    let (action, state) = if running {
        ("start", "running")
    } else {
        ("stop", "stopped")
    };
    who.post(&format!("/instance/{id}/{action}"), &[]).await?;
    who.wait_for_state(id, state).await?;
    Ok(())
}

/// Set an env var through the instance's Environment tab (applied at its next start).
pub async fn set_env(who: &Browser, id: &str, key: &str, value: &str) -> Res<()> {
    let page = who
        .post(
            &format!("/instance/{id}/settings/environment"),
            &[("key", key), ("value", value)],
        )
        .await?;
    assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER, "{}", page.body);
    Ok(())
}

/// hello.json as another version: its tab's FLOW_VERSION set to `version`.
pub fn hello_version(version: &str) -> Res<Value> {
    let mut flows = super::flow_file("hello.json")?;
    flows[0]["env"][0]["value"] = Value::String(version.to_owned());
    Ok(flows)
}
