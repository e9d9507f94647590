//! Promotions that fail after changing the target, and promotions a stopped server left behind:
//! the target ends as its `before-promotion` snapshot has it.

use redstage::db::ids::{ApplicationId, DeploymentId, InstanceId};
use redstage::db::models::deployments::{self, Claim, status};
use redstage::db::models::instances::{self, NewInstance};
use redstage::db::models::snapshots::{self, NewSnapshot, kind};
use redstage::db::models::{pipelines, stages, users};
use redstage::domain::roles::Role;
use redstage::domain::stages::Placement;
use redstage::domain::states::DeploymentStep;
use redstage::error::AppError;
use redstage::nodered::credentials;
use serde_json::{Value, json};

use super::{Line, line};
use crate::helpers::promotion::*;
use crate::helpers::*;

#[tokio::test]
async fn a_target_that_dies_while_starting_the_new_flows_is_restored() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    // The source holds flows that kill their runtime as they start (it is stopped: read from disk).
    set_running(&l.f.member, &l.dev, false).await?;
    let crash = serde_json::to_vec(&flow_file("crash-on-start.json")?)?;
    std::fs::write(
        app.settings.instances_dir().join(&l.dev).join("flows.json"),
        crash,
    )?;
    let prod_pid = app.pid(&l.prod);

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::FAILED);
    let error = done.error.unwrap_or_default();
    assert!(error.contains("Production"), "{error}");
    assert!(
        error.ends_with("Production was restored to how it was before."),
        "{error}"
    );
    assert_ne!(app.pid(&l.prod), prod_pid, "it died");
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(
        hello["flowVersion"],
        json!("0"),
        "the previous flows run again"
    );
    assert_eq!(
        l.pipeline
            .audit_actions(app)
            .await?
            .last()
            .map(String::as_str),
        Some("promotion.failed")
    );
    Ok(())
}

#[tokio::test]
async fn a_target_killed_right_after_the_claim_fails_the_promotion_and_keeps_its_flows()
-> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    let pid = app.pid(&l.prod).ok_or("no pid")?;

    let id = l.pipeline.play(app, 0, "mark", Role::Member).await?;
    // The promotion runs on this test's runtime: it has not started yet when the kill lands.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid)?),
        nix::sys::signal::Signal::SIGKILL,
    )?;
    let (done, _) = finished(app, &id).await?;

    assert_eq!(done.status, status::FAILED, "{:?}", done.error);
    app.wait_for_new_process(&l.f.member, &l.prod, Some(pid))
        .await?;
    let hello = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("0"));
    Ok(())
}

#[tokio::test]
async fn a_promotion_interrupted_by_the_server_stopping_is_restored_at_the_next_start() -> TestResult
{
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    let id = interrupted_promotion(&l, false).await?;
    // Mid-way: the module it needed, the new flows and a new key (without value) had reached
    // Production.
    app.client(&l.prod)?
        .install_module("node-red-node-random", "0.4.1")
        .await?;
    app.deploy(&l.prod, "hello.json", None).await?;
    let prod = InstanceId::from(l.prod.clone());
    db(app, move |c| {
        let var = redstage::db::models::env_vars::EnvVar {
            key: "NEW_KEY".into(),
            value: None,
            hidden: false,
        };
        Ok(redstage::db::models::env_vars::add(c, &prod, &var)?)
    })
    .await?;

    let restarted = l.app.restart().await;
    let app = &restarted;
    let (done, _) = finished(app, &id).await?;

    assert_eq!(done.status, status::INTERRUPTED);
    let error = done.error.unwrap_or_default();
    assert!(error.contains("Production was restored"), "{error}");
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(hello["flowVersion"], json!("0"));
    assert!(
        env_of(app, &l.prod).await?.is_empty(),
        "the key it added is gone"
    );
    let modules = app.client(&l.prod)?.catalog().await?.modules;
    assert!(
        !modules.contains_key("node-red-node-random"),
        "the module it installed is gone: {modules:?}"
    );
    let actions = l.pipeline.audit_actions(app).await?;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("promotion.interrupted")
    );
    Ok(())
}

#[tokio::test]
async fn a_rollback_interrupted_by_the_server_stopping_is_restored_and_audited_as_one() -> TestResult
{
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    let id = interrupted_promotion(&l, true).await?;
    // Mid-way: the snapshot it was putting back had reached Production.
    app.deploy(&l.prod, "hello.json", None).await?;

    let restarted = l.app.restart().await;
    let app = &restarted;
    let (done, _) = finished(app, &id).await?;

    assert_eq!(done.status, status::INTERRUPTED);
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(hello["flowVersion"], json!("0"));
    let actions = l.pipeline.audit_actions(app).await?;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("rollback.interrupted")
    );
    Ok(())
}

