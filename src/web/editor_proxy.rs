//! The Node-RED editor of an instance, served through redstage at `/instance/{id}/editor/`:
//! a reverse proxy (HTTP and the `/comms` websocket) that strips the prefix and injects the
//! instance's bearer token, so the runtime's own port never faces users. Members get the full
//! token; viewers the read-only one (Node-RED then opens the editor read-only). The editor's own
//! requests carry no CSRF token of ours, so state-changing ones must come from our own origin.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{SinkExt, StreamExt};

use super::instances::load;
use super::views::see_other;
use crate::auth::CurrentUser;
use crate::db::ids::InstanceId;
use crate::db::models::instance_settings;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::nodered::tokens::Access;
use crate::state::AppState;

/// Request headers never forwarded: hop-by-hop ones, our session, and anything claiming identity.
const DROP_REQUEST: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "cookie",
    "authorization",
    "host",
    "accept-encoding",
];
/// Largest request body forwarded to a runtime.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// Response headers never passed back.
const DROP_RESPONSE: [&str; 7] = [
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "set-cookie",
];

/// `/instance/{id}/editor`: the editor's URLs are relative, so it must be opened with the slash.
pub async fn without_slash(id: web::Path<InstanceId>) -> HttpResponse {
    see_other(&super::urls::instance_editor(&id))
}

/// `/instance/{id}/editor/{tail}`: any method; the websocket upgrade for `comms`.
pub async fn proxy(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = req
        .match_info()
        .get("id")
        .map(|id| InstanceId::from(id.to_owned()))
        .ok_or(AppError::NotFound)?;
    let tail = req.match_info().get("tail").unwrap_or_default().to_owned();
    let scope = load(&user, &state, id).await?;
    if !req.method().is_safe() && !same_origin(&req) {
        return Err(AppError::Forbidden(
            "The editor only accepts changes made from this site.".into(),
        ));
    }
    let access = if scope.membership.role.allows(Action::ManageInstances) {
        Access::Full
    } else {
        Access::Read
    };
    let Some(port) = state.runtimes.status(&scope.instance.id).state.port() else {
        return Err(AppError::Conflict(format!(
            "{} is not running, so its editor is not available. Start it from the instance overview and try again.",
            scope.instance.name
        )));
    };
    if tail.is_empty() && req.method() == Method::GET {
        let id = scope.instance.id.clone();
        let settings = state
            .db
            .run(move |conn| Ok(instance_settings::get(conn, &id)?))
            .await?;
        if !settings.editor_enabled {
            return Err(AppError::Conflict(format!(
                "The editor of {} is turned off in its settings (Settings > Editor); its flows keep running.",
                scope.instance.name
            )));
        }
    }
    let token = state.runtimes.token(&scope.instance.id, access);
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let path = format!("/{tail}{query}");
    if is_websocket(&req) {
        return websocket(&req, body, port, &path, &token).await;
    }
    forward(&state, &req, body, port, &path, &token).await
}

fn is_websocket(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Whether a state-changing request comes from a page of this site (browsers send `Origin` on
/// every non-GET request; `Sec-Fetch-Site` where they support it).
fn same_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    let host = req.connection_info().host().to_owned();
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|origin| origin.split_once("://").map(|(_, rest)| rest.to_owned()))
        .is_some_and(|origin_host| origin_host == host)
}

async fn forward(
    state: &AppState,
    req: &HttpRequest,
    body: web::Payload,
    port: u16,
    path: &str,
    token: &str,
) -> Result<HttpResponse, AppError> {
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| AppError::BadRequest("Unsupported method.".into()))?;
    let mut upstream = state
        .runtimes
        .http()
        .request(method, format!("http://127.0.0.1:{port}{path}"))
        .bearer_auth(token);
    for (name, value) in req.headers() {
        if !DROP_REQUEST.contains(&name.as_str()) {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        // Buffered: the request stream is not Send. Flows files are megabytes at most.
        let bytes = body
            .to_bytes_limited(MAX_BODY)
            .await
            .map_err(|_| {
                AppError::BadRequest(
                    "The request is too large for the editor (64 MiB at most).".into(),
                )
            })?
            .map_err(|e| AppError::BadRequest(format!("The request could not be read: {e}")))?;
        upstream = upstream.body(bytes);
    }
    let answer = upstream.send().await.map_err(|_| {
        AppError::Upstream(
            "The instance's Node-RED did not answer; it may be restarting. Try again in a moment."
                .into(),
        )
    })?;
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = HttpResponse::build(status);
    for (name, value) in answer.headers() {
        if !DROP_RESPONSE.contains(&name.as_str()) {
            response.insert_header((name.as_str(), value.as_bytes()));
        }
    }
    Ok(response.streaming(answer.bytes_stream()))
}

async fn websocket(
    req: &HttpRequest,
    body: web::Payload,
    port: u16,
    path: &str,
    token: &str,
) -> Result<HttpResponse, AppError> {
    let unavailable =
        |e: String| AppError::Upstream(format!("The editor connection could not be opened: {e}"));
    let (_, upstream) = awc::Client::new()
        .ws(format!("ws://127.0.0.1:{port}{path}"))
        .bearer_auth(token)
        .max_frame_size(16 * 1024 * 1024)
        .connect()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let (response, mut session, from_browser) =
        actix_ws::handle(req, body).map_err(|e| unavailable(e.to_string()))?;
    let from_browser_limit = from_browser.max_frame_size(16 * 1024 * 1024);
    let (mut to_runtime, mut from_runtime) = upstream.split();
    actix_web::rt::spawn(async move {
        let mut from_browser = from_browser_limit;
        loop {
            tokio::select! {
                message = from_browser.next() => {
                    let forwarded = match message {
                        Some(Ok(actix_ws::Message::Text(text))) => to_runtime.send(awc::ws::Message::Text(text)).await,
                        Some(Ok(actix_ws::Message::Binary(bytes))) => to_runtime.send(awc::ws::Message::Binary(bytes)).await,
                        Some(Ok(actix_ws::Message::Ping(bytes))) => to_runtime.send(awc::ws::Message::Ping(bytes)).await,
                        Some(Ok(actix_ws::Message::Pong(bytes))) => to_runtime.send(awc::ws::Message::Pong(bytes)).await,
                        Some(Ok(actix_ws::Message::Continuation(_) | actix_ws::Message::Nop)) => Ok(()),
                        Some(Ok(actix_ws::Message::Close(_))) | Some(Err(_)) | None => break,
                    };
                    if forwarded.is_err() {
                        break;
                    }
                }
                frame = from_runtime.next() => {
                    let forwarded = match frame {
                        Some(Ok(awc::ws::Frame::Text(bytes))) => match String::from_utf8(bytes.to_vec()) {
                            Ok(text) => session.text(text).await,
                            Err(_) => Ok(()),
                        },
                        Some(Ok(awc::ws::Frame::Binary(bytes))) => session.binary(bytes).await,
                        Some(Ok(awc::ws::Frame::Ping(bytes))) => session.pong(&bytes).await,
                        Some(Ok(awc::ws::Frame::Pong(_) | awc::ws::Frame::Continuation(_))) => Ok(()),
                        Some(Ok(awc::ws::Frame::Close(_))) | Some(Err(_)) | None => break,
                    };
                    if forwarded.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = session.close(None).await;
        let _ = to_runtime.close().await;
    });
    Ok(response)
}
