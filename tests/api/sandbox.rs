//! Runtimes in the sandbox: a member's flow with `exec`, `file in` and `file` nodes cannot read or
//! change the server's keys, its database or another instance's files, nor call another runtime's
//! loopback port, while its own files work. The instance page says it is sandboxed.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// GET a probe endpoint of the flow with `query` (URL-encoded here).
async fn probe(origin: &Browser, path: &str, key: &str, value: &str) -> Res<Value> {
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let page = origin.get(&format!("{path}?{key}={encoded}")).await?;
    assert_eq!(page.status, StatusCode::OK, "{path} {value}: {}", page.body);
    Ok(serde_json::from_str(&page.body)?)
}

#[tokio::test]
async fn a_flow_cannot_reach_anything_outside_its_own_instance() -> TestResult {
    let app = spawn_app().await;
    assert!(
        app.runtimes.sandbox().await.active(),
        "these tests need bubblewrap (apt-get install bubblewrap): {:?}",
        app.runtimes.sandbox().await.problem
    );
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let sibling = app.instance(&f.member, &f.app_id, "Production").await?;
    for id in [&dev, &sibling] {
        f.member.wait_for_state(id, "running").await?;
    }
    app.deploy(&sibling, "hello.json", None).await?;
    app.deploy(&dev, "sandbox-probe.json", None).await?;
    app.flow_json_eventually(&dev, "/exec?cmd=true").await?;
    let flow = app.stranger_at(&dev).await?;

    let data = app.settings.data_dir.clone();
    let own = app.runtimes.user_dir(&dev.clone().into());
    let theirs = app.runtimes.user_dir(&sibling.clone().into());
    let secrets = [
        data.join("session.key"),
        data.join("runtime.key"),
        data.join("redstage.sqlite"),
        theirs.join("flows.json"),
        theirs.join("settings.js"),
    ];
    for secret in &secrets {
        let path = secret.display().to_string();
        let exec = probe(&flow, "/exec", "cmd", &format!("cat '{path}'")).await?;
        assert_ne!(exec["code"], 0, "exec read {path}: {exec}");
        let read = probe(&flow, "/file", "path", &path).await?;
        assert_eq!(read["ok"], false, "file in read {path}: {read}");
    }
    // What it sees of the data directory is the path to its own userDir, nothing more.
    let list = |dir: &std::path::Path| format!("ls -a '{}'", dir.display());
    let top = probe(&flow, "/exec", "cmd", &list(&data)).await?;
    assert_eq!(top["stdout"], ".\n..\ninstances\n", "{top}");
    let instances = probe(&flow, "/exec", "cmd", &list(&data.join("instances"))).await?;
    assert_eq!(
        instances["stdout"],
        format!(".\n..\n{dev}\n"),
        "{instances}"
    );
    let other = probe(&flow, "/exec", "cmd", &list(&theirs)).await?;
    assert_ne!(other["code"], 0, "{other}");
    let target = theirs.join("flows.json").display().to_string();
    let written = probe(&flow, "/write", "path", &target).await?;
    assert_eq!(written["ok"], false, "wrote into another instance");
    assert!(std::fs::read_to_string(theirs.join("flows.json"))?.contains("hello_tab"));

    // Its own files work as ever.
    let mine = probe(&flow, "/exec", "cmd", "cat flows.json").await?;
    assert_eq!(mine["code"], 0, "{mine}");
    let note = own.join("note.txt").display().to_string();
    assert_eq!(probe(&flow, "/write", "path", &note).await?["ok"], true);
    assert_eq!(probe(&flow, "/file", "path", &note).await?["head"], "probe");

    // Another runtime's port answers nothing to a flow: not its admin API, not its endpoints.
    let port = app
        .client(&sibling)?
        .base_url()
        .rsplit(':')
        .next()
        .unwrap_or("0")
        .to_owned();
    for path in ["/editor/settings", "/editor/flows", "/hello"] {
        let url = format!("http://127.0.0.1:{port}{path}");
        let fetched = probe(&flow, "/fetch", "url", &url).await?;
        assert_eq!(fetched["status"], 403, "{path}: {fetched}");
    }

    // Seen from outside: another mount namespace, where the server's files do not exist.
    let pid = app.pid(&dev).ok_or("no pid")?;
    let ours = std::fs::read_link("/proc/self/ns/mnt")?;
    assert_ne!(std::fs::read_link(format!("/proc/{pid}/ns/mnt"))?, ours);
    let inside = format!("/proc/{pid}/root{}", data.join("session.key").display());
    assert!(!std::path::Path::new(&inside).exists(), "{inside}");
    let overview = f.member.get(&format!("/instance/{dev}/overview")).await?;
    assert!(
        overview
            .text(".sandbox")
            .is_some_and(|t| t.starts_with("Sandboxed"))
    );
    Ok(())
}

