//! Instance settings over real runtimes: environment validation, unique names, HTTP node
//! security; `danger`: Duplicate Instance with working credentials and modules, deletion.

use reqwest::StatusCode;

use crate::helpers::*;

mod danger;
mod protected;

#[tokio::test]
async fn environment_variables_are_validated_next_to_their_fields() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let env = format!("/instance/{id}/settings/environment");
    for bad in ["2FA", "API-URL", "has space", "", "ÄPI"] {
        let page = f.member.post(&env, &[("key", bad), ("value", "x")]).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(page.field_error("key").is_some(), "{bad:?}");
        assert!(
            page.body.contains(&format!("value=\"{}\"", bad.trim())),
            "what was typed comes back"
        );
    }
    f.member
        .post(&env, &[("key", "API_URL"), ("value", "http://dev")])
        .await?;
    let page = f
        .member
        .post(&env, &[("key", "API_URL"), ("value", "other")])
        .await?;
    assert_eq!(
        page.field_error("key").as_deref(),
        Some("API_URL is already defined on this instance; edit it in the list.")
    );
    // Renaming onto an existing key is refused too.
    f.member
        .post(&env, &[("key", "OTHER"), ("value", "")])
        .await?;
    let page = f
        .member
        .post(
            &format!("{env}/OTHER"),
            &[("key", "API_URL"), ("value", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = f.member.get(&env).await?;
    assert_eq!(
        listed.count("mark.needs-value"),
        1,
        "OTHER has no value yet"
    );
    // Hidden values are never sent back to the browser.
    f.member
        .post(
            &env,
            &[
                ("key", "TOKEN"),
                ("value", "s3cret-token"),
                ("hidden", "true"),
            ],
        )
        .await?;
    let listed = f.member.get(&env).await?;
    assert!(!listed.body.contains("s3cret-token"));
    assert!(!f.viewer.get(&env).await?.body.contains("s3cret-token"));
    // A viewer cannot change them.
    let page = f
        .viewer
        .post(&env, &[("key", "VIEWER"), ("value", "1")])
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = f.viewer.post(&format!("{env}/API_URL/delete"), &[]).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn instance_names_are_unique_in_their_application() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let create = format!("/application/{}/instances", f.app_id);
    for (name, message) in [
        (
            "development",
            "This application already has an instance with this name.",
        ),
        ("  ", "Enter a name."),
        (&"n".repeat(101), "Use at most 100 characters."),
    ] {
        let page = f.member.post(&create, &[("name", name)]).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert_eq!(
            page.field_error("name").as_deref(),
            Some(message),
            "{name:?}"
        );
    }
    app.instance(&f.member, &f.app_id, "Production").await?;
    let page = f
        .member
        .post(
            &format!("/instance/{id}/settings/general"),
            &[("name", "PRODUCTION")],
        )
        .await?;
    assert_eq!(
        page.field_error("name").as_deref(),
        Some("This application already has an instance with this name.")
    );
    let page = f
        .member
        .post(
            &format!("/instance/{id}/duplicate"),
            &[("name", "Production"), ("env", "keys")],
        )
        .await?;
    assert_eq!(
        page.field_error("name").as_deref(),
        Some("This application already has an instance with this name.")
    );
    Ok(())
}

#[tokio::test]
async fn basic_authentication_protects_the_flows_http_endpoints() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    app.flow_json_eventually(&id, "/hello").await?;

    let security = format!("/instance/{id}/settings/security");
    let page = f
        .member
        .post(
            &security,
            &[
                ("http_auth", "basic"),
                ("http_auth_user", "plant"),
                ("http_auth_password", "short"),
            ],
        )
        .await?;
    assert_eq!(
        page.field_error("http_auth_password").as_deref(),
        Some("Use at least 8 characters.")
    );
    let page = f
        .member
        .post(
            &security,
            &[
                ("http_auth", "basic"),
                ("http_auth_user", "plant"),
                ("http_auth_password", "line-1-secret"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let old = app.pid(&id);
    f.member
        .post(&format!("/instance/{id}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &id, old).await?;

    // Through the instance's origin, as clients call it.
    let stranger = app.stranger_at(&id).await?;
    let (http, base) = (stranger.client.clone(), stranger.base.clone());
    let anonymous = http.get(format!("{base}/hello")).send().await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = http
        .get(format!("{base}/hello"))
        .basic_auth("plant", Some("nope"))
        .send()
        .await?;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = http
        .get(format!("{base}/hello"))
        .basic_auth("plant", Some("line-1-secret"))
        .send()
        .await?;
    assert_eq!(right.status(), StatusCode::OK);

    // Saving again without a password keeps it.
    let page = f
        .member
        .post(
            &security,
            &[
                ("http_auth", "basic"),
                ("http_auth_user", "plant"),
                ("http_auth_password", ""),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let form = f.member.get(&security).await?;
    assert_eq!(
        form.attr("input[name=http_auth_password]", "placeholder")
            .as_deref(),
        Some("unchanged")
    );
    Ok(())
}
