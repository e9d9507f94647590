//! Every URL of the site, built in one place so links, redirects and tests cannot drift apart.

use crate::db::ids::{ApplicationId, InstanceId};
use crate::db::models::applications::Application;
use crate::db::models::instances::Instance;
use crate::db::models::teams::Team;

/// Sign-in form, returning to `next` (a local path) afterwards.
pub fn login_with_next(next: &str) -> String {
    match local_redirect(next) {
        Some(path) if path != "/" => {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("/login?next={encoded}")
        }
        _ => "/login".into(),
    }
}

/// Where to send someone after signing in: `next` if it is a path on this site, "/" otherwise.
pub fn after_login(next: &str) -> String {
    local_redirect(next).unwrap_or_else(|| "/".into())
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

/// The team creation form.
pub fn new_team() -> String {
    "/teams/new".into()
}

/// The signed-in user's account page.
pub fn account() -> String {
    "/account".into()
}

/// Account administration (administrators only).
pub fn admin_users() -> String {
    "/admin/users".into()
}

/// Team home: its applications.
pub fn team_applications(slug: &str) -> String {
    format!("/team/{slug}/applications")
}

/// New application form of a team.
pub fn new_application(slug: &str) -> String {
    format!("/team/{slug}/applications/new")
}

/// Team members page.
pub fn team_members(slug: &str) -> String {
    format!("/team/{slug}/members")
}

/// Application > Instances.
pub fn application_instances(id: &ApplicationId) -> String {
    format!("/application/{id}/instances")
}

/// Application > DevOps Pipelines.
pub fn application_pipelines(id: &ApplicationId) -> String {
    format!("/application/{id}/pipelines")
}

/// Application > Settings.
pub fn application_settings(id: &ApplicationId) -> String {
    format!("/application/{id}/settings")
}

/// Instance overview.
pub fn instance_overview(id: &InstanceId) -> String {
    format!("/instance/{id}/overview")
}

/// An instance settings section (general, environment, editor, palette, security, danger).
pub fn instance_settings(id: &InstanceId, section: &str) -> String {
    format!("/instance/{id}/settings/{section}")
}

/// The live log of an instance.
pub fn instance_logs(id: &InstanceId) -> String {
    format!("/instance/{id}/logs")
}

/// The instance's Node-RED editor, through the server.
pub fn instance_editor(id: &InstanceId) -> String {
    format!("/instance/{id}/editor/")
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
mod tests {
    use super::*;

    #[test]
    fn sign_in_only_returns_to_local_paths() {
        assert_eq!(
            login_with_next("/team/a/members"),
            "/login?next=%2Fteam%2Fa%2Fmembers"
        );
        assert_eq!(login_with_next("//evil.example/x"), "/login");
        assert_eq!(login_with_next("https://evil.example"), "/login");
        assert_eq!(login_with_next("/"), "/login");
    }

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        for ok in ["/", "/account", "/team/x/members?tab=1#m", "/a/../b"] {
            assert!(local_redirect(ok).is_some(), "{ok}");
        }
        assert_eq!(local_redirect("/a/../b").as_deref(), Some("/b"));
        for bad in [
            "//x",
            "/\\x",
            "/\t/x",
            "/\n/x",
            "\\x",
            "%2F%2Fx",
            "https:x",
            "https://x",
            "x",
            "",
            "///x",
            "/\\/x",
            "\u{0}/x",
        ] {
            assert_eq!(local_redirect(bad), None, "{bad:?}");
            assert_eq!(after_login(bad), "/", "{bad:?}");
        }
    }
}
