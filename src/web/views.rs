//! Shared view pieces: the layout context (`Chrome`), HTML rendering with our headers, form
//! error collections, the error page, and small display helpers used by templates.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::db::models::teams::Team;
use crate::error::AppError;
use crate::web::{CurrentUser, Flash};

/// Content-Security-Policy of our own pages: nothing inline, nothing from elsewhere.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// A team in the top bar's switcher.
#[derive(Debug, Clone)]
pub struct TeamLink {
    /// Team name.
    pub name: String,
    /// Team home URL.
    pub url: String,
    /// The viewer's role there, in words.
    pub role: &'static str,
}

/// What the layout (`base.html`) needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// Page title (before " · redstage").
    pub title: String,
    /// CSRF token for forms and htmx requests.
    pub csrf: String,
    /// Signed-in user's name, if any.
    pub username: Option<String>,
    /// Whether the user administers accounts.
    pub is_admin: bool,
    /// The user's teams.
    pub teams: Vec<TeamLink>,
    /// The team the page belongs to.
    pub current_team: Option<TeamLink>,
    /// Messages to show once.
    pub flashes: Vec<Flash>,
    /// A warning about the platform shown to administrators on every page.
    pub admin_notice: Option<String>,
}

/// Layout context for a signed-in page; takes the pending flash messages.
pub fn chrome(
    user: &CurrentUser,
    title: impl Into<String>,
    team: Option<&Team>,
) -> Result<Chrome, AppError> {
    let link = |t: &Team, role: &'static str| TeamLink {
        name: t.name.clone(),
        url: t.applications_url(),
        role,
    };
    let current_team = team.map(|t| {
        let role = user
            .memberships
            .iter()
            .find(|m| m.team.id == t.id)
            .map(|m| m.role.label())
            .unwrap_or("");
        link(t, role)
    });
    Ok(Chrome {
        title: title.into(),
        csrf: user.session.csrf_token()?,
        username: Some(user.user.username.clone()),
        is_admin: user.user.is_admin,
        teams: user
            .memberships
            .iter()
            .map(|m| link(&m.team, m.role.label()))
            .collect(),
        current_team,
        flashes: user.session.take_flashes(),
        admin_notice: user.admin_notice.clone(),
    })
}

/// Render a template as an HTML response with our security headers.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Result<HttpResponse, AppError> {
    render_sized(status, template, T::SIZE_HINT)
}

/// [`render`] into a buffer of `capacity` bytes: a page that knows it is large (a hundred stage
/// cards) is written without growing its buffer from askama's estimate, copying it each time.
pub fn render_sized<T: Template>(
    status: StatusCode,
    template: &T,
    capacity: usize,
) -> Result<HttpResponse, AppError> {
    let mut body = String::with_capacity(capacity);
    template
        .render_into(&mut body)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("template failed: {e}")))?;
    Ok(html(status, body))
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// 303 See Other to `location` (after a successful form post; htmx follows it too).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// Whether htmx asked for a fragment (not a boosted full-page navigation or a history restore).
pub fn wants_fragment(req: &HttpRequest) -> bool {
    let h = req.headers();
    h.contains_key("HX-Request")
        && !h.contains_key("HX-Boosted")
        && !h.contains_key("HX-History-Restore-Request")
}

/// Messages for form fields, shown next to each field; empty means the form is valid.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(HashMap<&'static str, String>);

impl FormErrors {
    /// Keep a validated value, or record its message and return an empty value.
    pub fn check(&mut self, field: &'static str, result: Result<String, &'static str>) -> String {
        result.unwrap_or_else(|message| {
            self.add(field, message);
            String::new()
        })
    }

    /// Record a message for a field (the first one wins).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// The message for a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether any field has a message.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// What a form was submitted with, to show it again next to its errors.
#[derive(Debug, Clone, Default)]
pub struct FormValues(HashMap<&'static str, String>);

impl FormValues {
    /// Remember a field's value.
    pub fn set(&mut self, field: &'static str, value: impl Into<String>) -> &mut Self {
        self.0.insert(field, value.into());
        self
    }

    /// A field's value ("" when unset).
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }

    /// Whether a checkbox-like field is "true".
    pub fn on(&self, field: &str) -> bool {
        self.get(field) == "true"
    }
}

/// An error inside the site layout (404, 403, 409, 500 ...).
#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

impl ErrorPage<'_> {
    /// The error page as a response; never fails (falls back to plain text).
    pub fn render_response(status: StatusCode, heading: &str, message: &str) -> HttpResponse {
        let page = ErrorPage {
            chrome: Chrome {
                title: heading.into(),
                ..Chrome::default()
            },
            status: status.as_u16(),
            heading,
            message,
        };
        match page.render() {
            Ok(body) => html(status, body),
            Err(_) => HttpResponse::build(status).body(format!("{heading}: {message}")),
        }
    }
}

/// "3 minutes ago"-style age of a Unix-millisecond timestamp.
pub fn ago(at_ms: i64) -> String {
    let secs = (crate::db::now_ms() - at_ms).max(0) / 1000;
    match secs {
        0..=4 => "just now".into(),
        5..=59 => format!("{secs} s ago"),
        60..=3599 => plural(secs / 60, "minute"),
        3600..=86_399 => plural(secs / 3600, "hour"),
        _ => plural(secs / 86_400, "day"),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{n} {unit}s ago")
    }
}
