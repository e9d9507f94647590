//! One person's browser against the server: a cookie jar, the CSRF token as pages show it
//! (`data-csrf-token`), form posts, and the few bits of pages the bench reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};

/// An HTTP answer reduced to what the bench looks at.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    async fn from(response: reqwest::Response) -> Result<Self> {
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Self {
            status,
            location,
            body: response.text().await?,
        })
    }
}

/// A browser: its own cookie jar, redirects not followed.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    jar: Arc<Jar>,
}

impl Browser {
    pub fn new(base: &str) -> Result<Self> {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            http,
            base: base.to_owned(),
            jar,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Result<Page> {
        Page::from(self.http.get(self.url(path)).send().await?).await
    }

    /// GET as htmx does (a fragment).
    pub async fn get_htmx(&self, path: &str) -> Result<Page> {
        let request = self.http.get(self.url(path)).header("HX-Request", "true");
        Page::from(request.send().await?).await
    }

    /// The session's CSRF token, as every page shows it.
    pub async fn csrf(&self) -> Result<String> {
        let mut page = self.get("/account").await?;
        if page.status == StatusCode::SEE_OTHER {
            page = self.get("/login").await?;
        }
        values_after(&page.body, "data-csrf-token=\"")
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no CSRF token on the page"))
    }

    /// POST a form as a browser does, with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<Page> {
        let token = self.csrf().await?;
        let mut all = fields.to_vec();
        all.push(("csrf_token", &token));
        let response = self.http.post(self.url(path)).form(&all).send().await?;
        Page::from(response).await
    }

    /// POST a form that must answer 303; its Location.
    pub async fn post_see_other(&self, path: &str, fields: &[(&str, &str)]) -> Result<String> {
        let page = self.post(path, fields).await?;
        if page.status != StatusCode::SEE_OTHER {
            bail!(
                "POST {path} answered {}: {}",
                page.status,
                excerpt(&page.body)
            );
        }
        page.location
            .ok_or_else(|| anyhow!("POST {path}: no Location"))
    }

    /// Press play the way the confirmation dialog's htmx form does (token known beforehand).
    pub async fn press(&self, path: &str, token: &str) -> Result<Page> {
        let request = self
            .http
            .post(self.url(path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", token)
            .form(&[("csrf_token", token)]);
        Page::from(request.send().await?).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<()> {
        let fields = [("username", username), ("password", password), ("next", "")];
        self.post_see_other("/login", &fields)
            .await
            .with_context(|| format!("signing in as {username}"))?;
        Ok(())
    }

    /// The `Cookie` header this browser sends.
    pub fn cookie(&self) -> Result<String> {
        let url = reqwest::Url::parse(&self.base)?;
        let value = self.jar.cookies(&url).ok_or_else(|| anyhow!("no cookie"))?;
        Ok(value.to_str()?.to_owned())
    }

    /// Poll an instance's status card (as its page does) until it is running; its port.
    pub async fn wait_running(&self, id: &str) -> Result<u16> {
        let started = Instant::now();
        loop {
            let card = self.get_htmx(&format!("/instance/{id}/status")).await?;
            let state = values_after(&card.body, "data-state=\"").into_iter().next();
            if state.as_deref() == Some("running") {
                let (_, rest) = card
                    .body
                    .split_once("Listening on 127.0.0.1:")
                    .ok_or_else(|| anyhow!("the card of {id} shows no address"))?;
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                return Ok(digits.parse()?);
            }
            if started.elapsed() > Duration::from_secs(240) {
                bail!("instance {id} is still {state:?} after 240 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Every value following `prefix` up to the next `"` (e.g. attribute values).
pub fn values_after(body: &str, prefix: &str) -> Vec<String> {
    body.split(prefix)
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(value, _)| value.to_owned()))
        .collect()
}

/// The id between `prefix` and `suffix` of a Location.
pub fn id_in(location: &str, prefix: &str, suffix: &str) -> Result<String> {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("unexpected Location {location}"))
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}
