//! The server's log never holds a secret: not env values, credentials (deployed or promoted),
//! passwords (right or wrong), nor the cookies and tickets of sessions; checked on the real
//! binary's log at debug level. `redstage --check-sandbox` says whether the sandbox works.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::binary::*;
use crate::helpers::*;

const ADMIN_PW: &str = "admin-secret-pass-1";
const ENV_VALUE: &str = "envvalue-7f3a9-hidden";
const BASIC_PW: &str = "device-pass-5k2";
const WRONG_PW: &str = "wrong-pass-x9q";

#[tokio::test]
async fn secrets_never_reach_the_servers_log() -> TestResult {
    let cwd = tempfile::tempdir()?;
    link_node_red(&cwd.path().join("data"))?;
    let log_path = cwd.path().join("server.log");
    let env = [
        ("RUST_LOG", "debug,hyper=info,h2=info,reqwest=info"),
        ("REDSTAGE_ADMIN_USER", "admin"),
        ("REDSTAGE_ADMIN_PASSWORD", ADMIN_PW),
    ];
    let server = run_logged(
        cwd.path(),
        &[],
        &env,
        Some(std::fs::File::create(&log_path)?),
    )
    .await?;
    let admin = Browser::new(&server.url);
    let wrong = Browser::new(&server.url).login("admin", WRONG_PW).await?;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        admin.login("admin", ADMIN_PW).await?.status,
        StatusCode::SEE_OTHER
    );
    admin
        .post("/teams", &[("name", "Plant Ops"), ("slug", "plant-ops")])
        .await?;
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
    let env = [
        ("key", "GREETING"),
        ("value", ENV_VALUE),
        ("hidden", "true"),
    ];
    admin
        .post(&format!("/instance/{dev}/settings/environment"), &env)
        .await?;
    let basic = [
        ("http_auth", "basic"),
        ("http_auth_user", "device"),
        ("http_auth_password", BASIC_PW),
    ];
    admin
        .post(&format!("/instance/{prod}/settings/security"), &basic)
        .await?;
    for id in [&dev, &prod] {
        admin.wait_for_state(id, "running").await?;
    }
    // Credentials deployed through the editor, then pushed to Production.
    let editor = at_origin(&admin, &dev).await?;
    let creds = flow_file("credentials.creds.json")?;
    let body = json!({ "flows": flow_file("credentials.json")?, "credentials": creds });
    let deployed = editor
        .client
        .post(format!("{}/editor/flows", editor.base))
        .header("Origin", &editor.base)
        .header("Node-RED-API-Version", "v2")
        .json(&body)
        .send()
        .await?;
    assert_eq!(deployed.status(), StatusCode::OK);
    let pipelines = format!("/application/{app}/pipelines");
    admin.post(&pipelines, &[("name", "Release")]).await?;
    let page = admin.get(&pipelines).await?;
    let pipeline = page.attr("section.pipeline", "id").ok_or("no pipeline")?;
    let pipeline = pipeline.trim_start_matches("pipeline-").to_owned();
    for (name, id) in [("Development", &dev), ("Production", &prod)] {
        let form = [("name", name), ("instance", id.as_str())];
        admin
            .post(&format!("/pipeline/{pipeline}/stages"), &form)
            .await?;
    }
    let first = admin
        .get(&pipelines)
        .await?
        .attr(".stage-card", "id")
        .ok_or("no card")?;
    let first = first.trim_start_matches("stage-").to_owned();
    admin.post(&format!("/stage/{first}/promote"), &[]).await?;
    let history = format!("/pipeline/{pipeline}/history");
    eventually(&admin, &history, |p| {
        p.count("tr.deployment-succeeded") == 1
    })
    .await?;
    let cookies = [admin.cookie_header(), editor.cookie_header()];
    drop(server);

    let log = std::fs::read_to_string(&log_path)?;
    assert!(
        log.contains("signed in") && log.contains("DEBUG"),
        "a real log: {log}"
    );
    let mut secrets = vec![
        ENV_VALUE,
        BASIC_PW,
        WRONG_PW,
        ADMIN_PW,
        "s3cret-from-dev",
        "mqtt-pass",
    ];
    let values: Vec<String> = cookies
        .iter()
        .flatten()
        .flat_map(|c| {
            c.split("; ")
                .filter_map(|p| p.split_once('=').map(|(_, v)| v.to_owned()))
        })
        .collect();
    secrets.extend(values.iter().map(String::as_str));
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
    Ok(())
}

#[tokio::test]
async fn check_sandbox_says_whether_runtimes_can_be_sandboxed() -> TestResult {
    let check = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(BIN);
        command
            .arg("--check-sandbox")
            .env_remove("REDSTAGE_SANDBOX");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output()
    };
    let works = check(&[])?;
    let said = String::from_utf8_lossy(&works.stdout).into_owned();
    assert!(
        works.status.success() && said.contains("The sandbox works"),
        "{said}"
    );
    let off = check(&[("REDSTAGE_SANDBOX", "off")])?;
    assert!(!off.status.success());
    assert!(String::from_utf8_lossy(&off.stdout).contains("turned off"));
    let missing = check(&[("REDSTAGE_SANDBOX", "required"), ("PATH", "/nowhere")])?;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stdout).contains("bubblewrap is not installed"));
    let bad = check(&[("REDSTAGE_SANDBOX", "sometimes")])?;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use auto, required or off"));
    Ok(())
}