#[tokio::test]
async fn without_the_sandbox_administrators_are_told_on_every_page() -> TestResult {
    let app = spawn_app_with(|s| s.sandbox = redstage::nodered::sandbox::SandboxMode::Off).await;
    let f = fixture(&app).await?;
    for path in ["/account", "/admin/users", "/teams/new"] {
        let page = app.admin.get(path).await?;
        let banner = page.text(".sandbox-banner").unwrap_or_default();
        assert!(
            banner.contains("without a sandbox") && banner.contains("bubblewrap"),
            "{path}"
        );
    }
    let member = f.member.get("/account").await?;
    assert_eq!(member.count(".sandbox-banner"), 0, "for administrators");
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    let overview = f.member.get(&format!("/instance/{id}/overview")).await?;
    assert!(
        overview
            .text(".sandbox")
            .is_some_and(|t| t.starts_with("Not sandboxed"))
    );
    Ok(())
}

#[tokio::test]
async fn only_administrators_give_a_sandbox_more_folders_and_they_show() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    app.add_member(&f.owner, "plant-ops", ADMIN, "owner")
        .await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&dev, "running").await?;
    let shared = tempfile::tempdir()?;
    std::fs::write(shared.path().join("recipe.txt"), "shared recipe")?;
    let folder = shared.path().canonicalize()?.display().to_string();
    let mounts = format!("/instance/{dev}/settings/mounts");
    let line = format!("ro {folder}");

    let member = f.member.post(&mounts, &[("sandbox_mounts", &line)]).await?;
    assert_eq!(member.status, StatusCode::FORBIDDEN, "members cannot");
    let data = app.settings.data_dir.display().to_string();
    for bad in [
        format!("ro {data}"),
        "ro /nonexistent-folder".into(),
        format!("rx {folder}"),
    ] {
        let page = app.admin.post(&mounts, &[("sandbox_mounts", &bad)]).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.field_error("sandbox_mounts").is_some(), "{bad}");
    }
    let saved = app
        .admin
        .post(&mounts, &[("sandbox_mounts", &line)])
        .await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let security = f
        .viewer
        .get(&format!("/instance/{dev}/settings/security"))
        .await?;
    assert_eq!(
        security.text("pre.sandbox-mounts").as_deref(),
        Some(line.as_str()),
        "shown"
    );

    let old = app.pid(&dev);
    f.member
        .post(&format!("/instance/{dev}/restart"), &[])
        .await?;
    app.wait_for_new_process(&f.member, &dev, old).await?;
    app.deploy(&dev, "sandbox-probe.json", None).await?;
    app.flow_json_eventually(&dev, "/exec?cmd=true").await?;
    let flow = app.stranger_at(&dev).await?;
    let recipe = format!("{folder}/recipe.txt");
    assert_eq!(
        probe(&flow, "/file", "path", &recipe).await?["head"],
        "shared recipe"
    );
    let write = probe(&flow, "/write", "path", &format!("{folder}/new.txt")).await?;
    assert_eq!(write["ok"], false, "read-only: {write}");

    let copy = f
        .member
        .post(
            &format!("/instance/{dev}/duplicate"),
            &[("name", "Copy"), ("env", "values")],
        )
        .await?;
    let copy = copy
        .location
        .as_deref()
        .and_then(|l| l.split('/').nth(2))
        .ok_or("no copy")?
        .to_owned();
    let theirs = f
        .viewer
        .get(&format!("/instance/{copy}/settings/security"))
        .await?;
    assert_eq!(
        theirs.text(".sandbox-mounts").as_deref(),
        Some("None."),
        "not copied"
    );
    Ok(())
}
