//! CSRF protection for every state-changing request on the platform origin: it must be sent from a
//! platform page (`Origin` exactly the platform's: instance origins are the same *site*), and the
//! session's token must come back either in the `X-CSRF-Token` header (htmx requests) or in the
//! `csrf_token` field of a url-encoded form (plain form posts, which work without JavaScript).

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::session::UserSession;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::host::sent_from;

/// Name of the hidden form field carrying the token.
pub const FORM_FIELD: &str = "csrf_token";
/// Name of the header carrying the token.
pub const HEADER: &str = "X-CSRF-Token";
/// Largest form body the check will buffer.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Middleware: refuse (403) unsafe requests whose token is missing or wrong.
pub async fn verify(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method().is_safe() {
        return next.call(req).await;
    }
    let platform = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|state| state.origins.platform_origin());
    if !platform.is_some_and(|origin| sent_from(req.headers(), &origin)) {
        tracing::warn!(path = %req.path(), "refused a change sent from another origin");
        return Err(AppError::Forbidden(
            "This change was sent from another site or an instance's page, so nothing was changed."
                .into(),
        )
        .into());
    }
    let expected = UserSession::from_session(req.get_session()).existing_csrf_token();
    let provided = match req.headers().get(HEADER) {
        Some(value) => value.to_str().ok().map(str::to_owned),
        None if is_urlencoded_form(&req) => {
            let body = read_body(&mut req).await?;
            let token = url::form_urlencoded::parse(&body)
                .find(|(key, _)| key == FORM_FIELD)
                .map(|(_, value)| value.into_owned());
            req.set_payload(Payload::from(body));
            token
        }
        None => None,
    };
    match (expected, provided) {
        (Some(expected), Some(provided)) if constant_time_eq(&expected, &provided) => {
            next.call(req).await
        }
        _ => {
            tracing::warn!(path = %req.path(), "refused a request without a valid CSRF token");
            Err(AppError::Csrf.into())
        }
    }
}

fn is_urlencoded_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("could not read the form: {e}")))?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(AppError::BadRequest("The form is too large.".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
