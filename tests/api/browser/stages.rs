//! In the browser: insert, move and remove stages with the buttons, a refused promotion shows its reason
//! on the card (pushed on the page's stream, not polled), and a viewer sees no play button.

use serde_json::json;

use super::Chrome;
use crate::helpers::*;

async fn order(chrome: &Chrome) -> Res<Vec<String>> {
    let names = chrome
        .js("return [...document.querySelectorAll('li.stage-card')].map(c => c.dataset.stage);")
        .await?;
    Ok(serde_json::from_value(names)?)
}

/// Wait until the cards show `expected` (an htmx swap is under way).
async fn wait_for_order(chrome: &Chrome, expected: &[&str]) -> Res<()> {
    let deadline = tokio::time::Instant::now() + super::chrome::patience();
    loop {
        let shown = order(chrome).await?;
        if shown == expected {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("stages show {shown:?}, not {expected:?}").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn stages_are_inserted_and_moved_with_the_buttons_and_a_refusal_shows_on_the_card()
-> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let qa = app.instance(&f.member, &f.app_id, "QA").await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    let p = app.pipeline(&f.member, &f.app_id, "Release").await?;
    app.stage(&f.member, &p, "Development", &dev, None).await?;
    app.stage(&f.member, &p, "Production", &prod, None).await?;
    for id in [&dev, &qa, &prod] {
        f.member.wait_for_state(id, "running").await?;
    }

    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in("mark", PASSWORD).await?;
    chrome
        .visit(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    chrome
        .js("window.__sameDocument = true; return true;")
        .await?;

    assert_eq!(
        order(&chrome).await?,
        ["Development", "Production"],
        "{:?}",
        chrome.client.current_url().await?
    );
    // Insert QA before Production from the card's menu.
    chrome
        .click("li.stage-card[data-stage='Production'] .stage-menu summary")
        .await?;
    chrome
        .click("li.stage-card[data-stage='Production'] .stage-menu a[href*='before=']")
        .await?;
    chrome.fill(".stage-form input[name=name]", "QA").await?;
    chrome
        .wait_for(".stage-form select[name=instance]")
        .await?
        .select_by_value(&qa)
        .await?;
    chrome.click(".stage-form button[type=submit]").await?;
    chrome.wait_for("li.stage-card[data-stage='QA']").await?;
    assert_eq!(order(&chrome).await?, ["Development", "QA", "Production"]);

    // Move Development one place right.
    chrome
        .click(
            "li.stage-card[data-stage='Development'] button[aria-label='Move Development right']",
        )
        .await?;
    wait_for_order(&chrome, &["QA", "Development", "Production"]).await?;
    // Remove QA from its menu: the browser asks first, naming the stage.
    let qa_card = "li.stage-card[data-stage='QA']";
    chrome
        .click(&format!("{qa_card} .stage-menu summary"))
        .await?;
    chrome
        .click(&format!(
            "{qa_card} .stage-menu form[action$='/delete'] button"
        ))
        .await?;
    let question = chrome.alert_text().await?;
    assert_eq!(
        question,
        "Remove the stage QA? Its instance is not touched."
    );
    chrome.client.accept_alert().await?;
    wait_for_order(&chrome, &["Development", "Production"]).await?;
    assert_eq!(
        chrome.js("return window.__sameDocument === true;").await?,
        json!(true),
        "no page reload"
    );
    chrome.assert_clean("after the stage edits").await?;

    // A refused promotion: Production is stopped.
    f.member
        .post(&format!("/instance/{prod}/stop"), &[])
        .await?;
    chrome
        .click("li.stage-card[data-stage='Development'] a.play")
        .await?;
    chrome.wait_for_text("#dialog .plan", "Production").await?;
    let requests = chrome.script_requests().await?.len();
    chrome.click("#dialog button.play-confirm").await?;
    let result = chrome
        .wait_for_text(
            "li.stage-card[data-stage='Production'] .deploy-failed",
            "stopped",
        )
        .await?;
    assert!(result.contains("Production is stopped"), "{result}");
    // The refusal was pushed on the page's stream: the press was the only request.
    let asked = chrome.script_requests_since(requests).await?;
    assert_eq!(asked.len(), 1, "no poll: {asked:?}");
    chrome.assert_clean("after the refusal").await?;
    chrome.screenshot("pipelines-refused").await?;
    Ok(())
}

#[tokio::test]
async fn a_viewer_sees_the_pipeline_but_no_play_button() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    let p = app.pipeline(&f.member, &f.app_id, "Release").await?;
    app.stage(&f.member, &p, "Development", &dev, None).await?;
    app.stage(&f.member, &p, "Production", &prod, None).await?;

    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in("vera", PASSWORD).await?;
    chrome
        .visit(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert_eq!(order(&chrome).await?, ["Development", "Production"]);
    assert_eq!(chrome.count(".play").await?, 0, "no play button");
    assert_eq!(chrome.count(".stage-tools").await?, 0, "no stage tools");
    assert_eq!(
        chrome.count("form.add-pipeline").await?,
        0,
        "no add pipeline"
    );
    Ok(())
}
