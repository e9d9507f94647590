//! Sign-in, sign-out, throttling, sessions, passwords.

use reqwest::StatusCode;

use crate::helpers::*;

mod admin;

#[tokio::test]
async fn signing_in_with_the_right_password_starts_a_session() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser.login(ADMIN, ADMIN_PASSWORD).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/"));
    let account = browser.get("/account").await?;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("Signed in as <strong>admin</strong>"));
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_refused_with_the_same_message() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    for (user, password) in [(ADMIN, "not-the-password"), ("nobody", ADMIN_PASSWORD)] {
        let page = browser.login(user, password).await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            page.text("[role=alert]").as_deref(),
            Some("Wrong user name or password.")
        );
        assert!(
            page.body.contains(&format!("value=\"{user}\"")),
            "the user name is kept"
        );
    }
    assert_eq!(browser.get("/account").await?.status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_for_the_right_password() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser.login(ADMIN, "guess").await?.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let page = browser.login(ADMIN, ADMIN_PASSWORD).await?;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = page
        .headers
        .get("retry-after")
        .ok_or("no Retry-After")?
        .to_str()?
        .parse()?;
    assert!((1..=30).contains(&retry), "retry after {retry}");
    let message = page.text("[role=alert]").ok_or("no message")?;
    assert!(
        message.starts_with("Too many failed sign-ins. Try again in"),
        "{message}"
    );
    assert_eq!(browser.get("/account").await?.status, StatusCode::SEE_OTHER);
    // Other accounts are not locked by someone guessing the admin's password.
    app.user("alice").await?;
    Ok(())
}

#[tokio::test]
async fn signing_out_ends_the_session() -> TestResult {
    let app = spawn_app().await;
    let page = app.admin.post("/logout", &[]).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/login?signed_out=true"));
    let page = app.admin.get("/account").await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/login?next=%2Faccount"));
    Ok(())
}

#[tokio::test]
async fn pages_send_strangers_to_sign_in_and_back() -> TestResult {
    let app = spawn_app().await;
    let stranger = app.browser();
    let page = stranger.get("/team/x/members").await?;
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=%2Fteam%2Fx%2Fmembers")
    );
    let page = stranger.get_htmx("/team/x/members").await?;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.headers.contains_key("hx-redirect"));
    stranger.get("/login?next=%2Faccount").await?;
    let page = stranger
        .post(
            "/login",
            &[
                ("username", ADMIN),
                ("password", ADMIN_PASSWORD),
                ("next", "/account"),
            ],
        )
        .await?;
    assert_eq!(page.location.as_deref(), Some("/account"));
    Ok(())
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser
        .post(
            "/login",
            &[
                ("username", ADMIN),
                ("password", ADMIN_PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await?;
    assert_eq!(page.location.as_deref(), Some("/"));
    Ok(())
}

#[tokio::test]
async fn a_signed_in_user_is_never_sent_off_site_by_next() -> TestResult {
    let app = spawn_app().await;
    // Query strings as they arrive: `/%09/x` is "/<tab>/x", which browsers read as `//x`.
    for next in [
        "//evil.example",
        "/%5Cevil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "https:evil.example",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let page = app.admin.get(&format!("/login?next={next}")).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location.as_deref(), Some("/"), "{next}");
    }
    let page = app.admin.get("/login?next=%2Faccount%3Ftab%3D1").await?;
    assert_eq!(page.location.as_deref(), Some("/account?tab=1"));
    Ok(())
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() -> TestResult {
    let app = spawn_app().await;
    let response = app
        .browser()
        .client
        .get(format!("{}/login", app.address))
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .ok_or("no cookie")?
        .to_str()?
        .to_owned();
    assert!(cookie.starts_with("redstage_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"));

    let secure = spawn_app_with(|s| s.secure_cookies = true).await;
    let response = reqwest::get(format!("{}/login", secure.address)).await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .ok_or("no cookie")?
        .to_str()?;
    assert!(cookie.contains("Secure"));
    Ok(())
}

#[tokio::test]
async fn changing_the_password_needs_the_old_one_and_signs_out_other_sessions() -> TestResult {
    let app = spawn_app().await;
    let laptop = app.user("alice").await?;
    let phone = app.browser();
    phone.login("alice", PASSWORD).await?;

    let page = laptop
        .post(
            "/account/password",
            &[
                ("current", "wrong"),
                ("new", "new-password-1"),
                ("confirm", "new-password-1"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("current").as_deref(),
        Some("This is not your current password.")
    );
    let page = laptop
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await?;
    assert_eq!(
        page.field_error("new").as_deref(),
        Some("Use at least 8 characters.")
    );
    let page = laptop
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "new-password-1"),
                ("confirm", "new-password-2"),
            ],
        )
        .await?;
    assert_eq!(
        page.field_error("confirm").as_deref(),
        Some("The two new passwords differ.")
    );

    let page = laptop
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "new-password-1"),
                ("confirm", "new-password-1"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/account").await?.status,
        StatusCode::OK,
        "this session continues"
    );
    assert_eq!(
        phone.get("/account").await?.status,
        StatusCode::SEE_OTHER,
        "other sessions end"
    );
    assert_eq!(
        app.browser().login("alice", PASSWORD).await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser().login("alice", "new-password-1").await?.status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}
