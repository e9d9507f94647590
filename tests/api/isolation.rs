//! Team isolation: to a non-member, nothing of a team exists — 404 on every page and action,
//! whatever URL or id they try, exactly like ids that never existed.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn outsiders_get_404_on_every_team_url() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    app.team(&f.outsider, "Otto's team", "ottos").await?;
    let app_id = f.app_id.as_str();
    let members = f.owner.get("/team/plant-ops/members").await?;
    let vera_role = members
        .form_action_in_row("vera", "/role")
        .ok_or("no form")?;
    let vera_remove = members
        .form_action_in_row("vera", "/remove")
        .ok_or("no form")?;

    let gets = [
        "/team/plant-ops".to_owned(),
        "/team/plant-ops/applications".to_owned(),
        "/team/plant-ops/applications/new".to_owned(),
        "/team/plant-ops/members".to_owned(),
        format!("/application/{app_id}/instances"),
        format!("/application/{app_id}/pipelines"),
        format!("/application/{app_id}/settings"),
    ];
    for path in &gets[1..] {
        let page = f.outsider.get(path).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
        assert!(
            !page.body.contains("Plant Ops") && !page.body.contains("Line 1"),
            "GET {path} leaks names"
        );
    }
    let posts: [(String, Vec<(&str, &str)>); 6] = [
        (
            "/team/plant-ops/applications".into(),
            vec![("name", "X"), ("description", "")],
        ),
        (
            "/team/plant-ops/members".into(),
            vec![("username", "otto"), ("role", "owner")],
        ),
        (vera_role, vec![("role", "owner")]),
        (vera_remove, vec![]),
        (
            format!("/application/{app_id}/settings"),
            vec![("name", "Taken over"), ("description", "")],
        ),
        (
            format!("/application/{app_id}/delete"),
            vec![("confirm", "Line 1")],
        ),
    ];
    for (path, form) in &posts {
        let page = f.outsider.post(path, form).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {path}");
    }
    let page = f
        .owner
        .get(&format!("/application/{app_id}/settings"))
        .await?;
    assert_eq!(
        page.text("h1").as_deref(),
        Some("Line 1"),
        "nothing changed"
    );
    let members = f.owner.get("/team/plant-ops/members").await?;
    assert!(members.body.contains("vera") && !members.body.contains("otto"));
    Ok(())
}

#[tokio::test]
async fn unknown_ids_and_slugs_are_plain_404_pages_in_the_layout() -> TestResult {
    let app = spawn_app().await;
    for path in [
        "/team/nope/applications",
        "/application/abcdefghijkmnpqrstuvw/instances",
        "/application/%3Cscript%3E/settings",
        "/no/such/page",
    ] {
        let page = app.admin.get(path).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1").as_deref(), Some("Page not found"), "{path}");
        assert_eq!(
            page.count("link[href^='/static/vendor/pico']"),
            1,
            "inside the layout"
        );
    }
    Ok(())
}
