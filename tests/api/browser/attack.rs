//! The attack the instance origins exist for: a member deploys a flow whose page runs script, and
//! an administrator opens it. The script must see no platform cookie, read nothing of the
//! platform, and change nothing there; the administrator's session must still work.

use std::time::Duration;

use serde_json::{Value, json};

use super::Chrome;
use crate::helpers::*;

#[tokio::test]
async fn a_flows_page_cannot_act_as_the_administrator_who_opens_it() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&dev, "running").await?;
    app.user("mallory").await?;
    // The member deploys the page through the editor, as any member can.
    let editor = f.member.open_editor(&app, &dev).await?;
    let deployed = editor
        .client
        .post(format!("{}/editor/flows", editor.base))
        .header("Origin", &editor.base)
        .header("Node-RED-API-Version", "v2")
        .json(&json!({ "flows": flow_file("evil.json")? }))
        .send()
        .await?;
    assert_eq!(deployed.status().as_u16(), 200);
    let stranger = app.stranger_at(&dev).await?;
    for _ in 0..100 {
        if stranger.get("/evil").await?.status.as_u16() == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in(ADMIN, ADMIN_PASSWORD).await?;
    let link = format!("{}/evil?platform={}", app.origin(&dev).await?, app.address);
    chrome.client.goto(&link).await?;
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(60);
    while chrome.js("return document.title;").await? != json!("done") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page never finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let results = chrome
        .js("return document.getElementById('results').textContent;")
        .await?;
    let results: Value = serde_json::from_str(results.as_str().unwrap_or("{}"))?;

    assert_eq!(
        results["cookie"],
        json!(""),
        "no cookie of ours is readable: {results}"
    );
    assert_eq!(
        results["readPage"]["ok"],
        json!(false),
        "platform pages are unreadable"
    );
    assert_eq!(
        results["readNoCors"]["status"],
        json!(0),
        "an opaque answer at most"
    );
    assert_eq!(
        results["editorWithoutSession"]["status"],
        json!(401),
        "no editor session"
    );
    for slug in ["evil-team", "evil-form"] {
        let page = app.admin.get(&format!("/team/{slug}/applications")).await?;
        assert_eq!(
            page.status.as_u16(),
            404,
            "{slug} was not created: {results}"
        );
    }
    let members = f.owner.get("/team/plant-ops/members").await?;
    assert!(
        !members.body.contains("mallory"),
        "nobody was added: {results}"
    );

    // The platform refused both writes itself (they come from another origin).
    let log = chrome.take_log().await?.to_string();
    for path in ["/teams", "/team/plant-ops/members"] {
        let refused = format!(
            "{}{path} - Failed to load resource: the server responded with a status of 403",
            app.address
        );
        assert!(log.contains(&refused), "{path} refused: {log}");
    }

    // The administrator's own session is untouched.
    chrome.visit("/admin/users").await?;
    chrome.wait_for_text("main", "mallory").await?;
    Ok(())
}
