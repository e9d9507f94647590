//! Platform sessions are kept by the server: the Account page lists where one is signed in and
//! signs out any of them; disabling or deleting an account ends all of its sessions at once
//! (editor sessions too); sessions end after their idle time and absolute lifetime; a burst of
//! wrong sign-ins is turned away without a crash while others keep working.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_account_page_lists_sessions_and_signs_any_of_them_out() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let laptop = app.browser();
    assert_eq!(
        laptop.login("mark", PASSWORD).await?.status,
        StatusCode::SEE_OTHER
    );
    let editor = laptop.open_editor(&app, &id).await?;
    assert_eq!(editor.get("/editor/settings").await?.status, StatusCode::OK);

    let account = f.member.get("/account").await?;
    assert_eq!(account.count("tr.session"), 2, "{}", account.body);
    assert_eq!(account.count("tr.session.current"), 1);
    let revoke = account
        .attr("tr.session:not(.current) form", "action")
        .ok_or("no sign-out")?;
    let done = f.member.post(&revoke, &[]).await?;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/account").await?.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    assert_eq!(
        editor.get("/editor/settings").await?.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(f.member.get("/account").await?.count("tr.session"), 1);
    // Nobody signs out another person's session.
    let theirs = f.owner.post(&revoke, &[]).await?;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn disabling_or_deleting_an_account_ends_its_sessions_at_once() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    let users = app.admin.get("/admin/users").await?;
    let disable = users
        .form_action_in_row("mark", "/disable")
        .ok_or("no disable")?;

    app.admin.post(&disable, &[("disabled", "true")]).await?;
    assert_eq!(
        f.member.get("/account").await?.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        editor.get("/editor/settings").await?.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app.browser().login("mark", PASSWORD).await?;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert!(again.body.contains("disabled"));
    app.admin.post(&disable, &[("disabled", "false")]).await?;
    let back = app.browser();
    assert_eq!(
        back.login("mark", PASSWORD).await?.status,
        StatusCode::SEE_OTHER
    );

    let delete = users
        .form_action_in_row("mark", "/delete")
        .ok_or("no delete")?;
    let unconfirmed = app.admin.post(&delete, &[("confirm", "nope")]).await?;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    let owner = users
        .form_action_in_row("olivia", "/delete")
        .ok_or("no delete")?;
    let needed = app.admin.post(&owner, &[("confirm", "olivia")]).await?;
    assert_eq!(
        needed.status,
        StatusCode::CONFLICT,
        "the only owner of Plant Ops"
    );
    assert_eq!(
        app.admin
            .post(&delete, &[("confirm", "mark")])
            .await?
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        back.get("/account").await?.status,
        StatusCode::SEE_OTHER,
        "deleted"
    );
    assert_eq!(
        app.browser().login("mark", PASSWORD).await?.status,
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn sessions_end_when_idle_too_long_or_too_old() -> TestResult {
    let app = spawn_app().await;
    for (column, value) in [("expires_at", "1"), ("created_at", "1")] {
        let name = format!("user-{column}");
        let browser = app.user(&name).await?;
        assert_eq!(browser.get("/account").await?.status, StatusCode::OK);
        let sql = format!(
            "UPDATE sessions SET {column} = {value} \
             WHERE user_id = (SELECT id FROM users WHERE username = '{name}')"
        );
        app.state
            .db
            .run(move |conn| {
                use diesel::RunQueryDsl;
                Ok(diesel::sql_query(sql).execute(conn)?)
            })
            .await?;
        assert_eq!(
            browser.get("/account").await?.status,
            StatusCode::SEE_OTHER,
            "{column}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_burst_of_wrong_sign_ins_is_turned_away_and_others_keep_working() -> TestResult {
    let app = spawn_app().await;
    let other = app.user("olivia").await?;
    let attempts = (0..200).map(|i| {
        let browser = app.browser();
        async move {
            browser
                .login(&format!("victim{}", i % 7), "wrong-password")
                .await
        }
    });
    let burst = tokio::spawn(futures_util::future::join_all(attempts));
    // Meanwhile another user's pages keep loading.
    let patience = crate::helpers::patience(30);
    for _ in 0..5 {
        let page = tokio::time::timeout(patience, other.get("/account")).await??;
        assert_eq!(page.status, StatusCode::OK);
    }
    let answers = burst.await?;
    let mut seen = std::collections::BTreeMap::new();
    for answer in answers {
        *seen.entry(answer?.status.as_u16()).or_insert(0) += 1;
    }
    let allowed = [401, 429, 503];
    assert!(seen.keys().all(|s| allowed.contains(s)), "{seen:?}");
    assert!(
        seen.get(&401).copied().unwrap_or(0) < 200,
        "most were never hashed: {seen:?}"
    );
    assert!(app.state.throttle.len() <= 10_000);
    Ok(())
}
