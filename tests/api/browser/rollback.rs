//! The walkthrough's last step: rolling Production's push back from the pipeline's history, with
//! the confirmation htmx asks for, and watching the cards say Production no longer has QA's flows.

use std::time::Duration;

use super::Chrome;
use super::chrome::patience;
use crate::helpers::*;

/// Roll back the newest push (QA -> Production) from the history of the pipeline on `pipelines`.
pub async fn roll_back_the_last_push(chrome: &Chrome, app: &TestApp, prod: &str) -> Res<()> {
    chrome.click("section.pipeline a[href$='/history']").await?;
    chrome
        .wait_for_text("tr.deployment-succeeded", "QA → Production")
        .await?;
    chrome.assert_clean("history").await?;
    // Newest first: the first form rolls back QA -> Production.
    chrome
        .click("tr.deployment-succeeded form.rollback button")
        .await?;
    let question = chrome.alert_text().await?;
    assert!(
        question.starts_with("Put Production back as it was before this push?"),
        "{question}"
    );
    chrome.client.accept_alert().await?;
    chrome
        .wait_for_text(
            "li.stage-card[data-stage='QA'] .unpushed",
            "Not pushed to Production yet",
        )
        .await?;
    chrome.assert_clean("after the rollback").await?;
    // Production ran no flows before that push: /hello is gone again.
    let deadline = tokio::time::Instant::now() + patience();
    while app.flow_get(prod, "/hello").await?.status() != reqwest::StatusCode::NOT_FOUND {
        if tokio::time::Instant::now() > deadline {
            return Err("Production still serves /hello after the rollback".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
