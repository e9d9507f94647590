//! Instances over real Node-RED runtimes: create, run flows with their own environment, restart,
//! crash recovery, stop/start, server restarts.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

mod health;
mod ports;

#[tokio::test]
async fn an_instance_runs_its_flows_with_its_own_environment() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let card = f.member.wait_for_state(&id, "running").await?;
    assert!(
        card.text(".status-head small")
            .is_some_and(|t| t.starts_with("Listening on 127.0.0.1:"))
    );
    let port = app
        .client(&id)?
        .base_url()
        .rsplit(':')
        .next()
        .ok_or("no port")?
        .parse::<u16>()?;
    assert_eq!(
        listen_addresses(port)?,
        ["0100007F"],
        "Node-RED listens on 127.0.0.1 only"
    );

    let env = format!("/instance/{id}/settings/environment");
    let page = f
        .member
        .post(&env, &[("key", "GREETING"), ("value", "dev")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let settings = f.member.get(&env).await?;
    assert!(
        settings.text(".restart-banner").is_some(),
        "saving says a restart applies it"
    );
    let old = app.pid(&id);
    assert_eq!(
        f.member
            .post(&format!("/instance/{id}/restart"), &[])
            .await?
            .status,
        StatusCode::SEE_OTHER
    );
    app.wait_for_new_process(&f.member, &id, old).await?;
    assert!(
        f.member.get(&env).await?.text(".restart-banner").is_none(),
        "applied"
    );

    app.deploy(&id, "hello.json", None).await?;
    let hello = app.flow_json_eventually(&id, "/hello").await?;
    assert_eq!(hello["greeting"], json!("dev"));
    assert_eq!(hello["flowVersion"], json!("1"));

    let edit = format!("/instance/{id}/settings/environment/GREETING");
    let page = f
        .member
        .post(&edit, &[("key", "GREETING"), ("value", "dev, changed")])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let old = app.pid(&id);
    f.member
        .post(&format!("/instance/{id}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &id, old).await?;
    let hello = app.flow_json_eventually(&id, "/hello").await?;
    assert_eq!(
        hello["greeting"],
        json!("dev, changed"),
        "the new value after a restart"
    );
    Ok(())
}

#[tokio::test]
async fn a_killed_runtime_is_shown_crashed_and_restarted() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    let pid = app.pid(&id).ok_or("no pid")?;

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid)?),
        nix::sys::signal::Signal::SIGKILL,
    )?;
    let card = f.member.wait_for_state(&id, "crashed").await?;
    assert!(
        card.text("[data-state]")
            .is_some_and(|t| t.starts_with("Crashed — restarting in"))
    );
    assert!(
        card.text(".status-detail")
            .is_some_and(|t| t.contains("Node-RED exited unexpectedly"))
    );

    let new_pid = app.wait_for_new_process(&f.member, &id, Some(pid)).await?;
    assert_ne!(new_pid, pid);
    let card = f.member.wait_for_state(&id, "running").await?;
    assert!(card.body.contains("Last crash"), "the crash stays visible");
    app.flow_json_eventually(&id, "/hello").await?;
    let logs = f.member.get(&format!("/instance/{id}/logs")).await?;
    assert!(logs.body.contains("Node-RED exited unexpectedly"));
    Ok(())
}

#[tokio::test]
async fn stopping_and_starting_an_instance() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    let base = app.client(&id)?.base_url().to_owned();

    // htmx asks for the card; a plain form post gets a redirect.
    let token = f.member.csrf().await?;
    let url = format!("{}/instance/{id}/stop", app.address);
    let card = f
        .member
        .client
        .post(&url)
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .send()
        .await?;
    assert_eq!(card.status(), StatusCode::OK);
    assert!(card.text().await?.contains("data-state=\"stopped\""));
    assert!(
        reqwest::get(format!("{base}/hello")).await.is_err(),
        "the process is gone"
    );
    assert_eq!(app.pid(&id), None);

    let page = f.member.post(&format!("/instance/{id}/start"), &[]).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    f.member.wait_for_state(&id, "running").await?;
    app.flow_json_eventually(&id, "/hello").await?;
    Ok(())
}

#[tokio::test]
async fn a_server_restart_brings_running_instances_back_and_leaves_stopped_ones() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let running = app.instance(&f.member, &f.app_id, "Development").await?;
    let stopped = app.instance(&f.member, &f.app_id, "QA").await?;
    f.member.wait_for_state(&running, "running").await?;
    f.member.wait_for_state(&stopped, "running").await?;
    app.deploy(&running, "hello.json", None).await?;
    f.member
        .post(&format!("/instance/{stopped}/stop"), &[])
        .await?;
    let old_pid = app.pid(&running).ok_or("no pid")?;

    let app = app.restart().await;
    let member = f.member.rebase(&app.address);
    assert!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(i32::try_from(old_pid)?), None).is_err(),
        "the old runtime stopped with its server"
    );
    member.wait_for_state(&running, "running").await?;
    let hello = app.flow_json_eventually(&running, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("1"), "its flows are back");
    let card = member
        .get_htmx(&format!("/instance/{stopped}/status"))
        .await?;
    assert_eq!(
        card.attr("[data-state]", "data-state").as_deref(),
        Some("stopped")
    );
    Ok(())
}

#[tokio::test]
async fn viewers_see_instances_but_cannot_control_them_and_outsiders_get_404() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;

    let card = f.viewer.wait_for_state(&id, "running").await?;
    assert_eq!(card.count("form"), 0, "no controls for viewers");
    let tab = f
        .viewer
        .get(&format!("/application/{}/instances", f.app_id))
        .await?;
    assert!(tab.body.contains("Development") && tab.count("form[action$='/instances']") == 0);
    for action in ["stop", "restart", "start"] {
        let page = f
            .viewer
            .post(&format!("/instance/{id}/{action}"), &[])
            .await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
    }
    let page = f
        .viewer
        .post(
            &format!("/application/{}/instances", f.app_id),
            &[("name", "Sneaky")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    f.member.wait_for_state(&id, "running").await?;

    for path in [
        "overview",
        "status",
        "logs",
        "settings/general",
        "settings/environment",
        "settings/danger",
    ] {
        assert_eq!(
            f.outsider
                .get(&format!("/instance/{id}/{path}"))
                .await?
                .status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for (path, form) in [
        ("stop", vec![]),
        ("settings/environment", vec![("key", "X"), ("value", "1")]),
        ("delete", vec![("confirm", "Development")]),
        ("duplicate", vec![("name", "Mine"), ("env", "values")]),
    ] {
        assert_eq!(
            f.outsider
                .post(&format!("/instance/{id}/{path}"), &form)
                .await?
                .status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    f.member.wait_for_state(&id, "running").await?;
    Ok(())
}

/// Local addresses (hex, as in /proc/net/tcp*) with a listening socket on `port`.
fn listen_addresses(port: u16) -> Res<Vec<String>> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(hex_port, 16)? == port {
                found.push(address.to_owned());
            }
        }
    }
    Ok(found)
}
