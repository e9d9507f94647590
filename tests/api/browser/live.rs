//! Live updates never destroy what the user is doing: while a promotion runs (its steps, and any
//! change to its cards, are pushed to the page on its event stream; the page itself asks for
//! nothing), the rename box keeps its typed text, focus and caret, and an open stage menu stays
//! open, yet the cards' live parts are replaced; a rename then shows while the cards keep updating.

use std::time::Duration;

use fantoccini::key::Key;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;

use super::Chrome;
use crate::helpers::*;

/// How long the user works in the pipeline while it updates itself.
const WORKING: Duration = Duration::from_secs(25);

/// Mark the cards' live parts, so that a check can tell whether a push replaced them since.
const MARK_LIVE: &str =
    "document.querySelectorAll('.card-live').forEach(e => { e.dataset.old = '1'; }); return true;";
const LIVE_REPLACED: &str = "return document.querySelectorAll('.card-live[data-old]').length === 0 \
     && document.querySelectorAll('.card-live').length > 0;";

/// Count the messages the page's stream brings from now on that carry the new name.
const COUNT_PUSHES: &str = "window.__pushes = 0; document.body.addEventListener('htmx:sseMessage', \
     e => { if (String(e.detail && e.detail.data).includes('Theirs')) { window.__pushes += 1; } }); \
     return true;";
/// Whether the stream brought the renamed block since.
const PUSHED: &str = "return window.__pushes > 0;";

/// What the user has in hand: the rename field's text, whether it has focus, the caret, and
/// whether Production's menu is open.
const IN_HAND: &str = "const input = document.querySelector('details.rename input[name=name]'); \
     const menu = document.querySelector(\"li.stage-card[data-stage='Production'] details.stage-menu\"); \
     return [input.value, document.activeElement === input, input.selectionStart, \
             input.selectionEnd, menu.open];";

#[tokio::test]
async fn typing_and_open_menus_survive_live_updates_during_a_promotion() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let (dev, prod, p) = app.dev_to_prod(&f).await?;
    for id in [&dev, &prod] {
        f.member.wait_for_state(id, "running").await?;
    }
    app.deploy(&dev, "hello.json", None).await?;

    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in("mark", PASSWORD).await?;
    chrome
        .visit(&format!("/application/{}/pipelines", f.app_id))
        .await?;

    // A promotion that stays under way: its source does not answer until it is woken again.
    let source = Pid::from_raw(i32::try_from(app.pid(&dev).ok_or("no pid")?)?);
    kill(source, Signal::SIGSTOP)?;
    let stages = f.member.stages(&f.app_id, &p).await?;
    let pushed = f
        .owner
        .post(&format!("/stage/{}/promote", stages[0].0), &[])
        .await?;
    assert!(pushed.status.is_redirection(), "{}", pushed.body);
    let production = "li.stage-card[data-stage='Production']";
    chrome
        .wait_for(&format!("{production} .deploy-progress"))
        .await?;

    // Open the rename box and Production's menu; type a name and move the caret into it.
    chrome.click("details.rename summary").await?;
    chrome
        .click(&format!("{production} .stage-menu summary"))
        .await?;
    // Its entries load as it opens; from then on the page asks for nothing.
    chrome
        .wait_for(&format!("{production} .stage-menu .stage-actions"))
        .await?;
    chrome
        .fill("details.rename input[name=name]", "Release train")
        .await?;
    let field = chrome.wait_for("details.rename input[name=name]").await?;
    field
        .send_keys(&format!(
            "{}{}",
            char::from(Key::Left),
            char::from(Key::Left)
        ))
        .await?;
    let before = chrome.js(IN_HAND).await?;
    assert_eq!(before, json!(["Release train", true, 11, 11, true]));
    chrome.js(MARK_LIVE).await?;
    let requests = chrome.script_requests().await?.len();

    // Meanwhile someone gives Development a variable without a value: its card says so.
    let added = f
        .owner
        .post(
            &format!("/instance/{dev}/settings/environment"),
            &[("key", "LATER"), ("value", "")],
        )
        .await?;
    assert!(added.status.is_redirection(), "{}", added.body);
    chrome
        .wait_for_text(
            "li.stage-card[data-stage='Development'] .needs-value",
            "1 env var needs a value",
        )
        .await?;
    tokio::time::sleep(WORKING).await;
    assert_eq!(
        chrome.js(IN_HAND).await?,
        before,
        "what the user had in hand is untouched"
    );
    assert_eq!(
        chrome.js(LIVE_REPLACED).await?,
        json!(true),
        "the cards' live parts were updated meanwhile"
    );
    assert_eq!(
        chrome.script_requests_since(requests).await?,
        Vec::<String>::new(),
        "the page asked for nothing: the updates were pushed"
    );
    assert_eq!(
        chrome
            .count(&format!("{production} .deploy-progress"))
            .await?,
        1
    );

    // The source answers again and the push ends; the rename shows, and the card follows.
    let _ = kill(source, Signal::SIGCONT);
    field.send_keys(&char::from(Key::Enter).to_string()).await?;
    chrome
        .wait_for_text(&format!("#pipeline-{p} h2"), "Release train")
        .await?;
    let finished = format!(
        "return !document.querySelector(\"{production} .deploy-progress\") && \
         !!document.querySelector(\"{production} .last-deployed, {production} .deploy-result\");"
    );
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(120);
    while chrome.js(&finished).await? != json!(true) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the card never showed the end of the push"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    chrome.assert_clean("the pipelines page").await?;
    Ok(())
}

#[tokio::test]
async fn someone_elses_edit_shows_once_the_user_leaves_the_pipeline() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let p = app.pipeline(&f.member, &f.app_id, "Release").await?;
    app.stage(&f.member, &p, "Development", &dev, None).await?;
    let chrome = Chrome::start(&app.address).await?;
    chrome.sign_in("mark", PASSWORD).await?;
    chrome
        .visit(&format!("/application/{}/pipelines", f.app_id))
        .await?;

    // The user opens the rename box and starts typing; meanwhile an owner renames the pipeline.
    chrome.js(COUNT_PUSHES).await?;
    let requests = chrome.script_requests().await?.len();
    chrome.click("details.rename summary").await?;
    chrome
        .fill("details.rename input[name=name]", "Mine")
        .await?;
    let renamed = f
        .owner
        .post(&format!("/pipeline/{p}/rename"), &[("name", "Theirs")])
        .await?;
    assert!(renamed.status.is_redirection(), "{}", renamed.body);
    // The stream brings the change at once; it waits while the user is inside.
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(25);
    while chrome.js(PUSHED).await? != json!(true) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rename was never pushed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let typed = "return document.querySelector('details.rename input[name=name]').value;";
    assert_eq!(chrome.js(typed).await?, json!("Mine"), "not wiped");
    assert_eq!(chrome.count("#pipelines-live[sse-connect]").await?, 1);

    // The user gives up (closes the box, leaves the field): the waiting edit shows then.
    chrome
        .js("document.activeElement.blur(); document.querySelector('details.rename').open = false; return true;")
        .await?;
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(25);
    let heading = "return document.querySelector('details.rename h2').innerText;";
    while chrome.js(heading).await? != json!("Theirs") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the rename never showed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        chrome.script_requests_since(requests).await?,
        Vec::<String>::new(),
        "pushed, not polled"
    );
    chrome.assert_clean("the pipelines page").await?;
    Ok(())
}
