//! The pipeline's poll: while its stages are as the page shows them, only the cards' live parts
//! come back (out of band); once someone changed the pipeline, the whole block does.

use reqwest::StatusCode;

use super::setup;
use crate::helpers::*;

#[tokio::test]
async fn the_poll_sends_only_live_parts_until_the_pipeline_changes() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    let page = f
        .viewer
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    let poll = page
        .attr(&format!("#pipeline-{p}-poll"), "hx-get")
        .ok_or("no poll")?;

    let parts = f.viewer.get_htmx(&poll).await?;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(parts.count("section.pipeline"), 0, "{}", parts.body);
    assert_eq!(parts.count(".card-live[hx-swap-oob]"), 1);
    assert_eq!(parts.count(".play-slot[hx-swap-oob]"), 1);
    assert_eq!(parts.count("form"), 0, "nothing a user fills in");
    assert_eq!(
        parts.attr(&format!("#pipeline-{p}-poll"), "hx-get"),
        Some(poll.clone()),
        "the same shape polls on"
    );

    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let block = f.viewer.get_htmx(&poll).await?;
    assert_eq!(
        block.count("section.pipeline[hx-swap-oob]"),
        1,
        "{}",
        block.body
    );
    assert_eq!(block.count("li.stage-card"), 2);
    let next = block
        .attr(&format!("#pipeline-{p}-poll"), "hx-get")
        .ok_or("no poll")?;
    assert_ne!(next, poll, "the new shape");
    assert_eq!(f.viewer.get_htmx(&next).await?.count("section.pipeline"), 0);

    // Typed into the address bar: the page, at the pipeline.
    let full = f.viewer.get(&poll).await?;
    assert_eq!(full.status, StatusCode::SEE_OTHER);
    Ok(())
}
