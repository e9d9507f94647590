//! The typed session: only the user id, their session epoch, an id of this sign-in, the CSRF
//! token and pending flash messages live in the (encrypted, signed) session cookie.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::auth::store::keys::{ADDRESS, SID, USER_AGENT, USER_ID};
use crate::db::ids::{UserId, random_id};
use crate::db::models::users::User;
use crate::error::AppError;

/// Name of the platform's session cookie (host-only: it never reaches an instance origin).
pub const SESSION_COOKIE: &str = "redstage_session";

const EPOCH: &str = "epoch";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

/// A message shown once on the next page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    /// `success`, `error` or `info` (a CSS class).
    pub kind: String,
    /// The text (escaped when rendered).
    pub text: String,
}

/// Typed access to the session.
#[derive(Clone)]
pub struct UserSession(Session);

impl UserSession {
    /// Wrap an actix session.
    pub fn from_session(session: Session) -> Self {
        Self(session)
    }

    /// The signed-in user's id and session epoch, if any.
    pub fn user(&self) -> Option<(UserId, i32)> {
        let id = self.0.get::<UserId>(USER_ID).ok().flatten()?;
        let epoch = self.0.get::<i32>(EPOCH).ok().flatten()?;
        Some((id, epoch))
    }

    /// Start a fresh session for `user`, signing in from `device` (user agent, address): new
    /// session key, new CSRF token (the old one may be known to whoever saw the sign-in form).
    pub fn sign_in(&self, user: &User, device: (&str, &str)) -> Result<(), AppError> {
        self.0.renew();
        self.0.remove(CSRF);
        let agent: String = device.0.chars().take(200).collect();
        self.insert(USER_AGENT, &agent)?;
        self.insert(ADDRESS, &device.1)?;
        self.insert(USER_ID, &user.id)?;
        self.insert(EPOCH, &user.session_epoch)?;
        self.insert(SID, &format!("{}{}", random_id(), random_id()))?;
        self.csrf_token().map(|_| ())
    }

    /// This sign-in's own id, if it has one: editor sessions it opened end when it signs out.
    pub fn sign_in_id(&self) -> Option<String> {
        self.0.get::<String>(SID).ok().flatten()
    }

    /// This sign-in's id, given one now if it began before sign-ins had ids.
    pub fn ensure_sign_in_id(&self) -> Result<String, AppError> {
        if let Some(sid) = self.sign_in_id() {
            return Ok(sid);
        }
        let sid = format!("{}{}", random_id(), random_id());
        self.insert(SID, &sid)?;
        Ok(sid)
    }

    /// Keep this session valid after the user's own password change bumped the epoch.
    pub fn set_epoch(&self, epoch: i32) -> Result<(), AppError> {
        self.insert(EPOCH, &epoch)
    }

    /// End the session entirely.
    pub fn sign_out(&self) {
        self.0.purge();
    }

    /// The session's CSRF token, created on first use.
    pub fn csrf_token(&self) -> Result<String, AppError> {
        if let Some(token) = self.existing_csrf_token() {
            return Ok(token);
        }
        let token = format!("{}{}", random_id(), random_id());
        self.insert(CSRF, &token)?;
        Ok(token)
    }

    /// The CSRF token if the session has one (the CSRF check never creates one).
    pub fn existing_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }

    /// Queue a message for the next page.
    pub fn flash(&self, kind: &str, text: impl Into<String>) -> Result<(), AppError> {
        let mut flashes = self.peek_flashes();
        flashes.push(Flash {
            kind: kind.into(),
            text: text.into(),
        });
        self.insert(FLASH, &flashes)
    }

    /// Take the queued messages (they are shown once).
    pub fn take_flashes(&self) -> Vec<Flash> {
        let flashes = self.peek_flashes();
        if !flashes.is_empty() {
            self.0.remove(FLASH);
        }
        flashes
    }

    fn peek_flashes(&self) -> Vec<Flash> {
        self.0
            .get::<Vec<Flash>>(FLASH)
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    fn insert<T: Serialize>(&self, key: &str, value: &T) -> Result<(), AppError> {
        self.0
            .insert(key, value)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session write failed: {e}")))
    }
}

impl FromRequest for UserSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(UserSession(req.get_session())))
    }
}
