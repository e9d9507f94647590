//! Instance labels: each instance's origin is `{label}.localhost`, its label taken from its name
//! and unique; owners and members can change it, and the old origin sends visitors on for a while.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn labels_come_from_names_are_unique_and_show_on_the_pages() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let first = app.instance(&f.member, &f.app_id, "Line 1 / Dev").await?;
    let other_app = app.application(&f.owner, "plant-ops", "Line 2").await?;
    let second = app.instance(&f.member, &other_app, "Line 1 / Dev").await?;
    assert_eq!(app.label(&first).await?, "line-1-dev");
    assert_eq!(app.label(&second).await?, "line-1-dev-2");

    let origin = app.origin(&first).await?;
    let overview = f.viewer.get(&format!("/instance/{first}/overview")).await?;
    assert_eq!(
        overview.text(".instance-url").as_deref(),
        Some(origin.as_str())
    );
    let list = f
        .viewer
        .get(&format!("/application/{}/instances", f.app_id))
        .await?;
    assert_eq!(list.text(".instance-url").as_deref(), Some(origin.as_str()));
    Ok(())
}

#[tokio::test]
async fn a_new_label_moves_the_origin_and_the_old_one_redirects() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let qa = app.instance(&f.member, &f.app_id, "QA").await?;
    f.member.wait_for_state(&dev, "running").await?;
    app.deploy(&dev, "hello.json", None).await?;
    app.flow_json_eventually(&dev, "/hello").await?;
    let old = app.origin(&dev).await?;
    let general = format!("/instance/{dev}/settings/general");

    for (label, error) in [
        ("Not OK!", "Use lowercase"),
        ("qa", "Another instance"),
        ("www", "reserved"),
    ] {
        let page = f
            .member
            .post(&general, &[("name", "Development"), ("label", label)])
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(
            page.field_error("label").is_some_and(|e| e.contains(error)),
            "{label}: {:?}",
            page.field_error("label")
        );
    }
    let viewer = f
        .viewer
        .post(&general, &[("name", "Development"), ("label", "dev")])
        .await?;
    assert_eq!(
        viewer.status,
        StatusCode::FORBIDDEN,
        "viewers change nothing"
    );

    let saved = f
        .member
        .post(&general, &[("name", "Development"), ("label", "Dev")])
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let new = app.origin(&dev).await?;
    assert_eq!(new, old.replace("development.", "dev."));
    let moved = Browser::at_origin(&old, app.socket())
        .get("/hello?x=1")
        .await?;
    assert_eq!(moved.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(moved.location, Some(format!("{new}/hello?x=1")));
    let hello = Browser::at_origin(&new, app.socket()).get("/hello").await?;
    assert_eq!(hello.status, StatusCode::OK, "{}", hello.body);

    // Nobody else can take the old label while it redirects; the instance itself can go back.
    let taken = f
        .member
        .post(
            &format!("/instance/{qa}/settings/general"),
            &[("name", "QA"), ("label", "development")],
        )
        .await?;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let back = f
        .member
        .post(
            &general,
            &[("name", "Development"), ("label", "development")],
        )
        .await?;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(app.origin(&dev).await?, old);
    Ok(())
}
