//! Instance origins (`{label}.{domain}`): every host that is not the platform's is answered here.
//! Under the editor prefix, the Node-RED editor and its admin API for the team's members (an
//! editor session from a ticket; the runtime's token added by the proxy); everywhere else, the
//! flows' endpoints for whoever the instance lets call them, with none of our cookies or tokens.
//! The platform's own routes for "Open Editor" (which mint tickets) are in `ticket`.

mod forward;
pub mod headers;
mod page;
mod session;
pub mod ticket;
mod websocket;
mod zone;

use std::sync::Arc;

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

use self::forward::Upstream;
use self::headers::Zone;
use self::page::{OriginError, moved, see_other};
use crate::db::models::instance_settings::{self, InstanceSettings};
use crate::db::models::instances::Instance;
use crate::db::models::labels;
use crate::domain::endpoints::EndpointAccess;
use crate::domain::origins::HostKind;
use crate::instances::routes::Route;
use crate::nodered::driver::url_at;
use crate::nodered::hold::{Pass, Refusal};
use crate::nodered::{EDITOR_PREFIX, PROXY_HEADER};
use crate::state::AppState;
use crate::web::host::TrustedProxies;
use crate::web::urls;
use url::Url;

/// The platform's routes for the editor: they only send people to the instance's own origin.
pub fn platform_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(urls::INSTANCE_EDITOR_ENTRY)
            .route(web::get().to(ticket::open_editor))
            .default_service(web::to(crate::web::not_found)),
    )
    .service(
        web::resource(urls::INSTANCE_EDITOR)
            .route(web::get().to(ticket::open_editor))
            .default_service(web::to(crate::web::not_found)),
    )
    .service(web::resource(urls::INSTANCE_OPEN).route(web::get().to(ticket::open)));
}

/// Every request whose host is not the platform's.
pub async fn dispatch(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    serve(&req, body, &state)
        .await
        .unwrap_or_else(|error| error.response())
}

async fn serve(
    req: &HttpRequest,
    body: web::Payload,
    state: &AppState,
) -> Result<HttpResponse, OriginError> {
    let host = TrustedProxies(&state.settings.trusted_proxies)
        .host(req.head())
        .unwrap_or_default();
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let label = match state.origins.classify(&host) {
        HostKind::Instance(label) => label,
        HostKind::PlatformAlias => return Ok(moved(&state.origins.platform_url(path))),
        HostKind::Platform | HostKind::Unknown => return Err(unknown_host(state)),
    };
    let Some(route) = lookup(state, &label).await? else {
        return Err(OriginError::not_found());
    };
    let (instance, settings) = (&route.instance, &route.settings);
    if instance.label != label {
        // An old label: the instance lives on its new origin now.
        let origin = state.origins.instance_origin(&instance.label);
        return Ok(moved(&format!("{origin}{path}")));
    }
    let in_editor = req.path() == EDITOR_PREFIX || req.path().starts_with("/editor/");
    if in_editor {
        zone::editor(req, body, state, instance, settings).await
    } else {
        flow(req, body, state, instance, settings).await
    }
}

/// 404 for a host that is neither the platform's nor an instance's: most often a server reached
/// at another address than the one it was told.
fn unknown_host(state: &AppState) -> OriginError {
    let platform = state.origins.platform_origin();
    OriginError::new(
        StatusCode::NOT_FOUND,
        format!(
            "This server is redstage at {platform}, and its instances' own addresses. \
             If you reached it at another address, set REDSTAGE_PUBLIC_URL to it."
        ),
    )
    .with_link(platform, "Go to redstage")
}

