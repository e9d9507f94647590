//! The pipelines page's live stream (server-sent events): while a pipeline's stages are as the
//! page shows them, only the cards' live parts come (out of band); once someone changed the
//! pipeline, the whole block does. A push finishing shows on the card; a page that reconnects
//! with an older `Last-Event-ID` gets what it missed; outsiders get 404, no session the sign-in.

use redstage::db::ids::InstanceId;
use redstage::events::Subject;
use reqwest::StatusCode;

use super::setup;
use crate::helpers::sse::{EventStream, open_stream};
use crate::helpers::*;

/// The page's stream URL, as its `sse-connect` says.
async fn stream_url(browser: &Browser, app_id: &str) -> Res<String> {
    let page = browser
        .get(&format!("/application/{app_id}/pipelines"))
        .await?;
    Ok(page
        .attr("#pipelines-live", "sse-connect")
        .ok_or("no stream on the page")?
        .replace("&amp;", "&"))
}

async fn connect(browser: &Browser, url: &str, last_id: Option<u64>) -> Res<EventStream> {
    match open_stream(browser, url, last_id).await? {
        Ok(stream) => Ok(stream),
        Err(page) => Err(format!("not a stream: {} {}", page.status, page.body).into()),
    }
}

#[tokio::test]
async fn the_stream_sends_only_live_parts_until_the_pipeline_changes() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    // Their starts would be news on the stream too: only the changes made below are awaited.
    for id in &ids {
        f.member.wait_for_state(id, "running").await?;
    }
    let url = stream_url(&f.viewer, &f.app_id).await?;
    assert!(url.contains("since="), "{url}");
    let mut stream = connect(&f.viewer, &url, None).await?;

    // What the supervisor says when the instance's state changes.
    let changed = Subject::Instance(InstanceId::from(ids[0].clone()));
    let seq = app.state.events.publish(changed);
    let parts = stream.next().await?;
    assert_eq!(parts.name, "live");
    assert_eq!(parts.id, Some(seq), "the event says which change it brings");
    let parts = parts.page();
    assert_eq!(parts.count("section.pipeline"), 0, "{}", parts.body);
    assert_eq!(parts.count(".card-live[hx-swap-oob]"), 1);
    assert_eq!(parts.count(".play-slot[hx-swap-oob]"), 1);
    assert_eq!(parts.count("form"), 0, "nothing a user fills in");

    // Someone adds a stage: the whole block comes, then live parts of the new shape again.
    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let block = stream.next().await?.page();
    assert_eq!(
        block.count("section.pipeline[hx-swap-oob]"),
        1,
        "{}",
        block.body
    );
    assert_eq!(block.count("li.stage-card"), 2);
    let changed = Subject::Instance(InstanceId::from(ids[1].clone()));
    app.state.events.publish(changed);
    let parts = stream.next().await?.page();
    assert_eq!(parts.count("section.pipeline"), 0, "{}", parts.body);
    assert_eq!(parts.count(".card-live[hx-swap-oob]"), 2);

    // Typed into the address bar: the page.
    let typed = f.viewer.get(&url).await?;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        typed.location,
        Some(format!("/application/{}/pipelines", f.app_id))
    );
    Ok(())
}

#[tokio::test]
async fn a_reconnecting_page_gets_what_it_missed_and_strangers_get_nothing() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    // Its start would be news on the stream too: only the changes made below are awaited.
    f.member.wait_for_state(&ids[0], "running").await?;
    let url = stream_url(&f.viewer, &f.app_id).await?;
    let mut stream = connect(&f.viewer, &url, None).await?;
    let seen = app.state.events.pipeline(&p.clone().into());
    assert_eq!(stream.next().await?.id, Some(seen));
    drop(stream);

    // Away: the pipeline is renamed. Back with the last id seen: the change comes at once.
    let renamed = f
        .member
        .post(&format!("/pipeline/{p}/rename"), &[("name", "Train")])
        .await?;
    assert!(renamed.status.is_redirection(), "{}", renamed.body);
    let mut back = connect(&f.viewer, &url, Some(seen)).await?;
    let missed = back.next().await?;
    assert!(missed.id > Some(seen), "{:?}", missed.id);
    assert_eq!(
        missed.page().text(&format!("#pipeline-{p} h2")).as_deref(),
        Some("Train")
    );
    drop(back);

    // Back with the latest id: nothing to catch up, the next event is the next change.
    let latest = app.state.events.latest();
    let mut current = connect(&f.viewer, &url, Some(latest)).await?;
    let next = app.state.events.pipeline(&p.clone().into());
    assert!(next > latest);
    assert_eq!(current.next().await?.id, Some(next), "no catch-up first");

    // Not in the team: 404; not signed in: the sign-in form.
    let outsider = open_stream(&f.outsider, &url, None).await?;
    assert_eq!(
        outsider.err().map(|p| p.status),
        Some(StatusCode::NOT_FOUND)
    );
    let anonymous = Browser::new(&app.address);
    let refused = open_stream(&anonymous, &url, None)
        .await?
        .err()
        .ok_or("a stream")?;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(refused.location.is_some_and(|l| l.starts_with("/login")));
    Ok(())
}

#[tokio::test]
async fn a_push_finishing_shows_on_the_card_through_the_stream() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let (dev, prod, p) = app.dev_to_prod(&f).await?;
    for id in [&dev, &prod] {
        f.member.wait_for_state(id, "running").await?;
    }
    app.deploy(&dev, "hello.json", None).await?;
    let stages = f.member.stages(&f.app_id, &p).await?;
    let url = stream_url(&f.viewer, &f.app_id).await?;
    let mut stream = connect(&f.viewer, &url, None).await?;

    let pushed = f
        .member
        .post(&format!("/stage/{}/promote", stages[0].0), &[])
        .await?;
    assert!(pushed.status.is_redirection(), "{}", pushed.body);
    let card = format!("#stage-{}-live", stages[1].0);
    let under_way = stream
        .next_where(|e| e.page().count(&format!("{card} .deploy-progress")) == 1)
        .await?;
    let done = stream
        .next_where(|e| {
            let page = e.page();
            page.count(&card) == 1 && page.count(&format!("{card} .deploy-progress")) == 0
        })
        .await?;
    assert!(done.id > under_way.id);
    let done = done.page();
    assert!(
        done.text(&format!("{card} .last-deployed")).is_some(),
        "the card says when it was deployed: {}",
        done.body
    );
    assert_eq!(
        done.count(&format!("{card} .deploy-failed")),
        0,
        "{}",
        done.body
    );
    Ok(())
}
