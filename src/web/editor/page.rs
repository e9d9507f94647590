//! What an instance origin answers itself (not Node-RED): a small self-contained page, with no
//! platform styles or scripts (they live on the platform origin) and nothing else loaded.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER};

use crate::error::AppError;

/// This page's CSP: its one inline style block, nothing else.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// A refusal or an error, as an instance origin says it.
#[derive(Debug)]
pub struct OriginError {
    /// Status code.
    pub status: StatusCode,
    /// What to tell the user.
    pub message: String,
    /// Where they can go next (a platform page).
    pub link: Option<(String, &'static str)>,
    /// Seconds after which trying again makes sense (503).
    pub retry_after: Option<u64>,
}

impl OriginError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            link: None,
            retry_after: None,
        }
    }

    /// Nothing here.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "There is nothing here.")
    }

    /// With a link to `url` labelled `text`.
    pub fn with_link(mut self, url: String, text: &'static str) -> Self {
        self.link = Some((url, text));
        self
    }

    /// The page.
    pub fn response(&self) -> HttpResponse {
        let link = self
            .link
            .as_ref()
            .map(|(url, text)| format!("<p><a href=\"{}\">{}</a></p>", escape(url), escape(text)))
            .unwrap_or_default();
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title>\
             <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}}</style>\
             </head><body><h1>{status}</h1><p data-error-message>{message}</p>{link}</body></html>",
            status = escape(&self.status.to_string()),
            message = escape(&self.message),
        );
        let mut response = HttpResponse::build(self.status);
        response
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "no-store"))
            .insert_header(("Content-Security-Policy", CSP))
            .insert_header(("X-Content-Type-Options", "nosniff"));
        if let Some(secs) = self.retry_after {
            response.insert_header((RETRY_AFTER, secs.to_string()));
        }
        response.body(body)
    }
}

impl From<AppError> for OriginError {
    fn from(error: AppError) -> Self {
        use actix_web::ResponseError;
        let status = error.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?error, "instance origin request failed");
        }
        let message = match &error {
            AppError::Forbidden(m) | AppError::Conflict(m) | AppError::BadRequest(m) => m.clone(),
            AppError::Upstream(m) => m.clone(),
            AppError::NotFound | AppError::Db(diesel::result::Error::NotFound) => {
                "There is nothing here.".into()
            }
            _ => "Something went wrong on our side; the server log says what.".into(),
        };
        Self::new(status, message)
    }
}

/// A redirect that sends no `Referer` onwards (its URL may hold a ticket).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish()
}

/// A temporary redirect keeping the method (a label that moved, for a while; another name of
/// the platform).
pub fn moved(location: &str) -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header((LOCATION, location))
        .finish()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