/// The instance labelled `label` (or that had it until recently) and its settings.
async fn lookup(state: &AppState, label: &str) -> Result<Option<Arc<Route>>, OriginError> {
    if let Some(route) = state.routes.get(label) {
        return Ok(Some(route));
    }
    let name = label.to_owned();
    let found = state
        .db
        .run(move |conn| {
            let found = match labels::find(conn, &name)? {
                Some(instance) => Some(instance),
                None => labels::find_alias(conn, &name)?,
            };
            let Some(instance) = found else {
                return Ok(None);
            };
            let settings = instance_settings::get(conn, &instance.id)?;
            Ok(Some(Arc::new(Route { instance, settings })))
        })
        .await?;
    if let Some(route) = &found {
        state.routes.put(label, route.clone());
    }
    Ok(found)
}

/// The flow zone: whoever the instance lets call its endpoints, the request as the client sent it.
async fn flow(
    req: &HttpRequest,
    body: web::Payload,
    state: &AppState,
    instance: &Instance,
    settings: &InstanceSettings,
) -> Result<HttpResponse, OriginError> {
    if settings.endpoint_access() == EndpointAccess::Members
        && session::member(state, req, &instance.id).await?.is_none()
    {
        return sign_in(req, state, instance);
    }
    // Websockets are relayed as they come; every other request waits while redstage changes
    // the runtime (and is counted in flight, so that a change waits for it).
    let pass = match websocket::is_upgrade(req) {
        true => None,
        false => Some(enter(state, instance).await?),
    };
    let address = running_address(state, instance)?;
    let secret = state.runtimes.proxy_secret(&instance.id);
    if websocket::is_upgrade(req) {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let url = url_at(&address, true, path);
        let mut headers = forward::request_headers(state, req, Zone::Flow);
        headers.push((PROXY_HEADER.into(), secret.into_bytes()));
        return websocket::relay(req, body, url, headers, state.settings.proxy.timeout).await;
    }
    let up = Upstream {
        address: &address,
        zone: Zone::Flow,
        bearer: None,
        secret: &secret,
        pass,
    };
    forward::forward(state, req, body, up).await
}

/// Through the instance's gate: at once, or once redstage is done deploying to or restarting
/// it; 503 with `Retry-After` past the configured bounds.
async fn enter(state: &AppState, instance: &Instance) -> Result<Pass, OriginError> {
    let refusal = match state.holds.enter(&instance.id).await {
        Ok(pass) => return Ok(pass),
        Err(refusal) => refusal,
    };
    const RETRY_AFTER: u64 = 5;
    let why = match refusal {
        Refusal::QueueFull => "too many requests are waiting for it",
        Refusal::TimedOut => "it took longer than this request may wait",
    };
    let mut error = OriginError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "{} is being updated and {why}; try again in {RETRY_AFTER} s.",
            instance.name
        ),
    );
    error.retry_after = Some(RETRY_AFTER);
    Err(error)
}

/// Not signed in on this origin: a browser opening a page goes through the platform's sign-in
/// and ticket and comes back here; anything else is told to.
fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    instance: &Instance,
) -> Result<HttpResponse, OriginError> {
    let navigating = req.method() == Method::GET
        && (req
            .headers()
            .get("sec-fetch-mode")
            .is_some_and(|m| m == "navigate")
            || req
                .headers()
                .get("accept")
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/html")));
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    let open = state.origins.platform_url(&format!(
        "{}?next={next}",
        urls::instance_open(&instance.id)
    ));
    if navigating {
        return Ok(see_other(&open));
    }
    Err(OriginError::new(
        StatusCode::UNAUTHORIZED,
        "Sign in through redstage first: open this instance from its page there.",
    )
    .with_link(open, "Sign in"))
}

/// The runtime's address, or why there is none.
fn running_address(state: &AppState, instance: &Instance) -> Result<Url, OriginError> {
    state.runtimes.address(&instance.id).ok_or_else(|| {
        let mut error = OriginError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{} is not running. Start it from its page in redstage and try again.",
                instance.name
            ),
        )
        .with_link(
            state
                .origins
                .platform_url(&crate::web::urls::instance_overview(&instance.id)),
            "Open the instance in redstage",
        );
        error.retry_after = Some(5);
        error
    })
}
