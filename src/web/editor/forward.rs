//! Forwarding one HTTP request from an instance origin to its runtime on 127.0.0.1, with bodies
//! streamed both ways (bounded by the configured limit and timeout, never buffered whole), and
//! headers filtered by zone (see `headers`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, COOKIE, HOST};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::headers::{self, Zone};
use super::page::OriginError;
use crate::nodered::PROXY_HEADER;
use crate::nodered::driver::url_at;
use crate::nodered::hold::Pass;
use crate::state::AppState;
use crate::web::host::TrustedProxies;
use url::Url;

/// Where a request goes.
pub struct Upstream<'a> {
    /// Where the runtime listens (its driver's address).
    pub address: &'a Url,
    /// Which zone of the origin.
    pub zone: Zone,
    /// The admin token added to editor requests.
    pub bearer: Option<&'a str>,
    /// The runtime's proxy secret (every request carries it).
    pub secret: &'a str,
    /// A flow request's pass through its instance's gate: told when the answer begins, and kept
    /// until its body is sent (the request is in flight until then).
    pub pass: Option<Pass>,
}

/// The request headers the runtime gets, as (name, value) pairs.
pub fn request_headers(state: &AppState, req: &HttpRequest, zone: Zone) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = req
        .headers()
        .iter()
        .filter(|(name, _)| headers::forward_request(zone, name.as_str()))
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let proxies = TrustedProxies(&state.settings.trusted_proxies);
    let head = req.head();
    if zone == Zone::Flow {
        // The flow sees the host it was called at, and its own cookies (never ours).
        if let Some(host) = req.headers().get(HOST) {
            out.push(("host".into(), host.as_bytes().to_vec()));
        }
        let cookies = req
            .headers()
            .get_all(COOKIE)
            .filter_map(|v| v.to_str().ok());
        let cookies: Vec<String> = cookies.filter_map(headers::flow_cookies).collect();
        if !cookies.is_empty() {
            out.push(("cookie".into(), cookies.join("; ").into_bytes()));
        }
    }
    let host = proxies.host(head).unwrap_or_default();
    out.push((
        "x-forwarded-for".into(),
        proxies.forwarded_for(head).into_bytes(),
    ));
    out.push((
        "x-forwarded-proto".into(),
        proxies.scheme(head).as_bytes().to_vec(),
    ));
    out.push(("x-forwarded-host".into(), host.into_bytes()));
    out
}

/// Send `req` on to the runtime and stream its answer back.
pub async fn forward(
    state: &AppState,
    req: &HttpRequest,
    body: web::Payload,
    mut up: Upstream<'_>,
) -> Result<HttpResponse, OriginError> {
    let limits = state.settings.proxy;
    let mut upstream = upstream_request(state, req, &up)?;
    let length = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = Arc::new(AtomicBool::new(false));
    if length.is_some_and(|n| n > limits.max_body) {
        return Err(too_large_error(limits.max_body));
    }
    let chunked = req.headers().contains_key("transfer-encoding");
    if length.is_some_and(|n| n > 0) || chunked {
        if let Some(n) = length {
            upstream = upstream.header(CONTENT_LENGTH.as_str(), n);
        }
        upstream = upstream.body(stream_body(body, limits.max_body, too_large.clone()));
    }
    let answer = match tokio::time::timeout(limits.timeout, upstream.send()).await {
        Err(_) => return Err(timed_out(limits.timeout)),
        Ok(Err(_)) if too_large.load(Ordering::SeqCst) => {
            return Err(too_large_error(limits.max_body));
        }
        Ok(Err(_)) => return Err(unreachable()),
        Ok(Ok(answer)) => answer,
    };
    if let Some(pass) = &mut up.pass {
        pass.answered();
    }
    Ok(respond(answer, up.zone, up.pass))
}

/// 504: the runtime did not answer in time.
fn timed_out(timeout: std::time::Duration) -> OriginError {
    let secs = timeout.as_secs();
    OriginError::new(
        StatusCode::GATEWAY_TIMEOUT,
        format!("The flow did not answer within {secs} s."),
    )
}

/// The request to the runtime: the client's method, path and (zone-filtered) headers, the
/// editor's bearer token and the runtime's proxy secret.
fn upstream_request(
    state: &AppState,
    req: &HttpRequest,
    up: &Upstream<'_>,
) -> Result<reqwest::RequestBuilder, OriginError> {
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| OriginError::new(StatusCode::METHOD_NOT_ALLOWED, "Unsupported method."))?;
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut upstream = state
        .proxy_http
        .request(method, url_at(up.address, false, path));
    for (name, value) in request_headers(state, req, up.zone) {
        upstream = upstream.header(name, value);
    }
    if let Some(token) = up.bearer {
        upstream = upstream.bearer_auth(token);
    }
    Ok(upstream.header(PROXY_HEADER, up.secret))
}

/// The runtime's answer, headers filtered, body streamed (holding `pass` until it ends).
fn respond(answer: reqwest::Response, zone: Zone, pass: Option<Pass>) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = HttpResponse::build(status);
    for (name, value) in answer.headers() {
        let text = value.to_str().unwrap_or_default();
        if headers::forward_response(zone, name.as_str(), text) {
            response.append_header((name.as_str(), value.as_bytes()));
        }
    }
    if zone == Zone::Editor {
        response
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "same-origin"))
            .insert_header(("X-Frame-Options", "SAMEORIGIN"));
    }
    let length = answer.content_length();
    let stream = answer.bytes_stream().map(move |chunk| {
        let _in_flight = &pass;
        chunk
    });
    match length {
        Some(length) => response.body(SizedStream::new(length, stream)),
        None => response.streaming(stream),
    }
}

/// The request body as a stream the HTTP client can send from any thread: actix's payload is
/// read on this worker and handed over chunk by chunk, with backpressure, up to `limit` bytes.
fn stream_body(mut body: web::Payload, limit: u64, too_large: Arc<AtomicBool>) -> reqwest::Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(8);
    actix_web::rt::spawn(async move {
        let mut total: u64 = 0;
        while let Some(chunk) = body.next().await {
            let item = match chunk {
                Ok(bytes) => {
                    total = total.saturating_add(bytes.len() as u64);
                    if total > limit {
                        too_large.store(true, Ordering::SeqCst);
                        Err(std::io::Error::other("request body over the limit"))
                    } else {
                        Ok(bytes)
                    }
                }
                Err(error) => Err(std::io::Error::other(error.to_string())),
            };
            let stop = item.is_err();
            if tx.send(item).await.is_err() || stop {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    reqwest::Body::wrap_stream(stream)
}

fn too_large_error(limit: u64) -> OriginError {
    OriginError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request body is larger than {} MiB.",
            limit / (1024 * 1024)
        ),
    )
}

/// The runtime did not answer (it is restarting, or just stopped).
pub fn unreachable() -> OriginError {
    let mut error = OriginError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "The instance's Node-RED did not answer; it may be restarting. Try again in a moment.",
    );
    error.retry_after = Some(2);
    error
}
