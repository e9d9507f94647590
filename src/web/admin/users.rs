//! Account administration for administrators: list, create, reset passwords.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::UserId;
use crate::db::models::sessions;
use crate::db::models::users::{self, User};
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;
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

pub(super) fn require_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only administrators can manage user accounts.".into(),
        ))
    }
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
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
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
    user: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
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
    users_page(
        &user,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        (username, is_admin, None),
        errors,
    )
    .await
}

/// `POST /admin/users/{id}/password`: set a new password; the user's sessions end.
pub async fn reset_password(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<UserId>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let id = path.into_inner();
    let target = {
        let id = id.clone();
        state
            .db
            .run(move |conn| Ok(users::find(conn, &id)?))
            .await?
    };
    let mut errors = FormErrors::default();
    let plain = errors.check("reset", names::password(&form.password));
    if errors.any() {
        let form = (String::new(), false, Some(id.to_string()));
        return users_page(
            &user,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
        )
        .await;
    }
    let hash = state.passwords.hash(plain).await?;
    let (keep, mine) = (user.session.sign_in_id(), id == user.user.id);
    let epoch = state
        .db
        .run(move |conn| {
            let epoch = users::set_password(conn, &target.id, &hash)?;
            let keep = if mine { keep.as_deref() } else { None };
            sessions::end_others(conn, &target.id, keep)?;
            Ok(epoch)
        })
        .await?;
    if id == user.user.id {
        user.session.set_epoch(epoch)?;
    }
    user.session.flash(
        "success",
        format!(
            "Password of {} reset; their sessions were signed out.",
            target.username
        ),
    )?;
    Ok(see_other(&crate::web::urls::admin_users()))
}

/// `GET /admin/stats`: counters for operators (and the benchmarks), as JSON.
pub async fn stats(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "sql_queries": state.db.queries(),
    })))
}
