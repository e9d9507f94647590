//! Who may press play, and the confirmation authorises before it reads anything; what it says
//! about a restart is what the promotion then does.

use reqwest::StatusCode;

use super::{finished_after, line};
use crate::helpers::promotion::set_env;
use crate::helpers::*;

#[tokio::test]
async fn who_may_press_play() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let (_dev, prod, p) = app.dev_to_prod(&f).await?;
    let stages = f.member.stages(&f.app_id, &p).await?;
    let play = format!("/stage/{}/promote", stages[0].0);

    assert_eq!(f.viewer.get(&play).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        f.viewer.post(&play, &[]).await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(f.outsider.get(&play).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(
        f.outsider.post(&play, &[]).await?.status,
        StatusCode::NOT_FOUND
    );
    let last = f
        .member
        .get(&format!("/stage/{}/promote", stages[1].0))
        .await?;
    assert_eq!(last.status, StatusCode::BAD_REQUEST);
    assert!(
        last.text("[data-error-message]")
            .is_some_and(|m| m.contains("is the last stage"))
    );

    f.owner
        .post(
            &format!("/instance/{prod}/settings/protection"),
            &[("protected", "true")],
        )
        .await?;
    let refused = f.member.post(&play, &[]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .text("[data-error-message]")
            .is_some_and(|m| m.contains("Production is protected"))
    );
    Ok(())
}

/// Make `path` a named pipe that nobody writes: whoever reads it blocks.
fn block_readers(path: &std::path::Path) -> TestResult {
    let _ = std::fs::remove_file(path);
    let made = std::process::Command::new("mkfifo").arg(path).status()?;
    assert!(made.success(), "mkfifo {}", path.display());
    Ok(())
}

#[tokio::test]
async fn the_confirmation_refuses_before_it_reads_either_runtime() -> TestResult {
    let app = spawn_app().await;
    let (f, dev, prod, stages) = line(&app).await?;
    let play = format!("/stage/{}/promote", stages[0].0);
    f.owner
        .post(
            &format!("/instance/{prod}/settings/protection"),
            &[("protected", "true")],
        )
        .await?;
    // Building the plan reads both userDirs; a reader of this file would wait forever.
    for id in [&dev, &prod] {
        block_readers(&app.runtimes.user_dir(&id.clone().into()).join("flows.json"))?;
    }
    let patience = crate::helpers::patience(20);
    for who in [&f.viewer, &f.member] {
        let refused = tokio::time::timeout(patience, who.get(&play)).await;
        let refused = refused.map_err(|_| "the plan was built before the role was checked")??;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    Ok(())
}

#[tokio::test]
async fn the_confirmation_says_a_restart_exactly_when_the_push_restarts() -> TestResult {
    let app = spawn_app().await;
    let (f, _dev, prod, stages) = line(&app).await?;
    let play = format!("/stage/{}/promote", stages[0].0);
    // A settings change applies at the next start, but a push does not restart for it.
    let editor = [
        ("editor_enabled", "true"),
        ("code_editor", "monaco"),
        ("editor_title", "Prod"),
    ];
    let saved = f
        .member
        .post(&format!("/instance/{prod}/settings/editor"), &editor)
        .await?;
    assert!(saved.status.is_redirection(), "{}", saved.body);
    let confirm = f.member.get(&play).await?;
    assert!(
        confirm.body.contains("it is not restarted"),
        "{}",
        confirm.body
    );
    let pid = app.pid(&prod);
    let pushed = f.member.post(&play, &[]).await?;
    finished_after(&f.member, &pushed).await?;
    assert_eq!(app.pid(&prod), pid, "not restarted");

    // A new value for a variable the process runs without: the push restarts it, and says so.
    set_env(&f.member, &prod, "C", "new").await?;
    let confirm = f.member.get(&play).await?;
    assert!(
        confirm
            .body
            .contains("its environment changed since it started"),
        "{}",
        confirm.body
    );
    let pushed = f.member.post(&play, &[]).await?;
    let history = finished_second(&f.member, &pushed).await?;
    assert_eq!(
        history.count("tr.deployment-succeeded"),
        2,
        "{}",
        history.body
    );
    assert_ne!(app.pid(&prod), pid, "restarted for its new environment");
    Ok(())
}

/// After a second press of play (`pressed`: its redirect), wait until the pipeline's history
/// shows two finished deployments.
async fn finished_second(who: &Browser, pressed: &Page) -> Res<Page> {
    let pipeline = pressed
        .location
        .as_deref()
        .and_then(|l| l.split("#pipeline-").nth(1))
        .ok_or("no anchor")?;
    for _ in 0..600 {
        let page = who.get(&format!("/pipeline/{pipeline}/history")).await?;
        if page.count("tr.deployment-succeeded, tr.deployment-failed") >= 2 {
            return Ok(page);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err("the second promotion did not finish".into())
}
