//! "Open Editor" without sharing cookies between origins: the platform mints a one-time ticket
//! (256 random bits, valid 60 s, bound to the user, the instance and this sign-in, stored as a
//! digest) and redirects to the instance origin, which exchanges it, once, for its own editor
//! session cookie.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{OriginError, see_other};
use super::session;
use crate::auth::secret;
use crate::db::ids::InstanceId;
use crate::db::models::editor::{self, NewSession, NewTicket};
use crate::db::models::instances::{self, Instance, InstanceScope};
use crate::db::{Conn, now_ms};
use crate::error::AppError;
use crate::nodered::EDITOR_PREFIX;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::urls::{self, local_redirect};

/// How long a ticket can be exchanged.
const TICKET_LIFETIME_MS: i64 = 60_000;
/// Where on an instance origin tickets are exchanged (under the editor prefix: no flow has it).
pub const EXCHANGE_PATH: &str = "/editor/_redstage/ticket";

/// `?next=/path`: where to land on the instance origin.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Next {
    next: String,
}

/// `GET /instance/{id}/editor[/{tail}]` on the platform: the editor is on the instance's own
/// origin; go there, signed in.
pub async fn open_editor(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let id = req.match_info().get("id").ok_or(AppError::NotFound)?;
    let id = InstanceId::from(id.to_owned());
    let tail = req.match_info().get("tail").unwrap_or_default();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let next = format!("{EDITOR_PREFIX}/{tail}{query}");
    mint(&user, &state, id, &next).await
}

/// `GET /instance/{id}/open?next=/path` on the platform: sign in on the instance origin (for its
/// "team members only" endpoints) and land on `next` there.
pub async fn open(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<InstanceId>,
    query: web::Query<Next>,
) -> Result<HttpResponse, AppError> {
    mint(&user, &state, id.into_inner(), &query.next).await
}

/// Mint a ticket for a member of the instance's team and send them to the exchange.
async fn mint(
    user: &CurrentUser,
    state: &AppState,
    id: InstanceId,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let next = local_redirect(next).unwrap_or_else(|| format!("{EDITOR_PREFIX}/"));
    let sign_in = user.session.ensure_sign_in_id()?;
    let ticket = secret::random_token();
    let (uid, digest) = (user.user.id.clone(), secret::digest(&ticket));
    let instance = state
        .db
        .run(move |conn| {
            let scope: InstanceScope = instances::scope(conn, &id, &uid)?;
            editor::insert_ticket(
                conn,
                NewTicket {
                    sha256: &digest,
                    user: &uid,
                    instance: &scope.instance.id,
                    platform_session: &sign_in,
                    next_path: &next,
                    expires_at: now_ms() + TICKET_LIFETIME_MS,
                },
            )?;
            Ok(scope.instance)
        })
        .await?;
    let origin = state.origins.instance_origin(&instance.label);
    Ok(see_other(&format!(
        "{origin}{EXCHANGE_PATH}?ticket={ticket}"
    )))
}

/// `?ticket=…` of the exchange.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Exchange {
    ticket: String,
}

/// 403: the ticket is unknown, used or too old.
fn expired(state: &AppState, instance: &Instance) -> OriginError {
    let overview = state
        .origins
        .platform_url(&urls::instance_overview(&instance.id));
    OriginError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "This editor link has expired or was already used. Open the editor again from redstage.",
    )
    .with_link(overview, "Back to the instance in redstage")
}

/// Consume the ticket (hashed as `digest`) for instance `id` and record the editor session
/// (hashed as `session`) it opens: where to go next, or None for an unknown or used ticket.
fn open_session(
    conn: &mut Conn,
    digest: &str,
    id: &InstanceId,
    session: &str,
) -> Result<Option<String>, AppError> {
    let Some(ticket) = editor::consume_ticket(conn, digest, id)? else {
        return Ok(None);
    };
    let user = crate::db::models::users::find(conn, &ticket.user_id)?;
    // Still in the team (the ticket may have waited a minute).
    instances::scope(conn, id, &user.id)?;
    let lifetime_ms = i64::try_from(session::LIFETIME.whole_milliseconds()).unwrap_or(0);
    editor::insert_session(
        conn,
        NewSession {
            sha256: session,
            ticket: &ticket,
            session_epoch: user.session_epoch,
            expires_at: now_ms() + lifetime_ms,
        },
    )?;
    Ok(Some(ticket.next_path))
}

/// `GET /editor/_redstage/ticket?ticket=…` on the instance origin: take the ticket (once), start
/// an editor session, and land where the ticket says.
pub async fn exchange(
    state: &AppState,
    req: &HttpRequest,
    instance: &Instance,
) -> Result<HttpResponse, OriginError> {
    let query = web::Query::<Exchange>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let expired = || expired(state, instance);
    let (digest, id) = (secret::digest(&query.ticket), instance.id.clone());
    let token = secret::random_token();
    let session_digest = secret::digest(&token);
    let next = state
        .db
        .run(move |conn| open_session(conn, &digest, &id, &session_digest))
        .await
        .map_err(|e| match e {
            AppError::NotFound | AppError::Db(diesel::result::Error::NotFound) => expired(),
            other => other.into(),
        })?
        .ok_or_else(expired)?;
    let mut response = see_other(&next);
    let secure = state.origins.instances_are_https();
    response
        .add_cookie(&session::cookie(&token, secure))
        .map_err(|e| OriginError::from(AppError::Unexpected(e.into())))?;
    Ok(response)
}