/// A deployment row as a server that died mid-promotion (or mid-rollback of Production) leaves
/// it: running, with a snapshot of Production as it is now, and one of what it promoted (which
/// needs node-red-node-random).
async fn interrupted_promotion(l: &Line, rollback: bool) -> Res<DeploymentId> {
    let flows = l.app.client(&l.prod)?.flows().await?.flows;
    let secret = instance_record(&l.app, &l.prod).await?.credential_secret;
    let creds = credentials::encrypt(&secret, &serde_json::Map::new()).to_string();
    let flows = serde_json::to_string(&flows)?;
    let (p, stages) = (l.pipeline.pipeline.id.clone(), l.pipeline.stages.clone());
    // A rollback's source is its own target.
    let (dev, prod) = (
        InstanceId::from(if rollback { &l.prod } else { &l.dev }.clone()),
        InstanceId::from(l.prod.clone()),
    );
    db(&l.app, move |c| {
        let mark =
            redstage::db::models::users::find_by_username(c, "mark")?.ok_or(AppError::NotFound)?;
        let claim = Claim {
            pipeline: &p,
            stages: (&stages[usize::from(rollback)].id, &stages[1].id),
            instances: (&dev, &prod),
            names: ("Development", "Production"),
            user: (&mark.id, "mark"),
        };
        let row = deployments::claim(c, claim)?;
        let snapshot = |kind, modules| NewSnapshot {
            instance: &prod,
            kind,
            flows: &flows,
            credentials: &creds,
            env_keys: "[]",
            modules,
            created_by: Some(&mark.id),
        };
        let before = snapshots::insert(c, snapshot(kind::BEFORE_PROMOTION, "{}"))?;
        let random = r#"{"node-red-node-random":"0.4.1"}"#;
        let promoted = snapshots::insert(c, snapshot(kind::PROMOTED, random))?;
        deployments::set_snapshots(c, &row.id, &before.id, &promoted.id)?;
        deployments::set_step(c, &row.id, DeploymentStep::Deploying)?;
        Ok(row.id)
    })
    .await
}

#[tokio::test]
async fn snapshots_are_pruned_to_ten_per_instance_but_never_under_a_running_promotion() -> TestResult
{
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let application = ApplicationId::from(f.app_id.clone());
    let (held, kept, kept_after) = db(&app, move |c| {
        let instance = |c: &mut redstage::db::Conn, name| {
            let new = NewInstance {
                application: &application,
                name,
                credential_secret: "s",
                node_red_version: "4.1.15",
            };
            instances::create(c, new)
        };
        let (dev, prod) = (instance(c, "Development")?, instance(c, "Production")?);
        let mut made = Vec::new();
        for _ in 0..12 {
            let snapshot = NewSnapshot {
                instance: &prod.id,
                kind: kind::BEFORE_PROMOTION,
                flows: "[]",
                credentials: "{}",
                env_keys: "[]",
                modules: "{}",
                created_by: None,
            };
            made.push(snapshots::insert(c, snapshot)?.id);
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // The oldest is what a running promotion would restore from.
        let pipeline = pipelines::create(c, &application, "Release")?;
        let a = stages::add(c, &pipeline.id, "Development", &dev.id, &Placement::End)?;
        let b = stages::add(c, &pipeline.id, "Production", &prod.id, &Placement::End)?;
        let mark = users::find_by_username(c, "mark")?.ok_or(AppError::NotFound)?;
        let claim = Claim {
            pipeline: &pipeline.id,
            stages: (&a.id, &b.id),
            instances: (&dev.id, &prod.id),
            names: ("Development", "Production"),
            user: (&mark.id, "mark"),
        };
        let row = deployments::claim(c, claim)?;
        deployments::set_snapshots(c, &row.id, &made[0], &made[1])?;
        snapshots::prune(c, &prod.id, snapshots::KEEP_PER_INSTANCE)?;
        let kept = snapshots::list_for_instance(c, &prod.id)?;
        deployments::finish(c, &row.id, status::SUCCEEDED, None, &[], false)?;
        snapshots::prune(c, &prod.id, snapshots::KEEP_PER_INSTANCE)?;
        let kept_after = snapshots::list_for_instance(c, &prod.id)?;
        let ids = |v: Vec<snapshots::Snapshot>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        Ok((made, ids(kept), ids(kept_after)))
    })
    .await?;
    let newest: Vec<_> = held.iter().rev().take(10).cloned().collect();
    assert_eq!(kept.len(), 12, "the running promotion holds the two oldest");
    assert_eq!(
        kept_after, newest,
        "once it is over, only the newest ten stay"
    );
    Ok(())
}
