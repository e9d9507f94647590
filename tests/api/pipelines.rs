//! DevOps Pipelines: adding pipelines and stages, the instance picker, htmx fragments that are
//! also full pages; `property`: stage order through any sequence of edits; `rename`: renaming and
//! deleting pipelines; `access`: who may do what, and the page's paging and query count.

use reqwest::StatusCode;

use crate::helpers::*;

mod access;
mod live;
mod property;
mod rename;

/// A team, an application with `names` instances (not waited for), and a pipeline.
async fn setup(app: &TestApp, names: &[&str]) -> Res<(Fixture, Vec<String>, String)> {
    let f = fixture(app).await?;
    let mut ids = Vec::new();
    for name in names {
        ids.push(app.instance(&f.member, &f.app_id, name).await?);
    }
    let pipeline = app.pipeline(&f.member, &f.app_id, "Release").await?;
    Ok((f, ids, pipeline))
}

fn names(stages: &[ShownStage]) -> Vec<&str> {
    stages.iter().map(|(_, n)| n.as_str()).collect()
}

#[tokio::test]
async fn stages_are_appended_inserted_moved_edited_and_removed_in_order() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "QA", "Staging", "Production"]).await?;
    let m = &f.member;
    app.stage(m, &p, "Development", &ids[0], None).await?;
    app.stage(m, &p, "Production", &ids[3], None).await?;
    let shown = m.stages(&f.app_id, &p).await?;
    assert_eq!(names(&shown), ["Development", "Production"]);
    app.stage(m, &p, "QA", &ids[1], Some(("before", &shown[1].0)))
        .await?;
    let shown = m.stages(&f.app_id, &p).await?;
    app.stage(m, &p, "Staging", &ids[2], Some(("after", &shown[1].0)))
        .await?;
    let shown = m.stages(&f.app_id, &p).await?;
    assert_eq!(
        names(&shown),
        ["Development", "QA", "Staging", "Production"]
    );

    m.post(
        &format!("/stage/{}/move", shown[2].0),
        &[("direction", "left")],
    )
    .await?;
    assert_eq!(
        names(&m.stages(&f.app_id, &p).await?),
        ["Development", "Staging", "QA", "Production"]
    );
    m.post(
        &format!("/stage/{}/move", shown[0].0),
        &[("direction", "left")],
    )
    .await?;
    assert_eq!(
        names(&m.stages(&f.app_id, &p).await?),
        ["Development", "Staging", "QA", "Production"],
        "the first stays first"
    );
    m.post(&format!("/stage/{}/delete", shown[2].0), &[])
        .await?;
    assert_eq!(
        names(&m.stages(&f.app_id, &p).await?),
        ["Development", "QA", "Production"]
    );

    let page = m
        .post(
            &format!("/stage/{}/edit", shown[1].0),
            &[("name", "Quality"), ("instance", &ids[2])],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let cards = m
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert!(
        cards
            .text(&format!("#stage-{} .stage-instance a", shown[1].0))
            .is_some_and(|t| t == "Staging"),
        "rebound"
    );
    assert_eq!(
        names(&m.stages(&f.app_id, &p).await?),
        ["Development", "Quality", "Production"]
    );
    let push = cards
        .text(&format!("#stage-{} .play", shown[0].0))
        .ok_or("no play button")?;
    assert_eq!(push, "▶ Push to Quality");
    assert_eq!(
        cards.count(&format!("#stage-{} .play", shown[3].0)),
        0,
        "the last stage pushes nowhere"
    );
    Ok(())
}

