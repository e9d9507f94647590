//! Who asks, what they should get for a route's need, and whether an answer is that.

use redstage::domain::roles::{Role, may_change_instance};
use reqwest::StatusCode;

use super::table::Need;
use crate::helpers::{Browser, Page, Res};

/// One of the people the matrix asks as.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    /// No session at all.
    Anonymous,
    /// The platform administrator, not in the team.
    Admin,
    /// Signed in, not in the team.
    Outsider,
    /// A member of the team with this role.
    In(Role),
}

/// The class of answer expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 404, as if it did not exist.
    NotFound,
    /// 403 with the reason (not a CSRF or origin refusal).
    Forbidden,
    /// Neither 403 nor 404 (nor a server error, nor a sign-in redirect): 200, 303, 400, 409, 422.
    Allowed,
    /// Neither 403 nor 404 nor a server error, a sign-in redirect included (signing out).
    Answered,
    /// 303 to the sign-in form.
    SignIn,
    /// Not tried (a POST without a session; a public form posted by a signed-in user).
    Skip,
}

impl Who {
    /// The role in the team, if any.
    pub fn role(self) -> Option<Role> {
        match self {
            Who::In(role) => Some(role),
            _ => None,
        }
    }

    /// What this person should get for `need`, over `method`.
    pub fn expects(self, need: Need, method: &str) -> Expect {
        use Expect::*;
        let allowed = |yes: bool| if yes { Allowed } else { Forbidden };
        match (need, self) {
            (Need::Public, Who::Anonymous) => Answered,
            (Need::Redirect, Who::Anonymous) => Allowed,
            (_, Who::Anonymous) if method == "GET" => SignIn,
            (_, Who::Anonymous) | (Need::Public, _) => Skip,
            (Need::SignedIn | Need::Redirect, _) => Allowed,
            (Need::OwnSession, Who::In(Role::Owner)) => Allowed,
            (Need::OwnSession, _) => NotFound,
            (Need::Admin, Who::Admin) => Allowed,
            (Need::Admin, _) => Forbidden,
            (_, Who::Outsider | Who::Admin) => NotFound,
            (Need::Act(action), Who::In(role)) => allowed(role.allows(action)),
            (Need::Change { protected }, Who::In(role)) => {
                allowed(may_change_instance(role, protected))
            }
            (Need::TeamAdmin, Who::In(_)) => Forbidden,
        }
    }
}

impl Expect {
    /// Whether `page` is this class of answer; what it was otherwise.
    pub fn check(self, page: &Page) -> Result<(), String> {
        let status = page.status;
        let to_sign_in = status == StatusCode::SEE_OTHER
            && page
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login"));
        let ok = match self {
            Expect::NotFound => status == StatusCode::NOT_FOUND,
            // A refused CSRF token or origin is a 403 too, but says that nothing was changed.
            Expect::Forbidden => {
                status == StatusCode::FORBIDDEN && !page.body.contains("nothing was changed")
            }
            Expect::Allowed => {
                ![StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status)
                    && !status.is_server_error()
                    && !to_sign_in
            }
            Expect::Answered => {
                ![StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status)
                    && !status.is_server_error()
            }
            Expect::SignIn => to_sign_in,
            Expect::Skip => true,
        };
        if ok {
            return Ok(());
        }
        let body: String = page.body.chars().take(300).collect();
        Err(format!(
            "expected {self:?}, got {status} (Location {:?}): {body}",
            page.location
        ))
    }
}

/// A browser with its session's CSRF token, read once.
pub struct Caller<'a> {
    pub who: Who,
    browser: &'a Browser,
    token: Option<String>,
}

impl<'a> Caller<'a> {
    pub fn new(who: Who, browser: &'a Browser) -> Self {
        Caller {
            who,
            browser,
            token: None,
        }
    }

    /// GET `path`, or POST `form` to it as the page's form would (with the CSRF token).
    pub async fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Res<Page> {
        if method == "GET" {
            return self.browser.get(path).await;
        }
        let token = match &self.token {
            Some(token) => token.clone(),
            None => self.token.insert(self.browser.csrf().await?).clone(),
        };
        let mut fields = form.to_vec();
        fields.push(("csrf_token", &token));
        self.browser.post_raw(path, &fields).await
    }
}
