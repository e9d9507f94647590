//! A protected instance is read-only for everyone but the team's owners, everywhere: its settings,
//! environment, deletion and duplication are refused with the reason, its editor opens read-only;
//! members can still start, stop and restart it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn members_can_run_a_protected_instance_but_not_change_it() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    f.member.wait_for_state(&prod, "running").await?;
    let protect = format!("/instance/{prod}/settings/protection");
    f.owner.post(&protect, &[("protected", "true")]).await?;

    let settings = f
        .member
        .get(&format!("/instance/{prod}/settings/general"))
        .await?;
    assert!(
        settings
            .text(".protected-notice")
            .is_some_and(|t| t.contains("only owners"))
    );
    assert_eq!(
        settings.count("fieldset[disabled]"),
        1,
        "the form is shown disabled"
    );
    let changes: [(&str, Vec<(&str, &str)>); 7] = [
        ("settings/general", vec![("name", "Prod"), ("label", "")]),
        (
            "settings/environment",
            vec![("key", "API_URL"), ("value", "x")],
        ),
        (
            "settings/editor",
            vec![("code_editor", "ace"), ("editor_title", "")],
        ),
        ("settings/palette", vec![("palette_deny_list", "")]),
        ("settings/security", vec![("http_auth", "none")]),
        ("duplicate", vec![("name", "Copy"), ("env", "values")]),
        ("delete", vec![("confirm", "Production")]),
    ];
    for (what, form) in &changes {
        let refused = f
            .member
            .post(&format!("/instance/{prod}/{what}"), form)
            .await?;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{what}");
        let why = refused.text("[data-error-message]").unwrap_or_default();
        assert!(
            why.contains("Production is protected") && why.contains("start, stop and restart"),
            "{what}: {why}"
        );
    }
    let old = app.pid(&prod);
    let restarted = f
        .member
        .post(&format!("/instance/{prod}/restart"), &[])
        .await?;
    assert_eq!(
        restarted.status,
        StatusCode::SEE_OTHER,
        "members still restart it"
    );
    app.wait_for_new_process(&f.member, &prod, old).await?;

    let editor = f.member.open_editor(&app, &prod).await?;
    let seen: Value = serde_json::from_str(&editor.get("/editor/settings").await?.body)?;
    assert_eq!(
        seen["user"]["permissions"],
        json!("read"),
        "a read-only editor for members"
    );
    let owners: Value = serde_json::from_str(
        &f.owner
            .open_editor(&app, &prod)
            .await?
            .get("/editor/settings")
            .await?
            .body,
    )?;
    assert_eq!(owners["user"]["permissions"], json!("*"));
    let renamed = f
        .owner
        .post(
            &format!("/instance/{prod}/settings/general"),
            &[("name", "Prod")],
        )
        .await?;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "owners change it");
    Ok(())
}

#[tokio::test]
async fn names_that_change_how_the_runtime_starts_are_refused_with_the_reason() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let env = format!("/instance/{id}/settings/environment");
    for (name, why) in [
        ("NODE_OPTIONS", "NODE_"),
        ("node_path", "NODE_"),
        ("PATH", "redstage sets this"),
        ("HOME", "redstage sets this"),
        ("LD_PRELOAD", "LD_"),
        ("REDSTAGE_DATA_DIR", "redstage's own"),
    ] {
        let page = f
            .member
            .post(&env, &[("key", name), ("value", "--require /tmp/x.js")])
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let error = page.field_error("key").unwrap_or_default();
        assert!(error.contains(why), "{name}: {error}");
    }
    let ok = f
        .member
        .post(&env, &[("key", "API_URL"), ("value", "http://x")])
        .await?;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    Ok(())
}
