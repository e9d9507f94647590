//! The one error type of the application. How each kind is shown to a user is the web layer's job
//! (`web::errors`).
//!
//! Handlers return `Result<_, AppError>`. The user gets a page inside the site layout with a message
//! they can act on; the cause chain goes to the log. Form validation is not an `AppError`: forms are
//! re-rendered with their messages and status 422 by the handlers themselves.

use diesel::result::Error as DieselError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or the user may not know that it does.
    #[error("not found")]
    NotFound,
    /// The user may see the thing but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request conflicts with the current state (e.g. a promotion already running).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request is malformed in a way a form cannot show next to a field.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A state-changing request without a valid CSRF token.
    #[error("missing or invalid CSRF token")]
    Csrf,
    /// No signed-in user; pages redirect to the sign-in form.
    #[error("sign-in required")]
    LoginRequired {
        /// Whether the request came from htmx (answer with `HX-Redirect`).
        htmx: bool,
        /// Where to return after signing in.
        next: String,
    },
    /// Too much work queued (e.g. password hashing under a burst of sign-ins): try again after
    /// `retry_after` seconds.
    #[error("busy: {message}")]
    Busy {
        /// What is busy.
        message: String,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A Node-RED runtime or another peer failed; the message says what to do.
    #[error("upstream failure: {0}")]
    Upstream(String),
    /// A database error (`NotFound` becomes 404).
    #[error(transparent)]
    Db(#[from] DieselError),
    /// No database connection could be had.
    #[error(transparent)]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Anything else: a bug or an environment problem.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// Whether this is a UNIQUE-constraint violation (a duplicate name, slug, ...).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, AppError::Db(e) if crate::db::is_unique_violation(e))
    }
}
