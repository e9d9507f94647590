//! `spawn_app()`: a real server on a free port with a fresh data directory, stopped and its
//! runtimes killed when the test ends.

use std::path::PathBuf;
use std::sync::Arc;

use redstage::config::{AdminAccount, Settings};
use redstage::nodered::Runtimes;
use redstage::startup::Application;
use reqwest::StatusCode;
use tempfile::TempDir;

use super::{ADMIN, ADMIN_PASSWORD, Browser, PASSWORD, Res};

/// A running server and its data directory (deleted on drop).
pub struct TestApp {
    pub address: String,
    /// The administrator, already signed in.
    pub admin: Browser,
    /// The server's runtimes, killed when the test ends.
    pub runtimes: Arc<Runtimes>,
    /// The server's state, for tests that drive services (e.g. promotions) directly.
    pub state: actix_web::web::Data<redstage::state::AppState>,
    pub settings: Settings,
    server: actix_web::dev::ServerHandle,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Kept alive (deleted on drop) for as long as the server uses it.
    data_dir: Option<TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.runtimes.kill_now();
    }
}

/// Where the tests' shared Node-RED installation lives (installed once, kept between runs, by
/// `.ci/test`: the test servers' registry has no Node-RED to install).
pub fn shared_node_red_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("node-red");
    static TOLD: std::sync::Once = std::sync::Once::new();
    let install = redstage::nodered::install::NodeRedInstall::new(&dir, Default::default());
    if !install.is_installed() {
        TOLD.call_once(|| {
            eprintln!(
                "Node-RED is not installed in {}: run ./.ci/test, or REDSTAGE_NODE_RED_DIR={} \
                 cargo run -- --install-node-red, before the runtime tests",
                dir.display(),
                dir.display()
            );
        });
    }
    dir
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::with_data_dir(data_dir.path());
    settings.bind = "127.0.0.1:0".into();
    settings.admin = Some(AdminAccount {
        username: ADMIN.into(),
        password: ADMIN_PASSWORD.into(),
    });
    settings.node_red_dir = Some(shared_node_red_dir());
    // Modules come from the tests' own registry (tests/fixtures/npm), never the public one.
    settings.npm_registry = Some(super::registry::registry().url.clone());
    configure(&mut settings);
    let mut app = serve(settings).await;
    let page = app
        .admin
        .login(ADMIN, ADMIN_PASSWORD)
        .await
        .expect("admin sign-in");
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "admin could not sign in"
    );
    app.data_dir = Some(data_dir);
    app
}

/// Build and serve an application in the background.
async fn serve(settings: Settings) -> TestApp {
    // Server logs only when asked for: `TEST_LOG=1 cargo test`.
    if std::env::var_os("TEST_LOG").is_some() {
        redstage::telemetry::init();
    }
    let app = Application::build(settings.clone())
        .await
        .expect("application builds");
    let address = app.base_url().to_owned();
    let runtimes = app.runtimes();
    let state = app.state();
    let server = app.server_handle();
    let task = Some(tokio::spawn(app.run_until_stopped()));
    let admin = Browser::new(&address);
    TestApp {
        address,
        admin,
        runtimes,
        state,
        settings,
        server,
        task,
        data_dir: None,
    }
}

impl TestApp {
    /// Stop the server as a shutdown would (HTTP first, then every runtime gracefully) and start a
    /// new one on the same data directory. Browsers keep their cookies (`rebase` them).
    pub async fn restart(mut self) -> TestApp {
        self.server.stop(true).await;
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".into();
        let mut next = serve(settings).await;
        next.admin = self.admin.rebase(&next.address);
        next.data_dir = self.data_dir.take();
        next
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// An account created by the administrator, signed in in its own browser.
    pub async fn user(&self, name: &str) -> Res<Browser> {
        let page = self
            .admin
            .post(
                "/admin/users",
                &[("username", name), ("password", PASSWORD)],
            )
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "creating user {name}: {}",
            page.body
        );
        let browser = self.browser();
        let page = browser.login(name, PASSWORD).await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{name} could not sign in"
        );
        Ok(browser)
    }

    /// A team created by `owner`.
    pub async fn team(&self, owner: &Browser, name: &str, slug: &str) -> Res<()> {
        let page = owner
            .post("/teams", &[("name", name), ("slug", slug)])
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "creating team {name}: {}",
            page.body
        );
        Ok(())
    }

    /// Add `username` to the team with `role`, as `owner`.
    pub async fn add_member(
        &self,
        owner: &Browser,
        slug: &str,
        username: &str,
        role: &str,
    ) -> Res<()> {
        let path = format!("/team/{slug}/members");
        let page = owner
            .post(&path, &[("username", username), ("role", role)])
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "adding {username}: {}",
            page.body
        );
        Ok(())
    }

    /// An application created by `member`; returns its id.
    pub async fn application(&self, member: &Browser, slug: &str, name: &str) -> Res<String> {
        let path = format!("/team/{slug}/applications");
        let page = member
            .post(&path, &[("name", name), ("description", "")])
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "creating application {name}: {}",
            page.body
        );
        let location = page.location.ok_or("no Location")?;
        let id = location
            .strip_prefix("/application/")
            .and_then(|rest| rest.strip_suffix("/instances"))
            .ok_or("unexpected Location")?;
        Ok(id.to_owned())
    }
}
