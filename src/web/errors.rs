//! How an [`AppError`] is shown: its status, and a page inside the site layout with a message the
//! user can act on (the cause chain goes to the log).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::Error as DieselError;

use crate::error::AppError;
use crate::web::views::ErrorPage;

fn title_and_message(error: &AppError) -> (&'static str, String) {
    match error {
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
        let (title, message) = title_and_message(self);
        let mut response = ErrorPage::render_response(status, title, &message);
        if let AppError::Busy { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after));
        }
        response
    }
}
