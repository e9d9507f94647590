//! A runtime that stops answering, and a Node-RED installation that fails.

use super::*;

#[tokio::test]
async fn a_runtime_that_stops_answering_is_restarted() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let pid = app.pid(&id).ok_or("no pid")?;
    // Frozen, not dead: only the health check can notice.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid)?),
        nix::sys::signal::Signal::SIGSTOP,
    )?;
    app.wait_for_new_process(&f.member, &id, Some(pid)).await?;
    let card = f.member.wait_for_state(&id, "running").await?;
    assert!(
        card.body.contains("stopped answering its admin API"),
        "{}",
        card.body
    );
    Ok(())
}

#[tokio::test]
async fn a_failed_node_red_installation_shows_on_the_instance_and_nothing_else_breaks() -> TestResult
{
    // A Node-RED directory that cannot be created: inside a regular file.
    let blocker = tempfile::NamedTempFile::new()?;
    let blocked = blocker.path().join("node-red");
    let app = spawn_app_with(|s| s.node_red_dir = Some(blocked.clone())).await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let card = f.member.wait_for_state(&id, "error").await?;
    assert!(
        card.text(".status-detail")
            .is_some_and(|d| d.starts_with("cannot create")),
        "{}",
        card.body
    );
    assert_eq!(card.count("form[action$='/start']"), 1, "it can be retried");
    let tab = f
        .member
        .get(&format!("/application/{}/instances", f.app_id))
        .await?;
    assert_eq!(tab.status, StatusCode::OK);
    app.instance(&f.member, &f.app_id, "QA").await?;
    assert_eq!(
        f.member
            .get(&format!("/instance/{id}/settings/environment"))
            .await?
            .status,
        StatusCode::OK
    );
    Ok(())
}
