//! The walkthrough's longer steps: changing the flow in the Node-RED editor, and a push watched
//! on the cards.

use super::*;

/// Open `dev`'s editor through redstage, change the "greet" function node in its edit dialog
/// (double-click, edit the code, Done) and press Deploy.
pub(super) async fn change_the_flow_in_the_editor(chrome: &Chrome, dev: &str) -> Res<()> {
    chrome.visit(&format!("/instance/{dev}/editor/")).await?;
    chrome.wait_for_text(".red-ui-tabs", "Hello").await?;
    chrome
        .double_click("g#hello_fn rect.red-ui-flow-node")
        .await?;
    chrome
        .wait_for("#node-input-func-editor .monaco-editor")
        .await?;
    // Typed as a user would: a new line before `return msg;` (Ctrl+End, up, End, Enter).
    let line = "msg.payload.edited = 'in the editor';";
    chrome
        .wait_for("#node-input-func-editor textarea")
        .await?
        .send_keys(&format!(
            "\u{E009}\u{E010}\u{E000}\u{E013}\u{E010}\u{E007}{line}"
        ))
        .await?;
    let code = chrome
        .js("return monaco.editor.getModels().map(m => m.getValue()).find(v => v.includes('flowVersion'));")
        .await?;
    assert!(code.as_str().is_some_and(|c| c.contains(line)), "{code}");
    chrome.screenshot("editor").await?;
    // A person looks at what they typed before pressing Done. Node-RED 4.1's Monaco throws
    // "TextModelPart is disposed" when the tray closes while its JavaScript worker is still
    // answering a request about the code just typed (word highlights, due ~250 ms after the last
    // key): let those timers fire, then wait for the worker to answer (it answers in order).
    chrome
        .js_async(
            "const done = arguments[arguments.length - 1];
             setTimeout(async () => {
               const code = monaco.editor.getModels().find(m => m.getValue().includes('flowVersion'));
               const worker = await (await monaco.languages.typescript.getJavaScriptWorker())(code.uri);
               await worker.getSemanticDiagnostics(code.uri.toString());
               done(true);
             }, 500);",
        )
        .await?;
    chrome.click("#node-dialog-ok").await?;
    chrome.click("#red-ui-header-button-deploy").await?;
    chrome
        .wait_for_text(".red-ui-notification", "Successfully deployed")
        .await?;
    chrome.assert_clean("editor").await
}

/// Press play on `from`'s card, check and confirm the dialog, and wait until `to`'s card says it
/// was just deployed, having shown progress; the dialog's plan.
pub(super) async fn push(chrome: &Chrome, from: &str, to: &str) -> Res<String> {
    chrome
        .click(&format!("li.stage-card[data-stage='{from}'] a.play"))
        .await?;
    chrome
        .wait_for_text(
            "#dialog dialog[open] #promote-title",
            &format!("Push {from} to {to}?"),
        )
        .await?;
    let plan = chrome
        .wait_for_text("#dialog .plan", "not restarted")
        .await?;
    if from == "Development" {
        chrome.screenshot("promote-dialog").await?;
    }
    // Record whether the card ever shows progress (the swap that answers the press does).
    chrome
        .js("window.__sawProgress = false; new MutationObserver(() => { if (document.querySelector('.deploy-progress')) { window.__sawProgress = true; } }).observe(document.body, { subtree: true, childList: true }); return true;")
        .await?;
    let requests = chrome.script_requests().await?.len();
    chrome.click("#dialog button.play-confirm").await?;
    let card = chrome
        .wait_for_text(
            &format!("li.stage-card[data-stage='{to}'] .last-deployed"),
            "by admin",
        )
        .await?;
    assert!(card.contains("just now"), "{card}");
    // The steps and the finish were pushed on the page's stream: nothing was asked for but the
    // press itself.
    let asked = chrome.script_requests_since(requests).await?;
    assert_eq!(asked.len(), 1, "no poll: {asked:?}");
    assert!(asked[0].ends_with("/promote"), "{asked:?}");
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
    chrome.assert_clean("after the push").await?;
    Ok(plan)
}
