//! Play through the web routes: the confirmation says what will travel, the press starts the
//! promotion and the card and history show its result, and who may press it.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

mod access;

/// Development (A, B) and Production (A) running, in a pipeline Development -> Production.
async fn line(app: &TestApp) -> Res<(Fixture, String, String, Vec<ShownStage>)> {
    let f = fixture(app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    for (id, keys) in [(&dev, &["A", "B"][..]), (&prod, &["A"][..])] {
        for key in keys {
            f.member
                .post(
                    &format!("/instance/{id}/settings/environment"),
                    &[("key", key), ("value", "v")],
                )
                .await?;
        }
    }
    let p = app.pipeline(&f.member, &f.app_id, "Release").await?;
    app.stage(&f.member, &p, "Development", &dev, None).await?;
    app.stage(&f.member, &p, "Production", &prod, None).await?;
    for id in [&dev, &prod] {
        let old = app.pid(id);
        f.member
            .post(&format!("/instance/{id}/restart"), &[])
            .await?;
        app.wait_for_new_process(&f.member, id, old).await?;
    }
    app.deploy(&dev, "hello.json", None).await?;
    let stages = f.member.stages(&f.app_id, &p).await?;
    Ok((f, dev, prod, stages))
}

/// After play was pressed (`pressed`: its redirect to the pipeline's anchor), wait until the
/// pipeline's history shows a finished deployment; the history page.
async fn finished_after(who: &Browser, pressed: &Page) -> Res<Page> {
    let pipeline = pressed
        .location
        .as_deref()
        .and_then(|l| l.split("#pipeline-").nth(1))
        .ok_or("no anchor")?;
    finished(who, &format!("/pipeline/{pipeline}/history")).await
}

/// Wait until the pipeline's history shows a finished deployment; the history page.
async fn finished(who: &Browser, pipeline_of: &str) -> Res<Page> {
    for _ in 0..300 {
        let page = who.get(pipeline_of).await?;
        if page.count("tr.deployment-succeeded, tr.deployment-failed") > 0 {
            return Ok(page);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the promotion did not finish".into())
}

#[tokio::test]
async fn the_confirmation_says_what_travels_and_the_history_shows_the_result() -> TestResult {
    let app = spawn_app().await;
    let (f, _dev, prod, stages) = line(&app).await?;
    let confirm = f
        .member
        .get(&format!("/stage/{}/promote", stages[0].0))
        .await?;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(
        confirm.text("#promote-title").as_deref(),
        Some("Push Development to Production?")
    );
    assert_eq!(
        confirm.text(".keys").as_deref(),
        Some("B"),
        "B arrives without a value"
    );
    assert!(confirm.body.contains("it is not restarted"));
    let dialog = f
        .member
        .get_htmx(&format!("/stage/{}/promote", stages[0].0))
        .await?;
    assert!(
        dialog.body.trim_start().starts_with("<dialog open"),
        "a dialog for htmx"
    );

    let page = f
        .member
        .post(&format!("/stage/{}/promote", stages[0].0), &[])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let history = finished_after(&f.member, &page).await?;
    assert_eq!(
        history.count("tr.deployment-succeeded"),
        1,
        "{}",
        history.body
    );
    let row = history.text("tr.deployment-succeeded").ok_or("no row")?;
    assert!(
        row.contains("mark") && row.contains("Development → Production") && row.contains(" s"),
        "{row}"
    );
    assert!(
        row.contains("New env vars without a value on Production: B"),
        "{row}"
    );
    assert!(history.body.contains("promotion.succeeded"), "audited");

    let cards = f
        .member
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    let card = cards
        .text(&format!("#stage-{}", stages[1].0))
        .ok_or("no card")?;
    assert!(card.contains("Last deployed: just now by mark"), "{card}");
    assert!(
        card.contains("New env vars need a value on Production: B"),
        "{card}"
    );
    assert!(card.contains("1 env var needs a value"), "{card}");
    let hello = app.flow_json_eventually(&prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], serde_json::json!("1"));
    let overview = f.member.get(&format!("/instance/{prod}/overview")).await?;
    assert!(
        overview.body.contains("by mark, from Development"),
        "the overview says so too"
    );
    Ok(())
}

#[tokio::test]
async fn a_second_press_onto_a_busy_target_gets_409() -> TestResult {
    let app = spawn_app().await;
    let (f, _dev, _prod, stages) = line(&app).await?;
    let url = format!("/stage/{}/promote", stages[0].0);
    let (first, second) = tokio::join!(f.member.post(&url, &[]), f.owner.post(&url, &[]));
    let mut statuses = [first?.status, second?.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    Ok(())
}

#[tokio::test]
async fn a_card_says_when_its_flows_changed_and_whether_the_next_stage_has_them() -> TestResult {
    let app = spawn_app().await;
    let (f, dev, prod, stages) = line(&app).await?;
    let page = format!("/application/{}/pipelines", f.app_id);
    let card = |cards: &Page, index: usize| cards.text(&format!("#stage-{}", stages[index].0));
    let hint = |cards: &Page| cards.text(&format!("#stage-{} .unpushed", stages[0].0));

    let cards = f.member.get(&page).await?;
    let dev_card = card(&cards, 0).ok_or("no card")?;
    assert!(dev_card.contains("Flows changed: just now"), "{dev_card}");
    let overview = |id: &str| format!("/instance/{id}/overview");
    let dev_page = f.member.get(&overview(&dev)).await?;
    assert_eq!(dev_page.text(".flows-changed").as_deref(), Some("just now"));
    let prod_page = f.member.get(&overview(&prod)).await?;
    assert_eq!(
        prod_page.text(".flows-changed").as_deref(),
        Some("No flows yet")
    );
    assert_eq!(
        hint(&cards).as_deref(),
        Some("Not pushed to Production yet")
    );

    let pressed = f
        .member
        .post(&format!("/stage/{}/promote", stages[0].0), &[])
        .await?;
    finished_after(&f.member, &pressed).await?;
    let cards = f.member.get(&page).await?;
    assert_eq!(hint(&cards), None, "Production has Development's flows");
    let prod_card = card(&cards, 1).ok_or("no card")?;
    assert!(prod_card.contains("Flows changed: just now"), "{prod_card}");

    // A restart changes no flows.
    let old = app.pid(&dev);
    f.member
        .post(&format!("/instance/{dev}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &dev, old).await?;
    app.flow_json_eventually(&dev, "/hello").await?;
    let cards = f.member.get(&page).await?;
    assert_eq!(hint(&cards), None, "still the flows Production has");

    // A deploy on Development (from its editor, say) after the push.
    app.deploy(&dev, "hello.json", None).await?;
    let cards = f.member.get(&page).await?;
    assert_eq!(
        hint(&cards).as_deref(),
        Some("Changed since the last push to Production")
    );
    Ok(())
}

#[tokio::test]
async fn the_confirmation_counts_what_changes_and_warns_of_nodes_only_the_target_has() -> TestResult
{
    let app = spawn_app().await;
    let (f, dev, prod, stages) = line(&app).await?;
    let confirm_url = format!("/stage/{}/promote", stages[0].0);

    let confirm = f.member.get(&confirm_url).await?;
    let change = confirm.text(".flows-change").ok_or("no flows line")?;
    assert!(change.contains("4 added, 0 changed, 0 removed"), "{change}");
    assert_eq!(confirm.count(".removed-nodes"), 0);

    let pressed = f.member.post(&confirm_url, &[]).await?;
    let history = finished_after(&f.member, &pressed).await?;
    assert!(
        history
            .body
            .contains("Flows on Production: 4 added, 0 changed, 0 removed."),
        "the audit trail says what changed"
    );
    let confirm = f.member.get(&confirm_url).await?;
    let change = confirm.text(".flows-change").ok_or("no flows line")?;
    assert!(
        change.contains("Production already runs these flows"),
        "{change}"
    );

    // A new version on Development, and a fix made on Production directly.
    let client = |id: &str| app.client(id);
    let mut dev_flows = flow_file("hello.json")?;
    dev_flows[0]["env"][0]["value"] = serde_json::json!("2");
    let nodes = dev_flows.as_array().ok_or("not an array")?;
    client(&dev)?.deploy(nodes, None).await?;
    let mut prod_flows = flow_file("hello.json")?;
    prod_flows.as_array_mut().ok_or("not an array")?.push(
        serde_json::json!({"id": "hotfix", "type": "function", "z": "hello_tab",
            "name": "hotfix", "func": "return msg;", "outputs": 1, "wires": [[]]}),
    );
    let nodes = prod_flows.as_array().ok_or("not an array")?;
    client(&prod)?.deploy(nodes, None).await?;

    let confirm = f.member.get(&confirm_url).await?;
    let change = confirm.text(".flows-change").ok_or("no flows line")?;
    assert!(change.contains("0 added, 1 changed, 1 removed"), "{change}");
    let warning = confirm.text(".removed-nodes").ok_or("no warning")?;
    assert!(
        warning.contains("Production has 1 node that Development does not")
            && warning.contains("\"hotfix\" (function)"),
        "{warning}"
    );
    Ok(())
}
