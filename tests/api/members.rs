//! Team members: owners manage them; a team never loses its last owner.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn owners_add_members_with_a_role() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let page = f.owner.get("/team/plant-ops/members").await?;
    assert_eq!(page.status, StatusCode::OK);
    for (name, role) in [("olivia", "owner"), ("mark", "member"), ("vera", "viewer")] {
        let select = format!("select[aria-label='Role of {name}'] option[selected]");
        let html = page.html();
        let option = html
            .select(&scraper::Selector::parse(&select).map_err(|e| e.to_string())?)
            .next();
        assert_eq!(
            option.and_then(|o| o.value().attr("value")),
            Some(role),
            "{name}"
        );
    }
    let vera_home = f.viewer.get("/team/plant-ops/applications").await?;
    assert_eq!(
        vera_home.text("hgroup p").as_deref(),
        Some("Your role: Viewer")
    );
    Ok(())
}

#[tokio::test]
async fn adding_unknown_or_existing_members_says_why() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let page = f
        .owner
        .post(
            "/team/plant-ops/members",
            &[("username", "ghost"), ("role", "member")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("username")
            .is_some_and(|m| m.starts_with("No account has this user name."))
    );
    let page = f
        .owner
        .post(
            "/team/plant-ops/members",
            &[("username", "MARK"), ("role", "viewer")],
        )
        .await?;
    assert_eq!(
        page.field_error("username").as_deref(),
        Some("This user is already a member of the team.")
    );
    let page = f
        .owner
        .post(
            "/team/plant-ops/members",
            &[("username", "otto"), ("role", "admin")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_removed() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let members = f.owner.get("/team/plant-ops/members").await?;
    let role_url = members
        .form_action_in_row("olivia", "/role")
        .ok_or("no role form")?;
    let remove_url = members
        .form_action_in_row("olivia", "/remove")
        .ok_or("no remove form")?;

    let page = f.owner.post(&role_url, &[("role", "member")]).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("[role=alert]")
            .is_some_and(|m| m.starts_with("A team needs at least one owner"))
    );
    let page = f.owner.post(&remove_url, &[]).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let home = f.owner.get("/team/plant-ops/applications").await?;
    assert_eq!(home.text("hgroup p").as_deref(), Some("Your role: Owner"));

    // With a second owner, the first may step down.
    let mark_role = members
        .form_action_in_row("mark", "/role")
        .ok_or("no form")?;
    assert_eq!(
        f.owner.post(&mark_role, &[("role", "owner")]).await?.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        f.owner.post(&role_url, &[("role", "viewer")]).await?.status,
        StatusCode::SEE_OTHER
    );
    let home = f.owner.get("/team/plant-ops/applications").await?;
    assert_eq!(home.text("hgroup p").as_deref(), Some("Your role: Viewer"));
    // ... and now mark is the last owner.
    let mark_remove = members
        .form_action_in_row("mark", "/remove")
        .ok_or("no form")?;
    assert_eq!(
        f.member.post(&mark_remove, &[]).await?.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    Ok(())
}

#[tokio::test]
async fn owners_change_roles_and_remove_members() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let members = f.owner.get("/team/plant-ops/members").await?;
    let vera_role = members
        .form_action_in_row("vera", "/role")
        .ok_or("no form")?;
    assert_eq!(
        f.owner
            .post(&vera_role, &[("role", "member")])
            .await?
            .status,
        StatusCode::SEE_OTHER
    );
    let home = f.viewer.get("/team/plant-ops/applications").await?;
    assert_eq!(home.text("hgroup p").as_deref(), Some("Your role: Member"));
    let mark_remove = members
        .form_action_in_row("mark", "/remove")
        .ok_or("no form")?;
    assert_eq!(
        f.owner.post(&mark_remove, &[]).await?.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        f.member.get("/team/plant-ops/applications").await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn members_and_viewers_cannot_manage_members() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let members = f.owner.get("/team/plant-ops/members").await?;
    let olivia_remove = members
        .form_action_in_row("olivia", "/remove")
        .ok_or("no form")?;
    let vera_role = members
        .form_action_in_row("vera", "/role")
        .ok_or("no form")?;
    for who in [&f.member, &f.viewer] {
        let page = who.get("/team/plant-ops/members").await?;
        assert_eq!(page.status, StatusCode::OK, "they can see the members");
        assert_eq!(
            page.count("form[action*='/role']"),
            0,
            "but get no controls"
        );
        let page = who
            .post(
                "/team/plant-ops/members",
                &[("username", "otto"), ("role", "owner")],
            )
            .await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(
            who.post(&olivia_remove, &[]).await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            who.post(&vera_role, &[("role", "owner")]).await?.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        f.outsider.get("/team/plant-ops/applications").await?.status,
        StatusCode::NOT_FOUND
    );
    let vera = f.viewer.get("/team/plant-ops/applications").await?;
    assert_eq!(vera.text("hgroup p").as_deref(), Some("Your role: Viewer"));
    Ok(())
}
