//! The signed-in user, extracted from the session for every page that needs one. Pages answer
//! "not signed in" with a redirect to the sign-in form (htmx requests with `HX-Redirect`).

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::OptionalExtension;
use futures_util::future::LocalBoxFuture;

use super::session::UserSession;
use crate::db::Conn;
use crate::db::ids::UserId;
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
        let found = CurrentUser::with(req, |_, _| Ok(()));
        Box::pin(async move { Ok(found.await?.0) })
    }
}

impl CurrentUser {
    /// The signed-in user and `also` (say, what the route names), loaded in one trip to the
    /// database; `also`'s own error is returned as is, after the sign-in was checked.
    pub fn with<T: Send + 'static>(
        req: &HttpRequest,
        also: impl FnOnce(&mut Conn, &User) -> Result<T, AppError> + Send + 'static,
    ) -> LocalBoxFuture<'static, Result<With<T>, AppError>> {
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
            let login_required = AppError::LoginRequired { htmx, next };
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let Some((id, epoch)) = session.user() else {
                return Err(login_required);
            };
            let found = state
                .db
                .run(move |conn| signed_in(conn, &id, epoch, also))
                .await?;
            // Deleted or disabled account, or password changed elsewhere: this session is over.
            let Some((user, memberships, also)) = found else {
                session.sign_out();
                return Err(login_required);
            };
            let admin_notice = match user.is_admin {
                true => unsandboxed_notice(state.runtimes.isolation().await),
                false => None,
            };
            let current = CurrentUser {
                admin_notice,
                user,
                memberships,
                session,
            };
            Ok((current, also))
        })
    }
}

/// The signed-in user, and what was loaded with them (or why it was not).
pub type With<T> = (CurrentUser, Result<T, AppError>);

/// A signed-in account with its teams, and what was loaded with it.
type SignedIn<T> = Option<(User, Vec<Membership>, Result<T, AppError>)>;

/// The account `id` with its teams and `also`, while its session (of `epoch`) still holds.
fn signed_in<T>(
    conn: &mut Conn,
    id: &UserId,
    epoch: i32,
    also: impl FnOnce(&mut Conn, &User) -> Result<T, AppError>,
) -> Result<SignedIn<T>, AppError> {
    let Some(user) = users::find(conn, id).optional()? else {
        return Ok(None);
    };
    if user.session_epoch != epoch || user.disabled {
        return Ok(None);
    }
    let memberships = teams::for_user(conn, &user.id)?;
    let also = also(conn, &user);
    Ok(Some((user, memberships, also)))
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
