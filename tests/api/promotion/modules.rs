//! Modules on the target: a module the source has and the target lacks is installed there first
//! (with npm and a restart when its palette does not allow installs, unless its deny list names
//! it); when the promotion fails after that, it is removed again with the rest of the restore; a
//! node type that the source does not have either is refused before anything is installed.

use redstage::db::models::deployments::status;
use serde_json::{Value, json};

use super::{Line, line};
use crate::helpers::promotion::*;
use crate::helpers::*;

const RANDOM: &str = "node-red-node-random";

#[tokio::test]
async fn a_module_the_target_lacks_is_installed_there_first() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.client(&l.dev)?.install_module(RANDOM, "0.4.1").await?;
    app.deploy(&l.dev, "extra-module.json", None).await?;

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    let catalog = app.client(&l.prod)?.catalog().await?;
    assert_eq!(
        catalog.modules.get(RANDOM).map(String::as_str),
        Some("0.4.1")
    );
    let roll: Value = app.flow_get(&l.prod, "/random").await?.json().await?;
    assert!(
        roll.as_i64().is_some_and(|n| (1..=6).contains(&n)),
        "{roll}"
    );
    Ok(())
}

#[tokio::test]
async fn a_module_installed_for_a_promotion_that_fails_is_removed_again() -> TestResult {
    module_removed_after_failure(false).await
}

#[tokio::test]
async fn a_module_npm_installed_for_a_promotion_that_fails_is_removed_again() -> TestResult {
    module_removed_after_failure(true).await
}

/// A promotion that installs the module (with its palette `locked`: by npm) and then fails.
async fn module_removed_after_failure(locked: bool) -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    if locked {
        lock_palette(&l, &[]).await?;
    }
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    app.client(&l.dev)?.install_module(RANDOM, "0.4.1").await?;
    // The source's flows need the module and kill their runtime as they start (read from disk).
    set_running(&l.f.member, &l.dev, false).await?;
    let mut flows = flow_file("crash-on-start.json")?;
    let extra = flow_file("extra-module.json")?;
    flows
        .as_array_mut()
        .ok_or("flows are not an array")?
        .extend(extra.as_array().ok_or("flows are not an array")?.clone());
    std::fs::write(
        app.settings.instances_dir().join(&l.dev).join("flows.json"),
        serde_json::to_vec(&flows)?,
    )?;

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::FAILED);
    let error = done.error.unwrap_or_default();
    assert!(
        error.ends_with("Production was restored to how it was before."),
        "{error}"
    );
    l.f.member.wait_for_state(&l.prod, "running").await?;
    let catalog = app.client(&l.prod)?.catalog().await?;
    assert!(
        !catalog.modules.contains_key(RANDOM),
        "the module is gone: {:?}",
        catalog.modules
    );
    let prod_dir = app.settings.instances_dir().join(&l.prod);
    assert!(!prod_dir.join("node_modules").join(RANDOM).exists());
    let package = std::fs::read_to_string(prod_dir.join("package.json"))?;
    assert!(!package.contains(RANDOM), "{package}");
    let hello: Value = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("0"), "the previous flows run");
    Ok(())
}

#[tokio::test]
async fn a_target_whose_palette_is_locked_gets_the_module_with_npm_and_restarts() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.client(&l.dev)?.install_module(RANDOM, "0.4.1").await?;
    app.deploy(&l.dev, "extra-module.json", None).await?;
    lock_palette(&l, &["node-red-contrib-*"]).await?;
    let prod_pid = app.pid(&l.prod);

    let confirm =
        l.f.member
            .get(&format!("/stage/{}/promote", l.pipeline.stages[0].id))
            .await?;
    assert_eq!(
        confirm.text(".modules").as_deref(),
        Some("node-red-node-random 0.4.1")
    );
    let plan = confirm.text(".plan").unwrap_or_default();
    assert!(
        plan.contains("Production restarts to load the new nodes"),
        "{plan}"
    );

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert!(done.restarted, "it restarted to load the module");
    assert_ne!(app.pid(&l.prod), prod_pid);
    let roll: Value = app.flow_json_eventually(&l.prod, "/random").await?;
    assert!(
        roll.as_i64().is_some_and(|n| (1..=6).contains(&n)),
        "{roll}"
    );
    let catalog = app.client(&l.prod)?.catalog().await?;
    assert_eq!(
        catalog.modules.get(RANDOM).map(String::as_str),
        Some("0.4.1")
    );
    assert!(
        !settings_of(app, &l.prod).await?.palette_allow_install,
        "its palette setting is untouched"
    );
    let history =
        l.f.member
            .get(&format!("/pipeline/{}/history", l.pipeline.pipeline.id))
            .await?;
    assert!(
        history.body.contains(
            "Installed node-red-node-random on Production (with npm, then restarted it)."
        ),
        "the audit trail says so"
    );
    Ok(())
}

#[tokio::test]
async fn a_module_the_targets_deny_list_names_is_refused_before_anything_changes() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.client(&l.dev)?.install_module(RANDOM, "0.4.1").await?;
    app.deploy(&l.dev, "extra-module.json", None).await?;
    lock_palette(&l, &["node-red-node-*"]).await?;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    let prod_pid = app.pid(&l.prod);

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::FAILED);
    let error = done.error.unwrap_or_default();
    assert_eq!(
        error,
        "Production's palette denies module node-red-node-random 0.4.1 (deny list entry \
         \"node-red-node-*\"), and these flows need it; nothing was changed."
    );
    assert!(done.snapshot_before.is_none());
    assert_eq!(app.pid(&l.prod), prod_pid, "no restart");
    let prod_dir = app.settings.instances_dir().join(&l.prod);
    assert!(!prod_dir.join("node_modules").join(RANDOM).exists());
    let hello: Value = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("0"));
    Ok(())
}

/// Production's palette: no installs from the editor, `deny` listed; applied by a restart.
async fn lock_palette(l: &Line, deny: &[&str]) -> Res<()> {
    let mut settings = settings_of(&l.app, &l.prod).await?;
    settings.palette_allow_install = false;
    settings.palette_deny_list = deny.join("\n");
    save_settings(&l.app, settings).await?;
    restart_instance(&l.app, &l.f.member, &l.prod).await?;
    Ok(())
}

#[tokio::test]
async fn a_node_type_the_source_lacks_too_is_refused_before_anything_is_installed() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    app.client(&l.dev)?.install_module(RANDOM, "0.4.1").await?;
    // Development's flows wait for a type nothing provides (say its module was removed).
    let mut flows = flow_file("extra-module.json")?;
    flows
        .as_array_mut()
        .ok_or("flows are not an array")?
        .push(json!({"id": "gone", "type": "acme-widget", "z": "mod_tab", "wires": []}));
    deploy_json(app, &l.dev, &flows).await?;

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::FAILED);
    let error = done.error.unwrap_or_default();
    assert!(
        error.starts_with("Development's flows use the node type \"acme-widget\""),
        "{error}"
    );
    assert!(error.contains("nothing was changed"), "{error}");
    assert!(done.snapshot_before.is_none(), "refused before any change");
    let catalog = app.client(&l.prod)?.catalog().await?;
    assert!(
        !catalog.modules.contains_key(RANDOM),
        "nothing was installed"
    );
    let hello: Value = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("0"));
    Ok(())
}
