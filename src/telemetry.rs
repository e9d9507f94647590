//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), and the per-request span.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::RootSpanBuilder;
use tracing_subscriber::EnvFilter;

/// Install the global subscriber once; later calls (tests spawn many apps) are harmless no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Request spans that record the status without logging every refused request as an error:
/// `AppError` already logs server errors with their cause, and a redirect to the sign-in page or a
/// 404 is not worth a log line. A span names the method and the path only: a query string can
/// carry a one-time editor ticket, and matching the path against the route table a second time
/// (for a route name) costs more than the rest of the span.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.target = %request.path(),
            http.status_code = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        span.record("http.status_code", status.as_u16());
    }
}
