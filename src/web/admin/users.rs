//! Account administration for administrators: list, create, reset passwords.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::ids::UserId;
use crate::db::models::sessions;
use crate::db::models::users::{self, User};
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::Admin;
use crate::web::views::{Chrome, FormErrors, ago, chrome, render, see_other};

struct UserRow {
    id: UserId,
    username: String,
    is_admin: bool,
    disabled: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    form_username: String,
    form_is_admin: bool,
    reset_for: Option<String>,
    errors: FormErrors,
}

/// The new-user form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    password: String,
    is_admin: bool,
}

/// The reset-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

async fn users_page(
    user: &CurrentUser,
    state: &AppState,
    status: StatusCode,
    form: (String, bool, Option<String>),
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let all: Vec<User> = state.db.run(|conn| Ok(users::list(conn)?)).await?;
    let rows = all
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            is_admin: u.is_admin,
            disabled: u.disabled,
            created: ago(u.created_at),
        })
        .collect();
    let (form_username, form_is_admin, reset_for) = form;
    let page = UsersPage {
        chrome: chrome(user, "Users", None)?,
        users: rows,
        form_username,
        form_is_admin,
        reset_for,
        errors,
    };
    render(status, &page)
}

/// `GET /admin/users`.
pub async fn users(
    Admin(user): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    users_page(
        &user,
        &state,
        StatusCode::OK,
        (String::new(), false, None),
        FormErrors::default(),
    )
    .await
}

/// `POST /admin/users`: create an account.
pub async fn create_user(
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    let NewUserForm {
        username,
        password: plain,
        is_admin,
    } = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("username", names::username(&username));
    let plain = errors.check("password", names::password(&plain));
    if !errors.any() {
        let hash = state.passwords.hash(plain).await?;
        let created = {
            let name = name.clone();
            state
                .db
                .run(move |conn| Ok(users::insert(conn, &name, &hash, is_admin)?))
                .await
        };
        match created {
            Ok(_) => {
                user.session
                    .flash("success", format!("User {name} created."))?;
                return Ok(see_other(&crate::web::urls::admin_users()));
            }
            Err(e) if e.is_unique_violation() => errors.add("username", "This user name is taken."),
            Err(e) => return Err(e),
        }
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    users_page(&user, &state, status, (username, is_admin, None), errors).await
}

/// `POST /admin/users/{id}/password`: set a new password; the user's sessions end.
pub async fn reset_password(
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<UserId>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let target = state
        .db
        .run(move |conn| Ok(users::find(conn, &lookup)?))
        .await?;
    let mut errors = FormErrors::default();
    let plain = errors.check("reset", names::password(&form.password));
    if errors.any() {
        let form = (String::new(), false, Some(id.to_string()));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return users_page(&user, &state, status, form, errors).await;
    }
    let hash = state.passwords.hash(plain).await?;
    // Their other sessions end; an administrator resetting their own keeps this one.
    let keep = (id == user.user.id)
        .then(|| user.session.sign_in_id())
        .flatten();
    let epoch = state
        .db
        .run(move |conn| {
            let epoch = users::set_password(conn, &target.id, &hash)?;
            sessions::end_others(conn, &target.id, keep.as_deref())?;
            Ok(epoch)
        })
        .await?;
    if id == user.user.id {
        user.session.set_epoch(epoch)?;
    }
    let name = &target.username;
    let what = format!("Password of {name} reset; their sessions were signed out.");
    user.session.flash("success", what)?;
    Ok(see_other(&crate::web::urls::admin_users()))
}

/// `GET /admin/stats`: counters for operators (and the benchmarks), as JSON.
pub async fn stats(_: Admin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let holds = state.holds.stats();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "sql_queries": state.db.queries(),
        "held_requests": holds.held,
        "refused_holds": holds.refused,
        "longest_hold_ms": holds.longest_ms,
    })))
}
