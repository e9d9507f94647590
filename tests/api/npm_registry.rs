//! The npm registry setting (`REDSTAGE_NPM_REGISTRY`): refused at start unless it is a plain
//! http(s) URL; and the tests' own registry it points at, which serves the fixture modules only.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha512};

use crate::helpers::TestResult;
use crate::helpers::binary::BIN;
use crate::helpers::registry::{registry, tarball_path};

/// The published `dist.integrity` of node-red-node-random 0.4.1 (tests/fixtures/npm/README.md).
const RANDOM_INTEGRITY: &str = "sha512-GwW0vJeEQNSEwshUQOwN0LMhmD5LQaBdT4I2WFR6yN0jU1baxtqH0ljQo1tCacb/KOi/cLWG6yxTS0AiQPNHIw==";

/// The server started with `registry` as its npm registry: its exit status and stderr.
async fn start_with_registry(registry: &str) -> crate::helpers::Res<(bool, String)> {
    let data = tempfile::tempdir()?;
    let run = tokio::process::Command::new(BIN)
        .env("REDSTAGE_BIND", "127.0.0.1:0")
        .env("REDSTAGE_DATA_DIR", data.path())
        .env("REDSTAGE_NPM_REGISTRY", registry)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(crate::helpers::patience(30), run).await??;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    Ok((output.status.success(), stderr))
}

#[tokio::test]
async fn a_registry_that_is_not_an_http_url_is_refused_at_start() -> TestResult {
    let (ok, stderr) = start_with_registry("ftp://mirror.example.com/npm/").await?;
    assert!(!ok, "the server must not start");
    assert!(
        stderr.contains(
            "REDSTAGE_NPM_REGISTRY: \"ftp://mirror.example.com/npm/\" is not an npm registry \
             URL: it must start with http:// or https://."
        ),
        "{stderr}"
    );
    let (ok, stderr) = start_with_registry("https://me:hunter2@npm.example.com/").await?;
    assert!(!ok, "the server must not start");
    assert!(
        stderr.contains("must not hold a user name or password"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2"),
        "the password is not repeated: {stderr}"
    );
    Ok(())
}

#[tokio::test]
async fn the_tests_registry_serves_the_fixture_modules_and_nothing_else() -> TestResult {
    let base = &registry().url;
    let http = reqwest::Client::new();
    let bytes = std::fs::read(tarball_path("node-red-node-random", "0.4.1"))?;
    let computed = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes))
    );
    assert_eq!(
        computed, RANDOM_INTEGRITY,
        "the fixture is the published file"
    );

    let packument: Value = http
        .get(format!("{base}node-red-node-random"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(packument["dist-tags"]["latest"], "0.4.1");
    let dist = &packument["versions"]["0.4.1"]["dist"];
    assert_eq!(dist["integrity"], RANDOM_INTEGRITY);
    assert_eq!(dist["shasum"], "f92557f962c6c973706a05c96f292f843af817a3");
    let tarball = dist["tarball"].as_str().ok_or("no tarball")?;
    assert!(tarball.starts_with(base.as_str()), "{tarball}");
    let served = http.get(tarball).send().await?.error_for_status()?;
    assert_eq!(served.bytes().await?.as_ref(), bytes.as_slice());

    for other in [
        "node-red",
        "left-pad",
        "@scope%2fname",
        "-/npm/v1/security/audits",
    ] {
        let answer = http.get(format!("{base}{other}")).send().await?;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{other}");
    }
    let log = registry().requests();
    assert!(
        log.iter().any(|r| r == "GET /left-pad -> 404"),
        "requests are logged: {log:?}"
    );
    Ok(())
}
