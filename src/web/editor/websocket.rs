//! Websockets through an instance origin: the editor's `/comms` and the flows' own (`websocket in`
//! nodes, dashboards, socket.io). The browser's socket is accepted only once the runtime accepted
//! ours (so a refusal keeps its status), then messages are relayed both ways until either closes.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::forward::unreachable;
use super::page::OriginError;

/// Largest message relayed either way.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Whether the request asks for a websocket.
pub fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Headers of the handshake that the websocket client makes itself.
fn made_by_client(name: &str) -> bool {
    name.starts_with("sec-websocket-") && name != "sec-websocket-protocol"
        || matches!(name, "host" | "connection" | "upgrade" | "content-length")
}

/// Open `url` on the runtime with `headers` (already filtered for the zone), then accept the
/// browser's socket and relay.
pub async fn relay(
    req: &HttpRequest,
    body: web::Payload,
    url: String,
    headers: Vec<(String, Vec<u8>)>,
    timeout: std::time::Duration,
) -> Result<HttpResponse, OriginError> {
    let mut request = url.into_client_request().map_err(|_| unreachable())?;
    for (name, value) in headers.into_iter().filter(|(n, _)| !made_by_client(n)) {
        // The websocket client's own `http` types (1.x), not actix's.
        let name = reqwest::header::HeaderName::try_from(name);
        let value = reqwest::header::HeaderValue::from_bytes(&value);
        if let (Ok(name), Ok(value)) = (name, value) {
            request.headers_mut().append(name, value);
        }
    }
    let connecting = tokio_tungstenite::connect_async_with_config(request, None, true);
    let (upstream, answer) = match tokio::time::timeout(timeout, connecting).await {
        Err(_) => return Err(unreachable()),
        Ok(Err(WsError::Http(refused))) => {
            let status =
                StatusCode::from_u16(refused.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            return Err(OriginError::new(status, "The websocket was refused."));
        }
        Ok(Err(_)) => return Err(unreachable()),
        Ok(Ok(connected)) => connected,
    };
    let (mut response, session, from_browser) = actix_ws::handle(req, body)
        .map_err(|e| OriginError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    if let Some(protocol) = answer.headers().get("sec-websocket-protocol")
        && let Ok(protocol) = HeaderValue::from_bytes(protocol.as_bytes())
    {
        response
            .headers_mut()
            .insert(SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    let from_browser = from_browser
        .max_frame_size(MAX_MESSAGE)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE);
    actix_web::rt::spawn(pump(session, from_browser, upstream));
    Ok(response)
}

type Upstream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn pump(
    mut session: actix_ws::Session,
    mut from_browser: actix_ws::AggregatedMessageStream,
    upstream: Upstream,
) {
    use actix_ws::AggregatedMessage as In;
    let (mut to_runtime, mut from_runtime) = upstream.split();
    let mut close = None;
    loop {
        tokio::select! {
            message = from_browser.next() => {
                let sent = match message {
                    Some(Ok(In::Text(text))) => to_runtime.send(Message::text(text.to_string())).await,
                    Some(Ok(In::Binary(bytes))) => to_runtime.send(Message::binary(bytes)).await,
                    Some(Ok(In::Ping(bytes))) => to_runtime.send(Message::Ping(bytes)).await,
                    Some(Ok(In::Pong(bytes))) => to_runtime.send(Message::Pong(bytes)).await,
                    Some(Ok(In::Close(reason))) => {
                        let frame = reason.map(|r| CloseFrame {
                            code: CloseCode::from(u16::from(r.code)),
                            reason: r.description.unwrap_or_default().into(),
                        });
                        let _ = to_runtime.send(Message::Close(frame)).await;
                        break;
                    }
                    Some(Err(_)) | None => break,
                };
                if sent.is_err() {
                    break;
                }
            }
            message = from_runtime.next() => {
                let sent = match message {
                    Some(Ok(Message::Text(text))) => session.text(text.as_str().to_owned()).await,
                    Some(Ok(Message::Binary(bytes))) => session.binary(bytes).await,
                    Some(Ok(Message::Ping(bytes))) => session.ping(&bytes).await,
                    Some(Ok(Message::Pong(bytes))) => session.pong(&bytes).await,
                    Some(Ok(Message::Frame(_))) => Ok(()),
                    Some(Ok(Message::Close(frame))) => {
                        close = frame.map(|f| actix_ws::CloseReason {
                            code: u16::from(f.code).into(),
                            description: Some(f.reason.as_str().to_owned()),
                        });
                        break;
                    }
                    Some(Err(_)) | None => break,
                };
                if sent.is_err() {
                    break;
                }
            }
        }
    }
    let _ = session.close(close).await;
    let _ = to_runtime.close().await;
}
