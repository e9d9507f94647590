//! The signed-in user, extracted from the session for every page that needs one. Pages answer
//! "not signed in" with a redirect to the sign-in form (htmx requests with `HX-Redirect`).

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::OptionalExtension;
use futures_util::future::LocalBoxFuture;

use super::session::UserSession;
use crate::db::models::teams::{self, Membership};
use crate::db::models::users::{self, User};
use crate::error::AppError;
use crate::state::AppState;

/// The signed-in user with their teams (for the team switcher) and their session.
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// Every team they are in, by name.
    pub memberships: Vec<Membership>,
    /// Their session (CSRF token, flash messages).
    pub session: UserSession,
    /// What administrators are told on every page about the platform itself (runtimes running
    /// without a sandbox).
    pub admin_notice: Option<String>,
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = UserSession::from_session(req.get_session());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let htmx = req.headers().contains_key("HX-Request");
        // Only a page can be returned to; after a refused POST go home instead.
        let next = if req.method() == Method::GET {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        } else {
            String::from("/")
        };
        Box::pin(async move {
            let login_required = || AppError::LoginRequired {
                htmx,
                next: next.clone(),
            };
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let (id, epoch) = session.user().ok_or_else(login_required)?;
            let found = state
                .db
                .run(move |conn| {
                    let Some(user) = users::find(conn, &id).optional()? else {
                        return Ok(None);
                    };
                    let memberships = teams::for_user(conn, &user.id)?;
                    Ok(Some((user, memberships)))
                })
                .await?;
            match found {
                Some((user, memberships)) if user.session_epoch == epoch && !user.disabled => {
                    Ok(CurrentUser {
                        admin_notice: user
                            .is_admin
                            .then(|| unsandboxed_notice(state.runtimes.isolation()))
                            .flatten(),
                        user,
                        memberships,
                        session,
                    })
                }
                // Deleted or disabled account, or password changed elsewhere: this session is over.
                _ => {
                    session.sign_out();
                    Err(login_required())
                }
            }
        })
    }
}

/// What administrators must know when runtimes run without the sandbox.
fn unsandboxed_notice(isolation: Result<(), String>) -> Option<String> {
    let why = isolation.err()?;
    Some(format!(
        "Node-RED runtimes run without a sandbox ({why}): any member's flow can read this \
         server's database, keys and every other instance's files. Install bubblewrap \
         (apt-get install bubblewrap) and restart redstage; `redstage --check-sandbox` tells \
         whether it works."
    ))
}
