//! Instance origins in tests: a browser whose `{label}.localhost` resolves to the test server
//! (glibc does not resolve `*.localhost`, Chromium and curl do), the Open Editor round trip
//! (platform ticket -> instance origin -> editor session cookie), and the instance's label.

use std::net::SocketAddr;
use std::sync::Arc;

use redstage::db::ids::InstanceId;
use reqwest::StatusCode;
use reqwest::cookie::Jar;

use super::{Browser, Res, TestApp};

impl TestApp {
    /// The server's socket address.
    pub fn socket(&self) -> SocketAddr {
        let port = self
            .address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// The instance's label, as stored.
    pub async fn label(&self, id: &str) -> Res<String> {
        let id = InstanceId::from(id.to_owned());
        Ok(self
            .state
            .db
            .run(move |conn| Ok(redstage::db::models::instances::find(conn, &id)?))
            .await?
            .label)
    }

    /// `http://{label}.localhost:{port}` of an instance.
    pub async fn origin(&self, id: &str) -> Res<String> {
        Ok(self.state.origins.instance_origin(&self.label(id).await?))
    }

    /// A browser with no cookies at all on the instance's origin.
    pub async fn stranger_at(&self, id: &str) -> Res<Browser> {
        Ok(Browser::at_origin(&self.origin(id).await?, self.socket()))
    }
}

impl Browser {
    /// A browser for `origin` (`http://x.localhost:port`) whose host resolves to `addr`.
    pub fn at_origin(origin: &str, addr: SocketAddr) -> Self {
        let jar = Arc::new(Jar::default());
        let host = url::Url::parse(origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, addr)
            .build()
            .expect("client");
        Self {
            client,
            base: origin.to_owned(),
            jar,
        }
    }

    /// Open the instance's editor as this (platform) user does: the platform answers with a
    /// ticket for the instance origin, which exchanges it for an editor session. The browser on
    /// the instance origin, signed in there.
    pub async fn open_editor(&self, app: &TestApp, id: &str) -> Res<Browser> {
        let ticket = self.ticket(id).await?;
        let origin = app.origin(id).await?;
        let editor = Browser::at_origin(&origin, app.socket());
        let path = ticket
            .strip_prefix(&origin)
            .ok_or("the ticket is for another origin")?;
        let landed = editor.get(path).await?;
        assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
        assert_eq!(landed.location.as_deref(), Some("/editor/"));
        Ok(editor)
    }

    /// The ticket URL the platform's Open Editor redirects to.
    pub async fn ticket(&self, id: &str) -> Res<String> {
        let page = self.get(&format!("/instance/{id}/editor/")).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        Ok(page.location.ok_or("no Location")?)
    }
}
