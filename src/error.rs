//! The one error type of the application and how each kind is shown to a user.
//!
//! Handlers return `Result<_, AppError>`. The user gets a page inside the site layout with a message
//! they can act on; the cause chain goes to the log. Form validation is not an `AppError`: forms are
//! re-rendered with their messages and status 422 by the handlers themselves.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::Error as DieselError;

use crate::web::views::ErrorPage;

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

    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            AppError::NotFound | AppError::Db(DieselError::NotFound) => (
                "Page not found",
                "There is nothing here, or you are not allowed to see it.".into(),
            ),
            AppError::Forbidden(why) => ("Not allowed", why.clone()),
            AppError::Conflict(why) => ("Not possible right now", why.clone()),
            AppError::BadRequest(why) => ("Bad request", why.clone()),
            AppError::Csrf => (
                "This form has expired",
                "The request did not carry a valid security token, so nothing was changed. \
                 Go back, reload the page and try again."
                    .into(),
            ),
            AppError::Upstream(why) => ("A Node-RED runtime did not answer", why.clone()),
            AppError::Busy { message, .. } => ("Busy", message.clone()),
            AppError::LoginRequired { .. } => ("Sign in", "Please sign in.".into()),
            AppError::Db(_) | AppError::Pool(_) | AppError::Unexpected(_) => (
                "Something went wrong",
                "The server hit an unexpected problem and nothing was changed. \
                 Try again; if it keeps happening, the server log has the details."
                    .into(),
            ),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::Db(DieselError::NotFound) => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Pool(_) | AppError::Unexpected(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::LoginRequired { htmx, next } = self {
            let location = crate::web::urls::login_with_next(next);
            return if *htmx {
                HttpResponse::Unauthorized()
                    .insert_header(("HX-Redirect", location))
                    .finish()
            } else {
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            };
        }
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let (title, message) = self.title_and_message();
        let mut response = ErrorPage::render_response(status, title, &message);
        if let AppError::Busy { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after));
        }
        response
    }
}
