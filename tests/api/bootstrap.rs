//! The real binary: first start prints a generated administrator password once (a start that
//! cannot listen creates none, so none is lost); configured
//! administrators are created from the environment; restarts keep sessions; `--help` explains.

use std::process::Stdio;

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_redstage");

/// Start the binary on a free port; returns the child, its base URL and every line printed before it listened.
async fn run(
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> Res<(Child, String, Vec<String>)> {
    let mut child = Command::new(BIN)
        .env("REDSTAGE_DATA_DIR", data_dir)
        .env("REDSTAGE_BIND", "127.0.0.1:0")
        .env_remove("REDSTAGE_ADMIN_USER")
        .env_remove("REDSTAGE_ADMIN_PASSWORD")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let url = tokio::time::timeout(crate::helpers::patience(30), async {
        while let Some(line) = lines.next_line().await? {
            seen.push(line.clone());
            if let Some(rest) = line.strip_prefix("redstage is listening on ") {
                return Ok::<_, std::io::Error>(
                    rest.split_whitespace().next().unwrap_or("").to_owned(),
                );
            }
        }
        Ok(String::new())
    })
    .await??;
    assert!(url.starts_with("http://127.0.0.1:"), "printed: {seen:?}");
    Ok((child, url, seen))
}

fn printed_password(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|l| {
        l.trim()
            .strip_prefix("password:")
            .map(|p| p.trim().to_owned())
    })
}

#[tokio::test]
async fn first_start_prints_a_generated_admin_password_once_and_restarts_keep_sessions()
-> TestResult {
    let dir = tempfile::tempdir()?;
    let (mut first, url, lines) = run(dir.path(), &[]).await?;
    let password = printed_password(&lines).ok_or("no password printed")?;
    assert!(password.len() >= 16, "a strong password");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("user:") && l.contains("admin"))
    );
    let browser = Browser::new(&url);
    assert_eq!(
        browser.login("admin", &password).await?.status,
        StatusCode::SEE_OTHER
    );
    first.kill().await?;

    let (_second, url, lines) = run(dir.path(), &[]).await?;
    assert_eq!(printed_password(&lines), None, "printed only once");
    let browser = Browser {
        base: url,
        ..browser
    };
    assert_eq!(
        browser.get("/account").await?.status,
        StatusCode::OK,
        "still signed in after a restart"
    );
    Ok(())
}

#[tokio::test]
async fn a_first_start_that_cannot_listen_creates_no_administrator_so_the_next_prints_one()
-> TestResult {
    let dir = tempfile::tempdir()?;
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    let bind = taken.local_addr()?.to_string();
    let failed = Command::new(BIN)
        .env("REDSTAGE_DATA_DIR", dir.path())
        .env("REDSTAGE_BIND", &bind)
        .env_remove("REDSTAGE_ADMIN_USER")
        .env_remove("REDSTAGE_ADMIN_PASSWORD")
        .output()
        .await?;
    assert!(!failed.status.success());
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(said.contains(&format!("cannot listen on {bind}")), "{said}");
    // The password it would have printed is not lost with it: the next start prints one.
    let (_second, url, lines) = run(dir.path(), &[]).await?;
    let password = printed_password(&lines).ok_or(format!("no password: {lines:?}"))?;
    let browser = Browser::new(&url);
    assert_eq!(
        browser.login("admin", &password).await?.status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}

#[tokio::test]
async fn an_administrator_can_come_from_the_environment() -> TestResult {
    let dir = tempfile::tempdir()?;
    let env = [
        ("REDSTAGE_ADMIN_USER", "ops-admin"),
        ("REDSTAGE_ADMIN_PASSWORD", "from-the-env-1"),
    ];
    let (_child, url, lines) = run(dir.path(), &env).await?;
    assert_eq!(printed_password(&lines), None);
    let browser = Browser::new(&url);
    assert_eq!(
        browser.login("ops-admin", "from-the-env-1").await?.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.get("/admin/users").await?.status,
        StatusCode::OK,
        "an administrator"
    );
    Ok(())
}

#[tokio::test]
async fn help_explains_the_configuration() -> TestResult {
    let output = Command::new(BIN).arg("--help").output().await?;
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout)?;
    for needle in [
        "REDSTAGE_BIND",
        "REDSTAGE_DATA_DIR",
        "REDSTAGE_ADMIN_USER",
        "REDSTAGE_ADMIN_PASSWORD",
        "REDSTAGE_SECURE_COOKIES",
        "generated password",
    ] {
        assert!(help.contains(needle), "--help mentions {needle}");
    }
    Ok(())
}
