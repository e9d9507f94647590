//! Account administration: creating users and resetting passwords, administrators only.

use super::*;

#[tokio::test]
async fn administrators_create_users_and_reset_passwords() -> TestResult {
    let app = spawn_app().await;
    let alice = app.user("alice").await?;

    let page = app
        .admin
        .post(
            "/admin/users",
            &[("username", "ALICE"), ("password", PASSWORD)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("username").as_deref(),
        Some("This user name is taken.")
    );
    let page = app
        .admin
        .post(
            "/admin/users",
            &[("username", "bad name"), ("password", "x")],
        )
        .await?;
    assert!(page.field_error("username").is_some() && page.field_error("password").is_some());

    let users = app.admin.get("/admin/users").await?;
    let alice_action = users
        .form_action_in_row("alice", "password")
        .ok_or("no reset form for alice")?;
    let page = app
        .admin
        .post(&alice_action, &[("password", "reset-password-1")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        alice.get("/account").await?.status,
        StatusCode::SEE_OTHER,
        "her session ended"
    );
    assert_eq!(
        app.browser()
            .login("alice", "reset-password-1")
            .await?
            .status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}

#[tokio::test]
async fn only_administrators_manage_accounts() -> TestResult {
    let app = spawn_app().await;
    let alice = app.user("alice").await?;
    assert_eq!(
        alice.get("/admin/users").await?.status,
        StatusCode::FORBIDDEN
    );
    let page = alice
        .post(
            "/admin/users",
            &[("username", "mallory"), ("password", PASSWORD)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.browser().login("mallory", PASSWORD).await?.status,
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}
