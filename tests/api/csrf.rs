//! CSRF: every state-changing request needs the session's token, as a form field or an htmx header.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_form_without_the_token_is_refused_and_changes_nothing() -> TestResult {
    let app = spawn_app().await;
    let page = app
        .admin
        .post_raw("/teams", &[("name", "Forged"), ("slug", "forged")])
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.text("h1").as_deref(), Some("This form has expired"));
    assert!(
        page.text("[data-error-message]")
            .is_some_and(|m| m.contains("nothing was changed"))
    );
    assert_eq!(
        app.admin.get("/team/forged/applications").await?.status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn a_token_from_another_session_is_refused() -> TestResult {
    let app = spawn_app().await;
    let attacker = app.user("mallory").await?;
    let foreign = attacker.csrf().await?;
    let page = app
        .admin
        .post_raw(
            "/teams",
            &[
                ("name", "Forged"),
                ("slug", "forged"),
                ("csrf_token", &foreign),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn htmx_requests_carry_the_token_in_a_header() -> TestResult {
    let app = spawn_app().await;
    let token = app.admin.csrf().await?;
    let url = format!("{}/teams", app.address);
    let form = [("name", "Via htmx"), ("slug", "via-htmx")];
    let refused = app
        .admin
        .client
        .post(&url)
        .header("HX-Request", "true")
        .form(&form)
        .send()
        .await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .admin
        .client
        .post(&url)
        .header("X-CSRF-Token", "wrong")
        .form(&form)
        .send()
        .await?;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let accepted = app
        .admin
        .client
        .post(&url)
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&form)
        .send()
        .await?;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn signing_in_needs_the_token_of_the_sign_in_form() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser
        .post_raw(
            "/login",
            &[("username", ADMIN), ("password", ADMIN_PASSWORD)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn signing_in_rotates_the_token() -> TestResult {
    let app = spawn_app().await;
    let browser = app.browser();
    let before = browser.csrf().await?;
    browser.login(ADMIN, ADMIN_PASSWORD).await?;
    let after = browser.csrf().await?;
    assert_ne!(before, after);
    let page = browser
        .post_raw(
            "/teams",
            &[
                ("name", "Old token"),
                ("slug", "old-token"),
                ("csrf_token", &before),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_change_sent_from_an_instance_origin_is_refused_even_with_the_token() -> TestResult {
    let app = spawn_app().await;
    let token = app.admin.csrf().await?;
    let url = format!("{}/teams", app.address);
    let send = |origin: Option<String>, site: Option<&str>, slug: &str| {
        let mut request = app.admin.client.post(&url).form(&[
            ("name", slug),
            ("slug", slug),
            ("csrf_token", token.as_str()),
        ]);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        if let Some(site) = site {
            request = request.header("Sec-Fetch-Site", site);
        }
        request.send()
    };
    let port = app.socket().port();
    // `dev.localhost` and `localhost` are the same site: only the exact origin counts.
    for (origin, site) in [
        (Some(format!("http://dev.localhost:{port}")), None),
        (Some(format!("http://localhost:{port}")), None),
        (Some("null".to_owned()), None),
        (None, Some("same-site")),
        (None, Some("cross-site")),
    ] {
        let refused = send(origin.clone(), site, "refused-team").await?;
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "{origin:?} {site:?}"
        );
    }
    assert_eq!(
        app.admin
            .get("/team/refused-team/applications")
            .await?
            .status,
        StatusCode::NOT_FOUND
    );
    let accepted = send(Some(app.address.clone()), Some("same-origin"), "our-team").await?;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    Ok(())
}
