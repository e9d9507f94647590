//! Plays that are refused: by role or protection, a busy target, a stopped target. Each leaves
//! the target as it was (refusals about modules are in `modules`).

use redstage::db::ids::InstanceId;
use redstage::db::models::deployments::{self, status};
use redstage::domain::roles::Role;
use redstage::error::AppError;

use super::line;
use crate::helpers::promotion::*;
use crate::helpers::*;

#[tokio::test]
async fn play_is_authorised_and_refusals_say_why() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    let viewer = l.pipeline.play(app, 0, "vera", Role::Viewer).await;
    assert!(matches!(viewer, Err(AppError::Forbidden(_))), "{viewer:?}");
    let last = l.pipeline.play(app, 1, "mark", Role::Member).await;
    assert!(
        matches!(&last, Err(AppError::BadRequest(m)) if m == "Production is the last stage: there is nowhere to push it."),
        "{last:?}"
    );
    let other = db_pipeline(app, &l.f.app_id, &[("Development", &l.dev)]).await?;
    let owner = db(app, |c| {
        Ok(redstage::db::models::users::find_by_username(c, "olivia")?)
    })
    .await?;
    let foreign = l
        .pipeline
        .play_stage(
            app,
            other.stages[0].id.clone(),
            owner.ok_or("no owner")?,
            Role::Owner,
        )
        .await;
    assert!(matches!(foreign, Err(AppError::NotFound)), "{foreign:?}");

    let prod = InstanceId::from(l.prod.clone());
    db(app, move |c| {
        Ok(redstage::db::models::instances::set_protected(
            c, &prod, true,
        )?)
    })
    .await?;
    let member = l.pipeline.play(app, 0, "mark", Role::Member).await;
    assert!(
        matches!(&member, Err(AppError::Forbidden(m)) if m == "Production is protected: only owners of Plant Ops can deploy to it."),
        "{member:?}"
    );
    app.deploy(&l.dev, "hello.json", None).await?;
    let id = l.pipeline.play(app, 0, "olivia", Role::Owner).await?;
    assert_eq!(finished(app, &id).await?.0.status, status::SUCCEEDED);
    Ok(())
}

#[tokio::test]
async fn two_plays_onto_one_target_at_once_run_one_and_refuse_the_other() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;

    let (a, b) = tokio::join!(
        l.pipeline.play(app, 0, "mark", Role::Member),
        l.pipeline.play(app, 0, "olivia", Role::Owner)
    );

    let (won, lost) = match (a, b) {
        (Ok(id), Err(e)) | (Err(e), Ok(id)) => (id, e),
        other => return Err(format!("exactly one play must win: {other:?}").into()),
    };
    assert!(
        matches!(&lost, AppError::Conflict(m) if m == "Production is already being deployed."),
        "{lost:?}"
    );
    let (done, _) = finished(app, &won).await?;
    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    let id = l.pipeline.pipeline.id.clone();
    let rows = db(app, move |c| Ok(deployments::history(c, &id, 10)?)).await?;
    assert_eq!(rows.len(), 1, "the refused play left no row");
    // Once over, the target can be claimed again.
    let again = l.pipeline.promote(app, 0).await?;
    assert_eq!(again.status, status::SUCCEEDED, "{:?}", again.error);
    Ok(())
}

#[tokio::test]
async fn a_stopped_target_is_refused_and_nothing_changes() -> TestResult {
    let l = line(&[("ONLY_ON_DEV", "x")], &[]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    set_running(&l.f.member, &l.prod, false).await?;
    let flows_file = app
        .settings
        .instances_dir()
        .join(&l.prod)
        .join("flows.json");
    let flows_before = std::fs::read(&flows_file)?;

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::FAILED);
    assert_eq!(
        done.error.as_deref(),
        Some("Production is stopped — start it and try again.")
    );
    assert!(done.snapshot_before.is_none());
    assert!(env_of(app, &l.prod).await?.is_empty());
    assert_eq!(std::fs::read(&flows_file)?, flows_before);
    Ok(())
}
