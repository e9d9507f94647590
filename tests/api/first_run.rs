//! The README's run command, as a new user runs it: the built binary in a fresh working
//! directory, with the default (relative) data directory, or a relative `data_dir` from a config
//! file given by a relative path. An instance runs, a deployed flow answers, and a push to a
//! second instance works. Runtimes run with another working directory, so any relative path
//! handed to them breaks this.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::binary::*;
use crate::helpers::*;

/// Deploy hello.json into the instance through its editor, and wait until it answers.
async fn deploy_and_call(who: &Browser, instance: &str) -> Res<Value> {
    let editor = at_origin(who, instance).await?;
    let deployed = editor
        .client
        .post(format!("{}/editor/flows", editor.base))
        .header("Origin", &editor.base)
        .header("Node-RED-API-Version", "v2")
        .header("Node-RED-Deployment-Type", "full")
        .json(&json!({ "flows": flow_file("hello.json")? }))
        .send()
        .await?;
    assert_eq!(
        deployed.status(),
        StatusCode::OK,
        "deploy through the editor"
    );
    answer(who, instance).await
}

/// The instance's `/hello` endpoint on its own origin, once it answers (to anyone: no cookie).
async fn answer(who: &Browser, instance: &str) -> Res<Value> {
    let origin = at_origin(who, instance).await?;
    let anyone = Browser::at_origin(&origin.base, socket_of(&origin.base)?);
    let page = eventually(&anyone, "/hello", |p| p.status == StatusCode::OK).await?;
    Ok(serde_json::from_str(&page.body)?)
}

/// Sign in, build Development -> Production, deploy into Development, push it to Production.
async fn walk_through(url: &str, password: &str) -> TestResult {
    let admin = Browser::new(url);
    assert_eq!(
        admin.login("admin", password).await?.status,
        StatusCode::SEE_OTHER
    );
    let team = [("name", "Plant Ops"), ("slug", "plant-ops")];
    assert_eq!(
        admin.post("/teams", &team).await?.status,
        StatusCode::SEE_OTHER
    );
    let app = [("name", "Line 1"), ("description", "")];
    let app = create(
        &admin,
        "/team/plant-ops/applications",
        &app,
        "/application/",
    )
    .await?;
    let instances = format!("/application/{app}/instances");
    let dev = create(&admin, &instances, &[("name", "Development")], "/instance/").await?;
    let prod = create(&admin, &instances, &[("name", "Production")], "/instance/").await?;
    for id in [&dev, &prod] {
        admin.wait_for_state(id, "running").await?;
    }
    let hello = deploy_and_call(&admin, &dev).await?;
    assert_eq!(hello["flowVersion"], json!("1"));

    let pipelines = format!("/application/{app}/pipelines");
    admin.post(&pipelines, &[("name", "Release")]).await?;
    let page = admin.get(&pipelines).await?;
    let pipeline = page.attr("section.pipeline", "id").ok_or("no pipeline")?;
    let pipeline = pipeline.trim_start_matches("pipeline-").to_owned();
    for (name, id) in [("Development", &dev), ("Production", &prod)] {
        let form = [("name", name), ("instance", id.as_str())];
        let added = admin
            .post(&format!("/pipeline/{pipeline}/stages"), &form)
            .await?;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let page = admin.get(&pipelines).await?;
    let first = page.attr(".stage-card", "id").ok_or("no stage card")?;
    let first = first.trim_start_matches("stage-").to_owned();
    let started = admin.post(&format!("/stage/{first}/promote"), &[]).await?;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let pushed = answer(&admin, &prod).await?;
    assert_eq!(pushed, hello, "Production serves what Development served");
    Ok(())
}

#[tokio::test]
async fn the_readme_run_command_works_from_a_fresh_directory_with_the_default_data_dir()
-> TestResult {
    let cwd = tempfile::tempdir()?;
    link_node_red(&cwd.path().join("data"))?;
    let Binary {
        child: _server,
        url,
        password,
    } = run_in(cwd.path(), &[], &[]).await?;
    walk_through(&url, &password.ok_or("no generated password printed")?).await?;
    assert!(
        cwd.path().join("data/redstage.sqlite").is_file(),
        "the default data directory is ./data"
    );
    Ok(())
}

#[tokio::test]
async fn a_relative_data_dir_in_a_config_file_is_relative_to_that_file() -> TestResult {
    let root = tempfile::tempdir()?;
    let (etc, elsewhere) = (root.path().join("etc"), root.path().join("elsewhere"));
    std::fs::create_dir_all(&elsewhere)?;
    std::fs::create_dir_all(&etc)?;
    std::fs::write(etc.join("redstage.toml"), "data_dir = \"state\"\n")?;
    link_node_red(&etc.join("state"))?;
    let Binary {
        child: _server,
        url,
        password,
    } = run_in(&elsewhere, &["--config", "../etc/redstage.toml"], &[]).await?;
    walk_through(&url, &password.ok_or("no generated password printed")?).await?;
    assert!(
        etc.join("state/redstage.sqlite").is_file(),
        "next to the file"
    );
    assert!(
        std::fs::read_dir(&elsewhere)?.next().is_none(),
        "nothing in the working directory"
    );
    Ok(())
}