#[tokio::test]
async fn the_instance_picker_offers_only_unused_instances_of_this_application() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.team(&f.outsider, "Other", "other").await?;
    let other_app = app.application(&f.outsider, "other", "Elsewhere").await?;
    let foreign = app.instance(&f.outsider, &other_app, "Theirs").await?;

    let form = f.member.get(&format!("/pipeline/{p}/stages/new")).await?;
    assert_eq!(
        form.count("select[name=instance] option[value]:not([value=''])"),
        2
    );
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    let form = f.member.get(&format!("/pipeline/{p}/stages/new")).await?;
    assert_eq!(
        form.count("select[name=instance] option[value]:not([value=''])"),
        1,
        "Development is taken"
    );

    for (instance, why) in [
        (ids[0].as_str(), "already in the pipeline"),
        (foreign.as_str(), "another team's instance"),
        ("", "none chosen"),
    ] {
        let page = f
            .member
            .post(
                &format!("/pipeline/{p}/stages"),
                &[("name", "Again"), ("instance", instance)],
            )
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(page.field_error("instance").is_some(), "{why}");
    }
    let page = f
        .member
        .post(
            &format!("/pipeline/{p}/stages"),
            &[("name", " "), ("instance", &ids[1])],
        )
        .await?;
    assert_eq!(page.field_error("name").as_deref(), Some("Enter a name."));

    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let form = f.member.get(&format!("/pipeline/{p}/stages/new")).await?;
    assert!(
        form.body.contains("already a stage of this pipeline"),
        "explains why nothing is offered"
    );
    assert_eq!(
        form.count(".stage-form a[href$='/instances']"),
        1,
        "with a link to create one"
    );
    Ok(())
}

#[tokio::test]
async fn stage_edits_answer_htmx_with_the_pipeline_block_and_every_url_is_a_page() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let shown = f.member.stages(&f.app_id, &p).await?;
    let token = f.member.csrf().await?;
    let url = format!("{}/stage/{}/move", app.address, shown[1].0);
    let fragment = f
        .member
        .client
        .post(&url)
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[("direction", "left")])
        .send()
        .await?;
    assert_eq!(fragment.status(), StatusCode::OK);
    let body = fragment.text().await?;
    assert!(
        body.trim_start()
            .starts_with(&format!("<section id=\"pipeline-{p}\"")),
        "the block alone: {body}"
    );
    assert!(!body.contains("<html"));

    let form = f
        .member
        .get_htmx(&format!("/pipeline/{p}/stages/new"))
        .await?;
    assert!(
        form.body
            .trim_start()
            .starts_with("<article class=\"stage-form\""),
        "the form alone"
    );
    let page = f.member.get(&format!("/pipeline/{p}/stages/new")).await?;
    assert!(
        page.body.contains("<html") && page.body.contains("Add a stage to Release"),
        "a full page without htmx"
    );
    let page = f.member.get(&format!("/stage/{}/edit", shown[0].0)).await?;
    assert!(page.body.contains("<html") && page.body.contains("Edit stage"));
    let menu = format!("/stage/{}/menu", shown[0].0);
    let entries = f.member.get_htmx(&menu).await?;
    assert!(
        entries
            .body
            .trim_start()
            .starts_with("<ul class=\"stage-actions\""),
        "a card's menu entries alone: {}",
        entries.body
    );
    assert!(entries.body.contains("hx-post=\"/stage/") && entries.body.contains("Remove stage"));
    let page = f.member.get(&menu).await?;
    assert!(
        page.body.contains("<html")
            && page.body.contains("Insert stage before")
            && !page.body.contains("hx-post=\"/stage/"),
        "a page of plain links and forms without htmx"
    );
    let page = f.member.get(&format!("/pipeline/{p}")).await?;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "the polled block is a page when opened directly"
    );
    let page = f.member.get(&format!("/pipeline/{p}/history")).await?;
    assert!(
        page.body.contains("stage.added") && page.body.contains("stage.moved"),
        "edits are audited"
    );

    // Form errors come back in place.
    let add = format!("{}/pipeline/{p}/stages", app.address);
    let invalid = f
        .member
        .client
        .post(&add)
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[("name", ""), ("instance", "")])
        .send()
        .await?;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invalid
            .headers()
            .get("hx-retarget")
            .and_then(|v| v.to_str().ok()),
        Some(format!("#pipeline-{p}-slot").as_str())
    );
    let rename = format!("{}/pipeline/{p}/rename", app.address);
    let invalid = f
        .member
        .client
        .post(&rename)
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[("name", "  ")])
        .send()
        .await?;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.text().await?.contains("Enter a name."));
    Ok(())
}
