//! The Danger tab: Duplicate Instance (flows, working credentials, modules, settings, env keys
//! with or without values; the source untouched) and Delete (by typing the name).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_duplicate_gets_the_flows_and_working_credentials_and_the_source_is_untouched()
-> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let env = format!("/instance/{dev}/settings/environment");
    f.member
        .post(&env, &[("key", "GREETING"), ("value", "dev")])
        .await?;
    f.member
        .post(
            &format!("/instance/{dev}/settings/editor"),
            &[
                ("editor_enabled", "true"),
                ("code_editor", "ace"),
                ("editor_title", "Dev editor"),
            ],
        )
        .await?;
    let old = app.pid(&dev);
    f.member
        .post(&format!("/instance/{dev}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &dev, old).await?;
    app.deploy(&dev, "credentials.json", Some("credentials.creds.json"))
        .await?;
    let dev_pid = app.pid(&dev);

    let page = f
        .member
        .post(
            &format!("/instance/{dev}/duplicate"),
            &[("name", "Production"), ("env", "values")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let prod = page
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/instance/"))
        .and_then(|l| l.strip_suffix("/overview"))
        .ok_or("no copy")?
        .to_owned();
    f.member.wait_for_state(&prod, "running").await?;
    let answer = app.flow_json_eventually(&prod, "/cred-check").await?;
    assert_eq!(
        answer,
        json!({"user": "pipeline-user", "password": "s3cret-from-dev"})
    );
    let copied_env = f
        .member
        .get(&format!("/instance/{prod}/settings/environment"))
        .await?;
    assert_eq!(
        copied_env
            .attr("input[aria-label='Value of GREETING']", "value")
            .as_deref(),
        Some("dev")
    );
    let editor = f
        .member
        .get(&format!("/instance/{prod}/settings/editor"))
        .await?;
    assert_eq!(
        editor.attr("input[name=editor_title]", "value").as_deref(),
        Some("Dev editor"),
        "settings copied"
    );

    // The source kept running, with its own flows and credentials.
    assert_eq!(app.pid(&dev), dev_pid, "the source was not restarted");
    let answer = app.flow_json_eventually(&dev, "/cred-check").await?;
    assert_eq!(answer["password"], json!("s3cret-from-dev"));
    Ok(())
}

#[tokio::test]
async fn a_keys_only_duplicate_has_the_keys_without_values() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let env = format!("/instance/{dev}/settings/environment");
    f.member
        .post(&env, &[("key", "GREETING"), ("value", "dev")])
        .await?;
    f.member
        .post(&env, &[("key", "API_URL"), ("value", "http://dev.local")])
        .await?;
    f.member.wait_for_state(&dev, "running").await?;
    app.deploy(&dev, "hello.json", None).await?;

    let page = f
        .member
        .post(
            &format!("/instance/{dev}/duplicate"),
            &[("name", "Production"), ("env", "keys")],
        )
        .await?;
    let prod = page
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/instance/"))
        .and_then(|l| l.strip_suffix("/overview"))
        .ok_or("no copy")?
        .to_owned();
    let listed = f
        .member
        .get(&format!("/instance/{prod}/settings/environment"))
        .await?;
    assert_eq!(listed.count("mark.needs-value"), 2, "both keys, no values");
    assert!(!listed.body.contains("http://dev.local"));
    f.member.wait_for_state(&prod, "running").await?;
    let hello = app.flow_json_eventually(&prod, "/hello").await?;
    assert_eq!(
        hello["greeting"],
        json!(null),
        "GREETING has no value on the copy"
    );
    Ok(())
}

#[tokio::test]
async fn deleting_an_instance_needs_its_name_and_removes_runtime_and_files() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let pid = app.pid(&id).ok_or("no pid")?;
    let page = f
        .owner
        .post(
            &format!("/application/{}/delete", f.app_id),
            &[("confirm", "Line 1")],
        )
        .await?;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an application holding instances stays"
    );
    assert!(
        page.field_error("confirm")
            .is_some_and(|m| m.contains("still holds 1 instance"))
    );

    let delete = format!("/instance/{id}/delete");
    let page = f
        .member
        .post(&delete, &[("confirm", "development")])
        .await?;
    assert_eq!(
        page.field_error("confirm").as_deref(),
        Some("Type the instance name exactly to confirm.")
    );
    let page = f
        .member
        .post(&delete, &[("confirm", "Development")])
        .await?;
    assert_eq!(
        page.location,
        Some(format!("/application/{}/instances", f.app_id))
    );
    assert!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(i32::try_from(pid)?), None).is_err(),
        "runtime stopped"
    );
    assert!(
        !app.settings.instances_dir().join(&id).exists(),
        "files removed"
    );
    assert_eq!(
        f.member
            .get(&format!("/instance/{id}/overview"))
            .await?
            .status,
        StatusCode::NOT_FOUND
    );
    let page = f
        .owner
        .post(
            &format!("/application/{}/delete", f.app_id),
            &[("confirm", "Line 1")],
        )
        .await?;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "now the application can go"
    );
    Ok(())
}

#[tokio::test]
async fn a_duplicate_takes_the_extra_modules_and_the_editor_can_be_turned_off() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&dev, "running").await?;
    app.client(&dev)?
        .install_module("node-red-node-random", "0.4.1")
        .await?;
    app.deploy(&dev, "extra-module.json", None).await?;
    let roll = app.flow_json_eventually(&dev, "/random").await?;
    assert!(
        roll.as_i64().is_some_and(|n| (1..=6).contains(&n)),
        "{roll}"
    );

    let page = f
        .member
        .post(
            &format!("/instance/{dev}/duplicate"),
            &[("name", "Production"), ("env", "keys")],
        )
        .await?;
    let prod = page
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/instance/"))
        .and_then(|l| l.strip_suffix("/overview"))
        .ok_or("no copy")?
        .to_owned();
    f.member.wait_for_state(&prod, "running").await?;
    let roll = app.flow_json_eventually(&prod, "/random").await?;
    assert!(
        roll.as_i64().is_some_and(|n| (1..=6).contains(&n)),
        "the module came along: {roll}"
    );

    let page = f
        .member
        .post(
            &format!("/instance/{prod}/settings/editor"),
            &[("code_editor", "monaco"), ("editor_title", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let old = app.pid(&prod);
    f.member
        .post(&format!("/instance/{prod}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &prod, old).await?;
    let editor = f
        .member
        .open_editor(&app, &prod)
        .await?
        .get("/editor/")
        .await?;
    assert_eq!(editor.status, StatusCode::CONFLICT);
    assert!(
        editor
            .text("[data-error-message]")
            .is_some_and(|m| m.contains("turned off"))
    );
    app.flow_json_eventually(&prod, "/random").await?;
    Ok(())
}

#[tokio::test]
async fn files_no_instance_owns_are_swept_at_the_next_start() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    // What a crash between deleting a record and its files leaves, and a folder that is not ours.
    let root = app.settings.instances_dir();
    let orphan = root.join("abcdefghijkmnpqrstuv");
    std::fs::create_dir_all(orphan.join("node_modules"))?;
    std::fs::write(orphan.join("flows.json"), "[]")?;
    std::fs::create_dir_all(root.join("notes"))?;

    let app = app.restart().await;
    assert!(!orphan.exists(), "swept");
    assert!(
        root.join("notes").is_dir(),
        "not named like an instance: left alone"
    );
    assert!(
        root.join(&id).join("settings.js").is_file(),
        "a live instance keeps its files"
    );
    f.member
        .rebase(&app.address)
        .wait_for_state(&id, "running")
        .await?;
    Ok(())
}
