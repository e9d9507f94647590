//! Promotions over real Node-RED runtimes (DESIGN.md "Promotion: what play does"): flows,
//! credentials and env KEYS travel from one stage's instance to the next one's; the target's env
//! values and settings stay; modules are installed first or the play is refused untouched; one
//! promotion per target at a time; a target that dies mid-way, or a server that stops mid-way,
//! ends with the target restored from its snapshot. This file holds the successful promotions;
//! `modules`, `refusals` and `restores` the others. Pipelines are made through the db models and play is
//! pressed by calling `promotion::start` as the web layer does.

use redstage::db::models::deployments::status;
use redstage::db::models::snapshots::{self, kind};
use redstage::domain::roles::Role;
use redstage::nodered::credentials;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::promotion::*;
use crate::helpers::*;

mod holds;
mod modules;
mod refusals;
mod restores;
mod rollback;

/// A team's application with a Development and a Production instance, both running with the
/// given env vars, and a pipeline Development -> Production.
pub(crate) struct Line {
    pub(crate) app: TestApp,
    pub(crate) f: Fixture,
    pub(crate) dev: String,
    pub(crate) prod: String,
    pub(crate) pipeline: TestPipeline,
}

pub(crate) async fn line(dev_env: &[(&str, &str)], prod_env: &[(&str, &str)]) -> Res<Line> {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    let (a, b) = tokio::join!(
        running_with(&app, &f.member, &dev, dev_env),
        running_with(&app, &f.member, &prod, prod_env)
    );
    a?;
    b?;
    let stages = [("Development", dev.as_str()), ("Production", prod.as_str())];
    let pipeline = db_pipeline(&app, &f.app_id, &stages).await?;
    Ok(Line {
        app,
        f,
        dev,
        prod,
        pipeline,
    })
}

/// Wait until `id` runs, then give it `env` (restarting it so that its process has them).
async fn running_with(app: &TestApp, who: &Browser, id: &str, env: &[(&str, &str)]) -> Res<()> {
    who.wait_for_state(id, "running").await?;
    for (key, value) in env {
        set_env(who, id, key, value).await?;
    }
    if !env.is_empty() {
        restart_instance(app, who, id).await?;
    }
    Ok(())
}

const EXPECTED_CREDS: &str = r#"{"user":"pipeline-user","password":"s3cret-from-dev"}"#;

