//! One person's browser: a cookie jar, CSRF-aware form posts, and parsed answers.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::LOCATION;
use scraper::{Html, Selector};

use super::Res;

/// One person's browser: its own cookie jar, redirects not followed (tests look at them).
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub jar: Arc<Jar>,
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

    /// Attribute `attr` of the first element matching `css`.
    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let selector = Selector::parse(css).ok()?;
        let html = self.html();
        let value = html
            .select(&selector)
            .next()?
            .value()
            .attr(attr)?
            .to_owned();
        Some(value)
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

impl Browser {
    /// The same person (same cookies) talking to a server at another address.
    pub fn rebase(&self, base: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: base.to_owned(),
            jar: self.jar.clone(),
        }
    }

    pub fn new(base: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            client,
            base: base.to_owned(),
            jar,
        }
    }

    /// The `Cookie` header this browser sends to its server.
    pub fn cookie_header(&self) -> Option<String> {
        let url = url::Url::parse(&self.base).ok()?;
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
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
