//! The whole walkthrough in the browser, with htmx doing the swaps: team, application,
//! instances, environment, duplicate, pipeline, stages, the editor, and a push to Production
//! watched on the card without reloading the page.

use serde_json::json;

use super::Chrome;
use crate::helpers::*;

/// The id in a URL like `/instance/{id}/overview` or `/application/{id}/pipelines`.
async fn instance_id(chrome: &Chrome) -> Res<String> {
    let url = chrome.client.current_url().await?;
    let mut parts = url.path().split('/').skip(2);
    Ok(parts.next().ok_or("no instance id in the URL")?.to_owned())
}

#[tokio::test]
async fn the_devops_pipelines_walkthrough_in_a_real_browser() -> TestResult {
    let app = spawn_app().await;
    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in(ADMIN, ADMIN_PASSWORD).await?;

    // Team and application.
    chrome.wait_for_text("h1", "Create a team").await?;
    chrome.fill("input[name=name]", "Plant Ops").await?;
    chrome
        .click("form[action='/teams'] button[type=submit]")
        .await?;
    chrome.wait_for_text("h1", "Plant Ops").await?;
    chrome.assert_clean("team home").await?;
    chrome.click(".page-head a[role=button]").await?;
    chrome.fill("input[name=name]", "Line 1").await?;
    chrome
        .click("form[action$='/applications'] button[type=submit]")
        .await?;
    chrome
        .wait_for_text(".tabs a[aria-current=page]", "Instances")
        .await?;
    chrome.assert_clean("instances tab").await?;

    // Development, running, with GREETING=dev.
    chrome.fill("input[name=name]", "Development").await?;
    chrome
        .click("form[action$='/instances'] button[type=submit]")
        .await?;
    chrome.wait_for_text("h1", "Development").await?;
    let dev = instance_id(&chrome).await?;
    chrome.wait_for_text("[data-state]", "Running").await?;
    chrome.screenshot("instance-overview").await?;
    chrome.assert_clean("overview").await?;
    chrome.click(".tabs a[href$='/settings/general']").await?;
    chrome
        .click("aside a[href$='/settings/environment']")
        .await?;
    chrome
        .fill(
            "form[action$='/settings/environment'] input[name=key]",
            "GREETING",
        )
        .await?;
    chrome
        .fill(
            "form[action$='/settings/environment'] input[name=value]",
            "dev",
        )
        .await?;
    chrome
        .click("form[action$='/settings/environment'] button[type=submit]")
        .await?;
    chrome
        .wait_for_text(".flash-success", "GREETING added")
        .await?;
    chrome.click(".restart-banner button").await?;

    // Duplicate it as Production (keys only), then give Production its own value.
    chrome
        .visit(&format!("/instance/{dev}/settings/danger"))
        .await?;
    chrome
        .fill("form[action$='/duplicate'] input[name=name]", "Production")
        .await?;
    chrome
        .click("form[action$='/duplicate'] input[value=keys]")
        .await?;
    chrome
        .click("form[action$='/duplicate'] button[type=submit]")
        .await?;
    chrome.wait_for_text("h1", "Production").await?;
    let prod = instance_id(&chrome).await?;
    chrome.wait_for_text("[data-state]", "Running").await?;
    chrome
        .visit(&format!("/instance/{prod}/settings/environment"))
        .await?;
    chrome.wait_for(".needs-value").await?;
    chrome
        .fill("#env-form-GREETING input[name=value]", "prod")
        .await?;
    chrome
        .click("#env-form-GREETING button[type=submit]")
        .await?;
    chrome
        .wait_for_text(".flash-success", "GREETING saved")
        .await?;
    chrome.click(".restart-banner button").await?;
    chrome.wait_for_text("[data-state]", "Running").await?;

    // The pipeline: Development -> Production, built with htmx swaps.
    chrome
        .click("nav[aria-label=breadcrumb] li:nth-child(2) a")
        .await?;
    chrome.click(".tabs a[href$='/pipelines']").await?;
    chrome
        .wait_for_text(".tabs a[aria-current=page]", "DevOps Pipelines")
        .await?;
    let app_id = instance_id(&chrome).await?;
    chrome
        .fill("form.add-pipeline input[name=name]", "Release")
        .await?;
    chrome
        .click("form.add-pipeline button[type=submit]")
        .await?;
    chrome.wait_for("section.pipeline").await?;
    chrome
        .js("window.__sameDocument = true; return true;")
        .await?;
    for (stage, instance) in [("Development", &dev), ("Production", &prod)] {
        chrome
            .click("section.pipeline .pipeline-actions a[role=button]")
            .await?;
        chrome.fill(".stage-form input[name=name]", stage).await?;
        chrome
            .wait_for(".stage-form select[name=instance]")
            .await?
            .select_by_value(instance)
            .await?;
        chrome.click(".stage-form button[type=submit]").await?;
        chrome
            .wait_for(&format!("li.stage-card[data-stage='{stage}']"))
            .await?;
    }
    assert_eq!(
        chrome.js("return window.__sameDocument === true;").await?,
        json!(true),
        "stages were added without reloading"
    );
    chrome.assert_clean("pipelines page").await?;

    // Flows on Development (through its admin API), and its editor in the browser.
    app.deploy(&dev, "hello.json", None).await?;
    chrome.visit(&format!("/instance/{dev}/editor/")).await?;
    chrome.wait_for_text(".red-ui-tabs", "Hello").await?;
    chrome.screenshot("editor").await?;

    // Push to Production, and watch the card.
    chrome
        .visit(&format!("/application/{app_id}/pipelines"))
        .await?;
    chrome.screenshot("pipelines-before-push").await?;
    chrome
        .js("window.__sameDocument = true; return true;")
        .await?;
    chrome
        .click("li.stage-card[data-stage='Development'] a.play")
        .await?;
    chrome
        .wait_for_text(
            "#dialog dialog[open] #promote-title",
            "Push Development to Production?",
        )
        .await?;
    let plan = chrome
        .wait_for_text("#dialog .plan", "not restarted")
        .await?;
    assert!(plan.contains("No new names arrive"), "{plan}");
    chrome.screenshot("promote-dialog").await?;
    // Record whether the card ever shows progress (the swap that answers the press does).
    chrome
        .js("window.__sawProgress = false; new MutationObserver(() => { if (document.querySelector('.deploy-progress')) { window.__sawProgress = true; } }).observe(document.body, { subtree: true, childList: true }); return true;")
        .await?;
    chrome.click("#dialog button.play-confirm").await?;
    let card = chrome
        .wait_for_text(
            "li.stage-card[data-stage='Production'] .last-deployed",
            "by admin",
        )
        .await?;
    assert!(card.contains("just now"), "{card}");
    assert_eq!(
        chrome.count("#dialog dialog").await?,
        0,
        "the dialog closed"
    );
    assert_eq!(
        chrome.js("return window.__sawProgress;").await?,
        json!(true),
        "the card showed progress"
    );
    assert_eq!(
        chrome.js("return window.__sameDocument === true;").await?,
        json!(true),
        "no page reload"
    );
    chrome.assert_clean("after the push").await?;
    chrome.screenshot("pipelines-after-push").await?;

    let hello = app.flow_json_eventually(&prod, "/hello").await?;
    assert_eq!(hello["greeting"], json!("prod"), "Production's own value");
    assert_eq!(hello["flowVersion"], json!("1"), "the new flow");
    Ok(())
}
