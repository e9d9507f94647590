//! Applications: create, tabs, rename, delete; what each role may do.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_member_creates_an_application_with_its_tabs() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.application(&f.member, "plant-ops", "Line 2").await?;
    let page = f
        .member
        .get(&format!("/application/{id}/instances"))
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    let crumbs: Vec<String> = page
        .html()
        .select(
            &scraper::Selector::parse("nav[aria-label=breadcrumb] li")
                .map_err(|e| e.to_string())?,
        )
        .map(|li| li.text().collect::<String>().trim().to_owned())
        .collect();
    assert_eq!(crumbs, ["Plant Ops", "Line 2", "Instances"]);
    assert_eq!(
        page.text(".tabs a[aria-current=page]").as_deref(),
        Some("Instances")
    );
    let pipelines = f
        .member
        .get(&format!("/application/{id}/pipelines"))
        .await?;
    assert_eq!(
        pipelines.text(".tabs a[aria-current=page]").as_deref(),
        Some("DevOps Pipelines")
    );
    assert_eq!(
        pipelines.text(".empty-state h2").as_deref(),
        Some("No pipelines yet")
    );
    let home = f.viewer.get("/team/plant-ops/applications").await?;
    assert!(home.body.contains("Line 2"));
    let root = f.member.get(&format!("/application/{id}")).await?;
    assert_eq!(root.location, Some(format!("/application/{id}/instances")));
    Ok(())
}

#[tokio::test]
async fn application_names_are_validated_and_unique_in_the_team() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let long = "y".repeat(101);
    for (name, message) in [
        ("", "Enter a name."),
        ("  \t ", "Enter a name."),
        (long.as_str(), "Use at most 100 characters."),
        (
            "line 1",
            "This team already has an application with this name.",
        ),
    ] {
        let page = f
            .member
            .post(
                "/team/plant-ops/applications",
                &[("name", name), ("description", "")],
            )
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert_eq!(
            page.field_error("name").as_deref(),
            Some(message),
            "{name:?}"
        );
    }
    let page = f
        .member
        .post(
            "/team/plant-ops/applications",
            &[("name", "Ok"), ("description", &"d".repeat(501))],
        )
        .await?;
    assert_eq!(
        page.field_error("description").as_deref(),
        Some("Use at most 500 characters.")
    );
    // The same name in another team is fine.
    app.team(&f.outsider, "Elsewhere", "elsewhere").await?;
    app.application(&f.outsider, "elsewhere", "Line 1").await?;
    Ok(())
}

#[tokio::test]
async fn applications_are_renamed_with_validation() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    app.application(&f.owner, "plant-ops", "Line 2").await?;
    let settings = format!("/application/{}/settings", f.app_id);
    let page = f
        .member
        .post(&settings, &[("name", "Line 2"), ("description", "")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("name").as_deref(),
        Some("This team already has an application with this name.")
    );
    let page = f
        .member
        .post(
            &settings,
            &[("name", "  Packaging  "), ("description", "Bottling line")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = f.member.get(&settings).await?;
    assert_eq!(page.text("h1").as_deref(), Some("Packaging"));
    assert_eq!(page.text("hgroup p").as_deref(), Some("Bottling line"));
    Ok(())
}

#[tokio::test]
async fn only_owners_delete_applications_after_typing_the_name() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let delete = format!("/application/{}/delete", f.app_id);
    let page = f.member.post(&delete, &[("confirm", "Line 1")]).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = f.owner.post(&delete, &[("confirm", "Line")]).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("confirm").as_deref(),
        Some("Type the application name exactly to confirm.")
    );
    let page = f.owner.post(&delete, &[("confirm", "Line 1")]).await?;
    assert_eq!(
        page.location.as_deref(),
        Some("/team/plant-ops/applications")
    );
    let gone = f
        .owner
        .get(&format!("/application/{}/instances", f.app_id))
        .await?;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn viewers_see_applications_but_change_nothing() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let home = f.viewer.get("/team/plant-ops/applications").await?;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Line 1"));
    assert_eq!(
        home.count("a[href='/team/plant-ops/applications/new']"),
        0,
        "no create button"
    );
    assert_eq!(
        f.viewer
            .get("/team/plant-ops/applications/new")
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    let page = f
        .viewer
        .post(
            "/team/plant-ops/applications",
            &[("name", "Sneaky"), ("description", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.text("[data-error-message]")
            .is_some_and(|m| m.starts_with("Viewers of Plant Ops cannot"))
    );
    let settings = format!("/application/{}/settings", f.app_id);
    let page = f.viewer.get(&settings).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("form[action$='/settings']"), 0, "no rename form");
    assert_eq!(page.count("form[action$='/delete']"), 0, "no delete form");
    assert_eq!(
        f.viewer
            .post(&settings, &[("name", "Renamed"), ("description", "")])
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    let delete = format!("/application/{}/delete", f.app_id);
    assert_eq!(
        f.viewer
            .post(&delete, &[("confirm", "Line 1")])
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.viewer.get(&settings).await?.text("h1").as_deref(),
        Some("Line 1")
    );
    Ok(())
}
