//! Test harness: `spawn_app()`, a `Browser` (one signed-in person with a cookie jar), fixture builders.

use std::sync::Arc;

use redstage::config::{AdminAccount, Settings};
use redstage::nodered::Runtimes;
use redstage::startup::Application;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use scraper::{Html, Selector};
use tempfile::TempDir;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "correct-horse-9";

/// A running server and its data directory (deleted on drop).
pub struct TestApp {
    pub address: String,
    /// Kept alive (deleted on drop) for as long as the server uses it.
    pub _data_dir: TempDir,
    /// The administrator, already signed in.
    pub admin: Browser,
    /// The server's runtimes, killed when the test ends.
    pub runtimes: Arc<Runtimes>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.runtimes.kill_now();
    }
}

/// One person's browser: its own cookie jar, redirects not followed (tests look at them).
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

/// An HTTP answer reduced to what tests look at.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    async fn from(response: reqwest::Response) -> Res<Self> {
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await?;
        Ok(Self {
            status,
            location,
            headers,
            body,
        })
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// Text of the first element matching `css`, if any.
    pub fn text(&self, css: &str) -> Option<String> {
        let selector = Selector::parse(css).ok()?;
        let html = self.html();
        let el = html.select(&selector).next()?;
        Some(el.text().collect::<String>().trim().to_owned())
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        Selector::parse(css)
            .map(|s| self.html().select(&s).count())
            .unwrap_or(0)
    }

    /// The action of the form whose action contains `action_part`, in the table row mentioning `row_text`.
    pub fn form_action_in_row(&self, row_text: &str, action_part: &str) -> Option<String> {
        let rows = Selector::parse("tr").ok()?;
        let forms = Selector::parse("form").ok()?;
        let html = self.html();
        let row = html
            .select(&rows)
            .find(|r| r.text().any(|t| t.contains(row_text)))?;
        row.select(&forms)
            .filter_map(|f| f.value().attr("action"))
            .find(|a| a.contains(action_part))
            .map(str::to_owned)
    }

    /// The message shown next to form field `field` (`<small id="{field}-error">`).
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.text(&format!("#{field}-error"))
    }
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
    configure(&mut settings);
    let (address, runtimes) = start(settings).await;
    let admin = Browser::new(&address);
    let page = admin
        .login(ADMIN, ADMIN_PASSWORD)
        .await
        .expect("admin sign-in");
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "admin could not sign in"
    );
    TestApp {
        address,
        _data_dir: data_dir,
        runtimes,
        admin,
    }
}

/// Build and serve an application in the background; its base URL and runtimes.
pub async fn start(settings: Settings) -> (String, Arc<Runtimes>) {
    // Server logs only when asked for: `TEST_LOG=1 cargo test`.
    if std::env::var_os("TEST_LOG").is_some() {
        redstage::telemetry::init();
    }
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let address = app.base_url().to_owned();
    let runtimes = app.runtimes();
    tokio::spawn(app.run_until_stopped());
    (address, runtimes)
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            client,
            base: base.to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Res<Page> {
        Page::from(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await?,
        )
        .await
    }

    /// GET with htmx's request headers (a fragment request).
    pub async fn get_htmx(&self, path: &str) -> Res<Page> {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("HX-Request", "true");
        Page::from(request.send().await?).await
    }

    /// The session's CSRF token, as a page shows it.
    pub async fn csrf(&self) -> Res<String> {
        let mut page = self.get("/account").await?;
        if page.status == StatusCode::SEE_OTHER {
            page = self.get("/login").await?;
        }
        let selector = Selector::parse("[data-csrf-token]").map_err(|e| e.to_string())?;
        let html = page.html();
        let token = html
            .select(&selector)
            .next()
            .and_then(|el| el.value().attr("data-csrf-token"))
            .ok_or("no CSRF token on the page")?;
        Ok(token.to_owned())
    }

    /// POST a form the way a browser does, with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Res<Page> {
        let token = self.csrf().await?;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// POST exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Res<Page> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await?;
        Page::from(response).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Res<Page> {
        self.post(
            "/login",
            &[("username", username), ("password", password), ("next", "")],
        )
        .await
    }
}

impl TestApp {
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

/// A team "Plant Ops" (slug plant-ops) owned by `owner`, with a `viewer` and a `member`, and an application.
pub struct Fixture {
    pub owner: Browser,
    pub member: Browser,
    pub viewer: Browser,
    pub outsider: Browser,
    pub app_id: String,
}

pub async fn fixture(app: &TestApp) -> Res<Fixture> {
    let owner = app.user("olivia").await?;
    let member = app.user("mark").await?;
    let viewer = app.user("vera").await?;
    let outsider = app.user("otto").await?;
    app.team(&owner, "Plant Ops", "plant-ops").await?;
    app.add_member(&owner, "plant-ops", "mark", "member")
        .await?;
    app.add_member(&owner, "plant-ops", "vera", "viewer")
        .await?;
    let app_id = app.application(&owner, "plant-ops", "Line 1").await?;
    Ok(Fixture {
        owner,
        member,
        viewer,
        outsider,
        app_id,
    })
}
