//! The URL builders: sign-in redirects stay on this site, and every link matches its route.

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

/// An example argument for a route's builder, made from the argument's name.
pub(super) trait Example {
    /// A value unlike any path segment of the pattern, so a misplaced one shows.
    fn example(name: &str) -> Box<Self>;
}

impl Example for str {
    fn example(name: &str) -> Box<Self> {
        format!("{name}-x7").into_boxed_str()
    }
}

macro_rules! example_ids {
    ($($id:ty),*) => {$(
        impl Example for $id {
            fn example(name: &str) -> Box<Self> {
                Box::new(<$id>::from(format!("{name}-{}", crate::db::ids::random_id())))
            }
        }
    )*};
}

example_ids!(
    crate::db::ids::UserId,
    crate::db::ids::ApplicationId,
    crate::db::ids::InstanceId,
    crate::db::ids::PipelineId,
    crate::db::ids::StageId,
    crate::db::ids::DeploymentId
);

#[test]
fn every_link_matches_its_own_route_with_its_arguments_in_place() {
    for (pattern, link, args) in routes::examples() {
        let route = actix_web::dev::ResourceDef::new(pattern);
        let mut path = actix_web::dev::Path::new(link.as_str());
        assert!(
            route.capture_match_info(&mut path),
            "{link} does not match {pattern}"
        );
        for (name, value) in &args {
            assert_eq!(path.get(name), Some(value.as_str()), "{pattern}: {name}");
        }
    }
}

#[test]
fn every_route_has_its_own_pattern() {
    let mut patterns: Vec<&str> = routes::examples().into_iter().map(|(p, _, _)| p).collect();
    let all = patterns.len();
    patterns.sort_unstable();
    patterns.dedup();
    assert_eq!(patterns.len(), all);
}

#[test]
fn links_are_the_paths_the_pages_have_always_shown() {
    let id = crate::db::ids::InstanceId::from("abc".to_owned());
    assert_eq!(instance_overview(&id), "/instance/abc/overview");
    assert_eq!(instance_editor(&id), "/instance/abc/editor/");
    assert_eq!(
        instance_env_var_delete(&id, "API_URL"),
        "/instance/abc/settings/environment/API_URL/delete"
    );
    assert_eq!(
        team_member_role("ops", &"u1".to_owned().into()),
        "/team/ops/members/u1/role"
    );
    assert_eq!(static_asset("css/app.css"), "/static/css/app.css");
    assert_eq!(login_signed_out(), "/login?signed_out=true");
    assert_eq!(home(), "/");
}
