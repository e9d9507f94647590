//! The built binary, run as a user runs it: in a working directory of the test's own, with the
//! tests' shared Node-RED, driven over HTTP on the platform and instance origins.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{Browser, Page, Res, shared_node_red_dir};

pub const BIN: &str = env!("CARGO_BIN_EXE_redstage");

/// The running binary (killed on drop), its base URL and the administrator password it printed.
pub struct Binary {
    pub child: Child,
    pub url: String,
    pub password: Option<String>,
}

/// Start the binary in `cwd` with `args`, no `REDSTAGE_*` settings but a free port and `env`,
/// its log going to `log` when given.
pub async fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Res<Binary> {
    run_logged(cwd, args, env, None).await
}

/// Like [`run_in`], with the server's log (stderr) written to `log`.
pub async fn run_logged(
    cwd: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    log: Option<std::fs::File>,
) -> Res<Binary> {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("REDSTAGE_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .args(args)
        .env("REDSTAGE_BIND", "127.0.0.1:0")
        .env("REDSTAGE_NPM_REGISTRY", &super::registry::registry().url)
        .envs(env.iter().copied())
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(log.map_or_else(Stdio::null, Stdio::from))
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut password, mut url) = (None, None);
    tokio::time::timeout(crate::helpers::patience(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.trim().strip_prefix("password:") {
                password = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.strip_prefix("redstage is listening on ") {
                url = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await??;
    // Keep reading, so the server never blocks on a full stdout pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Binary {
        child,
        url: url.ok_or("the server printed no address")?,
        password,
    })
}

/// Where a data directory's default Node-RED installation goes: linked to the tests' shared one,
/// so that no test downloads Node-RED.
pub fn link_node_red(data_dir: &Path) -> Res<()> {
    std::fs::create_dir_all(data_dir)?;
    std::os::unix::fs::symlink(shared_node_red_dir(), data_dir.join("node-red"))?;
    Ok(())
}

/// Poll `path` until `ok` holds for its answer.
pub async fn eventually(who: &Browser, path: &str, ok: impl Fn(&Page) -> bool) -> Res<Page> {
    let deadline = Instant::now() + crate::helpers::patience(240);
    loop {
        let page = who.get(path).await?;
        if ok(&page) {
            return Ok(page);
        }
        if Instant::now() > deadline {
            return Err(format!("GET {path}: {} {}", page.status, page.body).into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The instance's own origin, `http://{label}.localhost:{port}`, reached like a browser would.
pub async fn at_origin(who: &Browser, instance: &str) -> Res<Browser> {
    let ticket = who.get(&format!("/instance/{instance}/editor/")).await?;
    let to = ticket.location.ok_or("Open Editor did not redirect")?;
    let origin = url::Url::parse(&to)?.origin().ascii_serialization();
    assert!(
        origin.contains(".localhost:"),
        "the instance's own origin: {origin}"
    );
    let editor = Browser::at_origin(&origin, socket_of(&origin)?);
    let landed = editor.get(&to[origin.len()..]).await?;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    Ok(editor)
}

/// Where an origin's host name is served (this machine, its port).
pub fn socket_of(origin: &str) -> Res<std::net::SocketAddr> {
    let port = url::Url::parse(origin)?.port().ok_or("no port")?;
    Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Created through the UI; the id in the `Location` after `prefix`.
pub async fn create(who: &Browser, path: &str, form: &[(&str, &str)], prefix: &str) -> Res<String> {
    let page = who.post(path, form).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}: {}", page.body);
    let location = page.location.ok_or("no Location")?;
    let rest = location.strip_prefix(prefix).ok_or("unexpected Location")?;
    Ok(rest.split('/').next().unwrap_or_default().to_owned())
}
