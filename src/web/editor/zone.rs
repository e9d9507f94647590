//! The editor zone of an instance origin (`/editor/...`): a member's editor session, writes only
//! from the instance's own pages, the runtime's token (read-only for viewers and, on a protected
//! instance, for members), and the editor's own websocket.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::forward::{self, Upstream};
use super::headers::Zone;
use super::page::{OriginError, see_other};
use super::{running_address, session, sign_in, ticket, websocket};
use crate::db::models::instance_settings::InstanceSettings;
use crate::db::models::instances::{Instance, InstanceScope};
use crate::domain::roles::may_change_instance;
use crate::nodered::EDITOR_PREFIX;
use crate::nodered::driver::url_at;
use crate::nodered::tokens::Access;
use crate::state::AppState;
use crate::web::host::sent_from;

/// The editor zone: a member's editor session, exact-origin writes, the runtime's token.
pub(super) async fn editor(
    req: &HttpRequest,
    body: web::Payload,
    state: &AppState,
    instance: &Instance,
    settings: &InstanceSettings,
) -> Result<HttpResponse, OriginError> {
    if req.path() == ticket::EXCHANGE_PATH {
        return ticket::exchange(state, req, instance).await;
    }
    if req.path() == EDITOR_PREFIX {
        // The editor's URLs are relative: it must be opened with the slash.
        return Ok(see_other(&format!("{EDITOR_PREFIX}/")));
    }
    let Some(member) = session::member(state, req, &instance.id).await? else {
        return sign_in(req, state, instance);
    };
    from_own_pages(req, state, instance)?;
    let address = running_address(state, instance)?;
    if req.path() == "/editor/" && req.method() == Method::GET && !settings.editor_enabled {
        return Err(editor_turned_off(instance));
    }
    let token = state
        .runtimes
        .token(&instance.id, editor_access(&member.scope));
    if websocket::is_upgrade(req) {
        return editor_socket(req, body, state, &address, &token).await;
    }
    let secret = state.runtimes.proxy_secret(&instance.id);
    let up = Upstream {
        address: &address,
        zone: Zone::Editor,
        bearer: Some(&token),
        secret: &secret,
        pass: None,
    };
    forward::forward(state, req, body, up).await
}

/// 403 for a change (any unsafe method) not sent from the instance's own origin.
fn from_own_pages(
    req: &HttpRequest,
    state: &AppState,
    instance: &Instance,
) -> Result<(), OriginError> {
    let origin = state.origins.instance_origin(&instance.label);
    if req.method().is_safe() || sent_from(req.headers(), &origin) {
        return Ok(());
    }
    Err(OriginError::new(
        StatusCode::FORBIDDEN,
        "The editor only accepts changes made from its own pages.",
    ))
}

/// Viewers, and members on a protected instance, get a read-only editor.
fn editor_access(scope: &InstanceScope) -> Access {
    if may_change_instance(scope.membership.role, scope.instance.protected) {
        Access::Full
    } else {
        Access::Read
    }
}

/// 409: the instance's settings turn its editor off.
fn editor_turned_off(instance: &Instance) -> OriginError {
    OriginError::new(
        StatusCode::CONFLICT,
        format!(
            "The editor of {} is turned off in its settings (Settings > Editor); its flows keep running.",
            instance.name
        ),
    )
}

/// The editor's own websocket (`/editor/comms`, no other), with the runtime's token.
async fn editor_socket(
    req: &HttpRequest,
    body: web::Payload,
    state: &AppState,
    address: &Url,
    token: &str,
) -> Result<HttpResponse, OriginError> {
    if req.path() != "/editor/comms" {
        return Err(OriginError::not_found());
    }
    let url = url_at(address, true, &format!("{EDITOR_PREFIX}/comms"));
    let headers = vec![(
        "authorization".into(),
        format!("Bearer {token}").into_bytes(),
    )];
    websocket::relay(req, body, url, headers, state.settings.proxy.timeout).await
}
