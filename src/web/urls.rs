//! Every URL of the site, built in one place so links, redirects and tests cannot drift apart:
//! the route table's patterns and their typed link builders (`routes`), where to go after
//! signing in, and the models' own links.

mod routes;

pub use self::routes::*;

use crate::db::models::applications::Application;
use crate::db::models::instances::Instance;
use crate::db::models::teams::Team;

/// Sign-in form, returning to `next` (a local path) afterwards.
pub fn login_with_next(next: &str) -> String {
    match local_redirect(next) {
        Some(path) if path != "/" => {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("{}?next={encoded}", login())
        }
        _ => login(),
    }
}

/// The sign-in form, saying that the user has signed out.
pub fn login_signed_out() -> String {
    format!("{}?signed_out=true", login())
}

/// Where to send someone after signing in: `next` if it is a path on this site, "/" otherwise.
pub fn after_login(next: &str) -> String {
    local_redirect(next).unwrap_or_else(home)
}

/// `next` as a path on this site (path, query and fragment, normalised), or None when a browser
/// could read it as anywhere else: `//x`, `/\x`, `https:x`, or anything with a control character
/// or backslash (browsers drop tabs and newlines and read `\` as `/`, so `/\t/x` becomes `//x`).
/// It is resolved against a stand-in origin and must keep that origin.
pub fn local_redirect(next: &str) -> Option<String> {
    if !next.starts_with('/') || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let origin = url::Url::parse("http://redstage.invalid/").ok()?;
    let resolved = origin.join(next).ok()?;
    if resolved.origin() != origin.origin() || next.starts_with("//") {
        return None;
    }
    let mut path = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        path = format!("{path}?{query}");
    }
    if let Some(fragment) = resolved.fragment() {
        path = format!("{path}#{fragment}");
    }
    Some(path)
}

impl Team {
    /// Team home.
    pub fn applications_url(&self) -> String {
        team_applications(&self.slug)
    }

    /// Members page.
    pub fn members_url(&self) -> String {
        team_members(&self.slug)
    }

    /// New application form.
    pub fn new_application_url(&self) -> String {
        new_application(&self.slug)
    }
}

impl Application {
    /// Instances tab.
    pub fn instances_url(&self) -> String {
        application_instances(&self.id)
    }

    /// DevOps Pipelines tab.
    pub fn pipelines_url(&self) -> String {
        application_pipelines(&self.id)
    }

    /// Settings tab.
    pub fn settings_url(&self) -> String {
        application_settings(&self.id)
    }
}

impl Instance {
    /// Overview page.
    pub fn overview_url(&self) -> String {
        instance_overview(&self.id)
    }

    /// A settings section.
    pub fn settings_url(&self, section: &str) -> String {
        instance_settings(&self.id, section)
    }

    /// Live log.
    pub fn logs_url(&self) -> String {
        instance_logs(&self.id)
    }

    /// Node-RED editor through the proxy.
    pub fn editor_url(&self) -> String {
        instance_editor(&self.id)
    }
}

#[cfg(test)]
mod tests;
