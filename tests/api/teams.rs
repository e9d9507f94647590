//! Teams: creation, validation, slugs, escaping, the team switcher.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_new_user_is_sent_to_create_a_team_and_becomes_its_owner() -> TestResult {
    let app = spawn_app().await;
    let alice = app.user("alice").await?;
    let page = alice.get("/").await?;
    assert_eq!(page.location.as_deref(), Some("/teams/new"));
    let page = alice
        .post("/teams", &[("name", "Plant Ops (EU)"), ("slug", "")])
        .await?;
    assert_eq!(
        page.location.as_deref(),
        Some("/team/plant-ops-eu/applications"),
        "slug made from the name"
    );
    let home = alice.get("/team/plant-ops-eu/applications").await?;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text("hgroup p").as_deref(), Some("Your role: Owner"));
    assert!(
        home.text(".flash-success")
            .is_some_and(|t| t.contains("created"))
    );
    assert_eq!(
        alice.get("/").await?.location.as_deref(),
        Some("/team/plant-ops-eu/applications")
    );
    Ok(())
}

#[tokio::test]
async fn team_names_and_slugs_are_validated_next_to_their_fields() -> TestResult {
    let app = spawn_app().await;
    let long = "x".repeat(101);
    let cases: [(&str, &str, &str, &str); 6] = [
        ("", "ok-slug", "name", "Enter a name."),
        ("   ", "ok-slug", "name", "Enter a name."),
        (&long, "ok-slug", "name", "Use at most 100 characters."),
        (
            "Fine",
            "Bad Slug",
            "slug",
            "Use lowercase letters, digits and single hyphens (e.g. plant-ops).",
        ),
        ("Fine", "a", "slug", "Use 2 to 40 characters."),
        ("***", "", "slug", "Enter a slug."),
    ];
    for (name, slug, field, message) in cases {
        let page = app
            .admin
            .post("/teams", &[("name", name), ("slug", slug)])
            .await?;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}/{slug:?}"
        );
        assert_eq!(
            page.field_error(field).as_deref(),
            Some(message),
            "{name:?}/{slug:?}"
        );
        assert_eq!(page.count("input[aria-invalid=true]"), 1);
    }
    Ok(())
}

#[tokio::test]
async fn a_taken_slug_is_refused_and_the_form_keeps_what_was_typed() -> TestResult {
    let app = spawn_app().await;
    app.team(&app.admin, "Plant Ops", "plant-ops").await?;
    let alice = app.user("alice").await?;
    let page = alice
        .post("/teams", &[("name", "Other Plant"), ("slug", "plant-ops")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("slug").as_deref(),
        Some("This slug is taken; choose another.")
    );
    assert!(page.body.contains("value=\"Other Plant\""));
    assert_eq!(
        alice.get("/").await?.location.as_deref(),
        Some("/teams/new"),
        "no team was created"
    );
    Ok(())
}

#[tokio::test]
async fn html_in_names_is_shown_as_text_everywhere() -> TestResult {
    let app = spawn_app().await;
    let name = "<script>alert('x')</script> & \"Ops\"";
    let page = app
        .admin
        .post("/teams", &[("name", name), ("slug", "escaped")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let home = app.admin.get("/team/escaped/applications").await?;
    assert!(
        !home.body.contains("<script>alert"),
        "raw HTML must not reach the page"
    );
    assert_eq!(home.text("h1").as_deref(), Some(name), "shown as typed");
    let id = app
        .application(&app.admin, "escaped", "<img src=x onerror=alert(1)>")
        .await?;
    let page = app
        .admin
        .get(&format!("/application/{id}/instances"))
        .await?;
    assert!(!page.body.contains("<img src=x"));
    assert_eq!(
        page.text("h1").as_deref(),
        Some("<img src=x onerror=alert(1)>")
    );
    Ok(())
}

#[tokio::test]
async fn the_top_bar_switches_between_the_users_teams() -> TestResult {
    let app = spawn_app().await;
    app.team(&app.admin, "Alpha", "alpha").await?;
    app.team(&app.admin, "Beta", "beta").await?;
    let page = app.admin.get("/team/beta/applications").await?;
    assert_eq!(page.text(".team-switcher summary").as_deref(), Some("Beta"));
    let links: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse(".team-switcher a").map_err(|e| e.to_string())?)
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(
        links,
        [
            "/team/alpha/applications",
            "/team/beta/applications",
            "/teams/new"
        ]
    );
    Ok(())
}
