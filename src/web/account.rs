//! The signed-in user's own account: change password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::views::{Chrome, FormErrors, chrome, render, see_other};
use crate::auth::{CurrentUser, password};
use crate::db::models::users;
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    is_admin: bool,
    errors: FormErrors,
}

/// The change-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

fn account_page(
    user: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let page = AccountPage {
        chrome: chrome(user, "Account", None)?,
        username: user.user.username.clone(),
        is_admin: user.user.is_admin,
        errors,
    };
    render(status, &page)
}

/// `GET /account`.
pub async fn page(user: CurrentUser) -> Result<HttpResponse, AppError> {
    account_page(&user, StatusCode::OK, FormErrors::default())
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
    if !password::verify(current, Some(user.user.password_hash.clone())).await? {
        errors.add("current", "This is not your current password.");
    }
    let new = errors.check("new", names::password(&new));
    if !errors.any() && new != confirm {
        errors.add("confirm", "The two new passwords differ.");
    }
    if errors.any() {
        return account_page(&user, StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    let hash = password::hash(new).await?;
    let id = user.user.id.clone();
    let epoch = state
        .db
        .run(move |conn| Ok(users::set_password(conn, &id, &hash)?))
        .await?;
    user.session.set_epoch(epoch)?;
    user.session.flash(
        "success",
        "Password changed. Your other sessions were signed out.",
    )?;
    Ok(see_other(&super::urls::account()))
}
