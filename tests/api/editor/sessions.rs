//! What an editor session on an instance origin is worth: it follows the member's current role,
//! and ends when they leave the team, sign out of the platform, change their password, or the
//! instance goes. Flows never see the runtime's token or any redstage cookie.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// The permissions the editor's settings report, or the status when there are none.
async fn permissions(editor: &Browser) -> Res<Result<Value, StatusCode>> {
    let page = editor.get("/editor/settings").await?;
    if page.status != StatusCode::OK {
        return Ok(Err(page.status));
    }
    let settings: Value = serde_json::from_str(&page.body)?;
    Ok(Ok(settings["user"]["permissions"].clone()))
}

#[tokio::test]
async fn the_session_follows_the_role_and_ends_with_the_membership() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    assert_eq!(permissions(&editor).await?, Ok(json!("*")));

    let members = f.owner.get("/team/plant-ops/members").await?;
    let role = members
        .form_action_in_row("mark", "/role")
        .ok_or("no role form")?;
    f.owner.post(&role, &[("role", "viewer")]).await?;
    assert_eq!(
        permissions(&editor).await?,
        Ok(json!("read")),
        "a viewer now"
    );

    let remove = members
        .form_action_in_row("mark", "/remove")
        .ok_or("no remove form")?;
    f.owner.post(&remove, &[]).await?;
    assert_eq!(
        permissions(&editor).await?,
        Err(StatusCode::UNAUTHORIZED),
        "out of the team"
    );
    Ok(())
}

#[tokio::test]
async fn signing_out_or_a_new_password_ends_editor_sessions() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    f.member.post("/logout", &[]).await?;
    assert_eq!(
        permissions(&editor).await?,
        Err(StatusCode::UNAUTHORIZED),
        "signed out"
    );

    let owner_editor = f.owner.open_editor(&app, &id).await?;
    let changed = f
        .owner
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "another-pass-2"),
                ("confirm", "another-pass-2"),
            ],
        )
        .await?;
    assert!(changed.status.is_redirection(), "{}", changed.body);
    assert_eq!(
        permissions(&owner_editor).await?,
        Err(StatusCode::UNAUTHORIZED),
        "new password"
    );
    Ok(())
}

#[tokio::test]
async fn a_deleted_instance_has_no_origin_left() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    let deleted = f
        .member
        .post(
            &format!("/instance/{id}/delete"),
            &[("confirm", "Development")],
        )
        .await?;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(
        editor.get("/editor/settings").await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn flows_never_see_the_runtimes_token_or_our_cookies() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "rest-kv.json", None).await?;
    app.flow_json_eventually(&id, "/headers").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    assert!(
        editor
            .cookie_header()
            .is_some_and(|c| c.contains("redstage_editor="))
    );
    let seen: Value = editor
        .client
        .get(format!("{}/headers", editor.base))
        .header("Cookie", "theme=dark")
        .header("X-Custom", "kept")
        .send()
        .await?
        .json()
        .await?;
    let headers = &seen["headers"];
    assert!(headers.get("authorization").is_none(), "{seen}");
    assert_eq!(headers["x-custom"], json!("kept"));
    assert_eq!(
        seen["cookies"],
        json!({ "theme": "dark" }),
        "the flow's own cookies only"
    );
    assert_eq!(headers["x-forwarded-for"], json!("127.0.0.1"));
    assert!(
        headers["host"]
            .as_str()
            .is_some_and(|h| h.starts_with("development.localhost:"))
    );
    Ok(())
}

#[tokio::test]
async fn who_may_call_the_endpoints_anyone_basic_or_members() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    app.flow_json_eventually(&id, "/hello").await?;
    let stranger = app.stranger_at(&id).await?;
    assert_eq!(
        stranger.get("/hello").await?.status,
        StatusCode::OK,
        "anyone, by default"
    );

    let security = format!("/instance/{id}/settings/security");
    f.member
        .post(&security, &[("http_auth", "members")])
        .await?;
    let refused = stranger.get("/hello").await?;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "members only: {}",
        refused.body
    );
    let viewer = f.viewer.open_editor(&app, &id).await?;
    assert_eq!(
        viewer.get("/hello").await?.status,
        StatusCode::OK,
        "any member, viewers too"
    );
    let outsider = app.stranger_at(&id).await?;
    let page = outsider
        .client
        .get(format!("{}/hello", outsider.base))
        .header("Accept", "text/html")
        .send()
        .await?;
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "browsers go through the sign-in"
    );

    let basic = [
        ("http_auth", "basic"),
        ("http_auth_user", "device"),
        ("http_auth_password", "device-pass-1"),
    ];
    f.member.post(&security, &basic).await?;
    let old = app.pid(&id);
    f.member
        .post(&format!("/instance/{id}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &id, old).await?;
    assert_eq!(
        stranger.get("/hello").await?.status,
        StatusCode::UNAUTHORIZED
    );
    let with = stranger
        .client
        .get(format!("{}/hello", stranger.base))
        .basic_auth("device", Some("device-pass-1"))
        .send()
        .await?;
    assert_eq!(
        with.status(),
        StatusCode::OK,
        "the client's own basic auth reaches Node-RED"
    );
    Ok(())
}