#[tokio::test]
async fn play_puts_the_source_flows_on_the_next_stage_with_its_own_env_values_and_no_restart()
-> TestResult {
    let l = line(&[("GREETING", "dev")], &[("GREETING", "prod")]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    app.flow_json_eventually(&l.prod, "/hello").await?;
    let (dev_pid, prod_pid) = (app.pid(&l.dev), app.pid(&l.prod));

    let id = l.pipeline.play(app, 0, "mark", Role::Member).await?;
    let (done, steps) = finished(app, &id).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert_eq!(done.step.as_str(), "done");
    assert!(done.duration_ms().is_some_and(|ms| ms >= 0));
    assert!(!done.restarted);
    assert!(done.new_keys().is_empty(), "GREETING exists on both");
    assert_eq!(steps.last().map(String::as_str), Some("done"));
    // Verified means running: the new flow answers at once, no retry needed.
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    assert_eq!(hello["greeting"], json!("prod"), "the target's own value");
    assert_eq!(app.pid(&l.prod), prod_pid, "Production was not restarted");
    let hello = app.flow_json_eventually(&l.dev, "/hello").await?;
    assert_eq!(
        (hello["greeting"].clone(), hello["flowVersion"].clone()),
        (json!("dev"), json!("1"))
    );
    assert_eq!(app.pid(&l.dev), dev_pid, "Development was not restarted");

    let actions = l.pipeline.audit_actions(app).await?;
    assert_eq!(actions, ["promotion.started", "promotion.succeeded"]);
    let before = done.snapshot_before.ok_or("no snapshot")?;
    let snapshot = db(app, move |c| Ok(snapshots::find(c, &before)?)).await?;
    assert_eq!(snapshot.kind, kind::BEFORE_PROMOTION);
    assert!(
        snapshot.flows.contains(r#""value":"0""#),
        "the old flows were kept"
    );
    assert!(
        snapshot.credentials.starts_with(r#"{"$":"#),
        "credentials stored encrypted"
    );
    assert!(done.snapshot_promoted.is_some());
    Ok(())
}

#[tokio::test]
async fn credentials_arrive_encrypted_and_survive_repeated_plays_and_a_restart() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "credentials.json", Some("credentials.creds.json"))
        .await?;

    for round in 1..=2 {
        let done = l.pipeline.promote(app, 0).await?;
        assert_eq!(
            done.status,
            status::SUCCEEDED,
            "round {round}: {:?}",
            done.error
        );
        let answer: Value = app.flow_get(&l.prod, "/cred-check").await?.json().await?;
        assert_eq!(
            answer,
            serde_json::from_str::<Value>(EXPECTED_CREDS)?,
            "round {round}"
        );
    }
    let file = app
        .settings
        .instances_dir()
        .join(&l.prod)
        .join("flows_cred.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    assert!(credentials::is_encrypted(&file), "never plaintext on disk");
    let secret = instance_record(app, &l.prod).await?.credential_secret;
    let mut stored = credentials::decrypt(&secret, &file)?;
    credentials::strip_deploy_nonce(&mut stored);
    assert_eq!(stored["cred_req"]["password"], json!("s3cret-from-dev"));

    restart_instance(app, &l.f.member, &l.prod).await?;
    let answer = app.flow_json_eventually(&l.prod, "/cred-check").await?;
    assert_eq!(
        answer,
        serde_json::from_str::<Value>(EXPECTED_CREDS)?,
        "after a restart"
    );
    Ok(())
}

#[tokio::test]
async fn only_env_keys_travel_and_the_target_keeps_its_values_and_its_own_keys() -> TestResult {
    let dev_env = [("A", "dev-a"), ("B", "dev-b")];
    let l = line(&dev_env, &[("A", "prod"), ("C", "only-here")]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;
    let prod_pid = app.pid(&l.prod);

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert_eq!(done.new_keys(), ["B"]);
    assert!(
        !done.restarted,
        "a key without a value changes nothing in the process"
    );
    assert_eq!(app.pid(&l.prod), prod_pid);
    let env: Vec<(String, Option<String>)> = env_of(app, &l.prod)
        .await?
        .into_iter()
        .map(|v| (v.key, v.value))
        .collect();
    let want = [("A", Some("prod")), ("B", None), ("C", Some("only-here"))];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
        .collect();
    assert_eq!(env, want);
    let dev: Vec<Option<String>> = env_of(app, &l.dev)
        .await?
        .into_iter()
        .map(|v| v.value)
        .collect();
    assert_eq!(
        dev,
        [Some("dev-a".to_owned()), Some("dev-b".to_owned())],
        "source untouched"
    );
    Ok(())
}

#[tokio::test]
async fn pending_env_changes_on_the_target_restart_it_and_the_new_flows_still_run() -> TestResult {
    let l = line(&[], &[("GREETING", "old")]).await?;
    let app = &l.app;
    app.deploy(&l.dev, "hello.json", None).await?;
    set_env(&l.f.member, &l.prod, "LATER", "set-but-not-applied").await?;
    let prod_pid = app.pid(&l.prod);

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert!(done.restarted, "the process had to get LATER");
    assert_ne!(app.pid(&l.prod), prod_pid);
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}

#[tokio::test]
async fn the_targets_settings_are_never_taken_from_the_source() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    let mut prod_settings = settings_of(app, &l.prod).await?;
    prod_settings.editor_title = "Prod editor".into();
    prod_settings.http_auth_user = Some("plant".into());
    prod_settings.http_auth_pass_hash = Some(bcrypt::hash("line-1-secret", 4)?);
    prod_settings.endpoint_access = "basic".into();
    save_settings(app, prod_settings.clone()).await?;
    let mut dev_settings = settings_of(app, &l.dev).await?;
    dev_settings.editor_title = "Dev editor".into();
    save_settings(app, dev_settings).await?;
    restart_instance(app, &l.f.member, &l.prod).await?;
    app.deploy(&l.dev, "hello.json", None).await?;

    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert_eq!(settings_of(app, &l.prod).await?, prod_settings);
    let (direct, port) = app.runtime_http(&l.prod)?;
    let editor = direct
        .get(format!("{port}/editor/"))
        .bearer_auth(app.runtimes.token(
            &l.prod.clone().into(),
            redstage::nodered::tokens::Access::Full,
        ))
        .send()
        .await?
        .text()
        .await?;
    assert!(editor.contains("<title>Prod editor</title>"), "{editor}");
    let anonymous = app.flow_get(&l.prod, "/hello").await?;
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "still protected"
    );
    let stranger = app.stranger_at(&l.prod).await?;
    let hello: Value = stranger
        .client
        .get(format!("{}/hello", stranger.base))
        .basic_auth("plant", Some("line-1-secret"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}

#[tokio::test]
async fn a_target_without_an_editor_is_verified_by_its_revision() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    let mut settings = settings_of(app, &l.prod).await?;
    settings.editor_enabled = false;
    save_settings(app, settings).await?;
    restart_instance(app, &l.f.member, &l.prod).await?;
    app.deploy(&l.dev, "hello.json", None).await?;

    // Its /comms never answers: the promotion must not wait on it.
    let done = l.pipeline.promote(app, 0).await?;

    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    let hello = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}
