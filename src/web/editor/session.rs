//! Editor sessions on an instance origin: a host-only, HttpOnly cookie of that origin (never the
//! platform's), its digest stored server-side, checked on every request against the user's
//! current membership and role in the instance's team.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};

use super::headers::EDITOR_COOKIE;
use crate::auth::secret;
use crate::db::ids::InstanceId;
use crate::db::models::editor;
use crate::db::models::instances::{self, InstanceScope};
use crate::error::AppError;
use crate::state::AppState;

/// How long an editor session lasts (opening the editor again from the platform starts another).
pub const LIFETIME: Duration = Duration::hours(24);

/// A signed-in team member on an instance origin.
pub struct EditorMember {
    /// The instance, its application and the member's role in its team, as of this request.
    pub scope: InstanceScope,
}

/// The member behind the request's editor cookie for `instance`, if the session is live and the
/// user is still in the instance's team.
pub async fn member(
    state: &AppState,
    req: &HttpRequest,
    instance: &InstanceId,
) -> Result<Option<EditorMember>, AppError> {
    let Some(cookie) = req.cookie(EDITOR_COOKIE) else {
        return Ok(None);
    };
    let (digest, instance) = (secret::digest(cookie.value()), instance.clone());
    state
        .db
        .run(move |conn| {
            let Some(user) = editor::session_user(conn, &digest, &instance)? else {
                return Ok(None);
            };
            let scope = match instances::scope(conn, &instance, &user.id) {
                Ok(scope) => scope,
                Err(AppError::NotFound) => return Ok(None),
                Err(other) => return Err(other),
            };
            Ok(Some(EditorMember { scope }))
        })
        .await
}

/// The cookie that carries a new session `token`.
pub fn cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(EDITOR_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(LIFETIME)
        .finish()
}
