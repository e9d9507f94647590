//! The signed-in user's own account: change password, and where they are signed in (with a way
//! to sign out any of those sessions).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::{editor, sessions, users};
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::views::{Chrome, FormErrors, ago, chrome, render, see_other};

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    is_admin: bool,
    errors: FormErrors,
    sessions: Vec<SessionRow>,
}

/// One place the user is signed in.
struct SessionRow {
    public_id: String,
    device: String,
    address: String,
    created: String,
    last_seen: String,
    current: bool,
}

/// The change-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn account_page(
    user: &CurrentUser,
    state: &AppState,
    status: StatusCode,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let id = user.user.id.clone();
    let listed = state
        .db
        .run(move |conn| Ok(sessions::list_for_user(conn, &id)?))
        .await?;
    let current = user.session.sign_in_id();
    let sessions = listed
        .into_iter()
        .map(|s| SessionRow {
            current: s.sign_in.is_some() && s.sign_in == current,
            device: if s.user_agent.is_empty() {
                "Unknown browser".into()
            } else {
                s.user_agent
            },
            address: s.address,
            created: ago(s.created_at),
            last_seen: ago(s.last_seen),
            public_id: s.public_id,
        })
        .collect();
    let page = AccountPage {
        chrome: chrome(user, "Account", None)?,
        username: user.user.username.clone(),
        is_admin: user.user.is_admin,
        errors,
        sessions,
    };
    render(status, &page)
}

/// `GET /account`.
pub async fn page(user: CurrentUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    account_page(&user, &state, StatusCode::OK, FormErrors::default()).await
}

/// `POST /account/sessions/{id}/revoke`: sign out one of the user's sessions (and the editor
/// sessions it opened).
pub async fn revoke(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (uid, public_id) = (user.user.id.clone(), id.into_inner());
    let found = state
        .db
        .run(move |conn| {
            let sign_in = sessions::revoke(conn, &uid, &public_id)?;
            if let Some(sign_in) = &sign_in {
                editor::end_platform_session(conn, sign_in)?;
            }
            Ok(sign_in.is_some())
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    user.session
        .flash("success", "That session was signed out.")?;
    Ok(see_other(&crate::web::urls::account()))
}

/// `POST /account/password`: needs the current password; ends the user's other sessions.
pub async fn change_password(
    user: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm {
        current,
        new,
        confirm,
    } = form.into_inner();
    let mut errors = FormErrors::default();
    let stored = Some(user.user.password_hash.clone());
    if !state.passwords.verify(current, stored).await? {
        errors.add("current", "This is not your current password.");
    }
    let new = errors.check("new", names::password(&new));
    if !errors.any() && new != confirm {
        errors.add("confirm", "The two new passwords differ.");
    }
    if errors.any() {
        return account_page(&user, &state, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    }
    let hash = state.passwords.hash(new).await?;
    let (id, keep) = (user.user.id.clone(), user.session.sign_in_id());
    let epoch = state
        .db
        .run(move |conn| {
            let epoch = users::set_password(conn, &id, &hash)?;
            sessions::end_others(conn, &id, keep.as_deref())?;
            Ok(epoch)
        })
        .await?;
    user.session.set_epoch(epoch)?;
    user.session.flash(
        "success",
        "Password changed. Your other sessions were signed out.",
    )?;
    Ok(see_other(&crate::web::urls::account()))
}
