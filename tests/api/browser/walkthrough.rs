//! The whole walkthrough in the browser, with htmx doing the swaps: team, application,
//! instances, environment, duplicate, a pipeline Development -> QA -> Production, a flow changed
//! in Development's Node-RED editor (through redstage's proxy) and deployed there, then pushed
//! along with two clicks per stage, watched on the cards without reloading the page or polling
//! (the steps arrive on the page's event stream); last, the
//! push to Production rolled back from the history.

use serde_json::{Value, json};

use super::Chrome;
use crate::helpers::*;

mod steps;
use steps::{change_the_flow_in_the_editor, push};

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

    // QA, created plain: it has no GREETING of its own yet.
    chrome
        .click("nav[aria-label=breadcrumb] li:nth-child(2) a")
        .await?;
    chrome.fill("input[name=name]", "QA").await?;
    chrome
        .click("form[action$='/instances'] button[type=submit]")
        .await?;
    chrome.wait_for_text("h1", "QA").await?;
    let qa = instance_id(&chrome).await?;
    chrome.wait_for_text("[data-state]", "Running").await?;

    // The pipeline: Development -> QA -> Production, built with htmx swaps.
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
    for (stage, instance) in [("Development", &dev), ("QA", &qa), ("Production", &prod)] {
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

    // Development's flows: hello.json (through its admin API), then changed in its editor.
    app.deploy(&dev, "hello.json", None).await?;
    change_the_flow_in_the_editor(&chrome, &dev).await?;
    let editor_at = chrome.client.current_url().await?.to_string();
    let dev_origin = app.origin(&dev).await?;
    assert!(
        editor_at.starts_with(&format!("{dev_origin}/editor/")),
        "{editor_at}"
    );
    let hello = app.flow_json_eventually(&dev, "/hello").await?;
    assert_eq!(hello["edited"], json!("in the editor"), "{hello}");
    let shown: Value =
        serde_json::from_str(&chrome.visit_url(&format!("{dev_origin}/hello")).await?)?;
    assert_eq!(shown, hello, "the flow's endpoint on its own origin");

    // Push it along, watching the cards: Development -> QA, then QA -> Production.
    chrome
        .visit(&format!("/application/{app_id}/pipelines"))
        .await?;
    chrome.screenshot("pipelines-before-push").await?;
    chrome
        .js("window.__sameDocument = true; return true;")
        .await?;
    let plan = push(&chrome, "Development", "QA").await?;
    assert!(plan.contains("without a value"), "{plan}");
    assert!(plan.contains("GREETING"), "{plan}");
    chrome
        .wait_for_text(
            "li.stage-card[data-stage='QA'] .needs-value",
            "1 env var needs a value",
        )
        .await?;
    let hello = app.flow_json_eventually(&qa, "/hello").await?;
    assert_eq!(hello["edited"], json!("in the editor"), "{hello}");
    assert_eq!(hello["greeting"], json!(null), "QA has no value yet");
    let plan = push(&chrome, "QA", "Production").await?;
    assert!(plan.contains("No new names arrive"), "{plan}");
    assert_eq!(
        chrome.js("return window.__sameDocument === true;").await?,
        json!(true),
        "no page reload"
    );
    chrome.screenshot("pipelines-after-push").await?;

    let hello = app.flow_json_eventually(&prod, "/hello").await?;
    assert_eq!(hello["greeting"], json!("prod"), "Production's own value");
    assert_eq!(hello["edited"], json!("in the editor"), "the changed flow");
    let prod_hello = format!("{}/hello", app.origin(&prod).await?);
    let shown: Value = serde_json::from_str(&chrome.visit_url(&prod_hello).await?)?;
    assert_eq!(
        shown, hello,
        "Production's endpoint on Production's own origin"
    );
    chrome
        .visit(&format!("/application/{app_id}/pipelines"))
        .await?;

    super::rollback::roll_back_the_last_push(&chrome, &app, &prod).await
}
