//! Administrators disable, enable and delete accounts. Disabling or deleting ends every session
//! of the account at once, platform and editor alike.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::Conn;
use crate::db::ids::UserId;
use crate::db::models::{editor, members, sessions, teams, users};
use crate::domain::roles::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::Admin;
use crate::web::views::see_other;

/// The disable/enable form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisableForm {
    disabled: bool,
}

/// The delete form: the user name, typed to confirm.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// End every session of `user`, platform and editor.
fn end_sessions(conn: &mut Conn, user: &UserId) -> Result<(), AppError> {
    sessions::end_all_for_user(conn, user)?;
    editor::end_for_user(conn, user)?;
    Ok(())
}

/// Refuse (409) while `user` is the only owner of a team.
fn no_team_needs(conn: &mut Conn, user: &users::User) -> Result<(), AppError> {
    for membership in teams::for_user(conn, &user.id)? {
        let owners = members::list(conn, &membership.team.id)?
            .iter()
            .filter(|m| m.role == Role::Owner)
            .count();
        if membership.role == Role::Owner && owners <= 1 {
            return Err(AppError::Conflict(format!(
                "{} is the only owner of {}: make someone else an owner there first.",
                user.username, membership.team.name
            )));
        }
    }
    Ok(())
}

/// `POST /admin/users/{id}/disable`: disable (or enable again) an account.
pub async fn disable(
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<UserId>,
    form: web::Form<DisableForm>,
) -> Result<HttpResponse, AppError> {
    let (id, disabled) = (path.into_inner(), form.disabled);
    if id == user.user.id && disabled {
        return Err(AppError::BadRequest(
            "You cannot disable your own account.".into(),
        ));
    }
    let name = state
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let target = users::find(conn, &id)?;
                users::set_disabled(conn, &id, disabled)?;
                if disabled {
                    end_sessions(conn, &id)?;
                }
                Ok::<_, AppError>(target.username)
            })
        })
        .await?;
    let said = if disabled {
        format!("{name} is disabled and was signed out everywhere.")
    } else {
        format!("{name} can sign in again.")
    };
    user.session.flash("success", said)?;
    Ok(see_other(&crate::web::urls::admin_users()))
}

/// `POST /admin/users/{id}/delete`: delete an account (not one a team still needs as its owner).
pub async fn delete(
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<UserId>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let (id, confirm) = (path.into_inner(), form.into_inner().confirm);
    if id == user.user.id {
        return Err(AppError::BadRequest(
            "You cannot delete your own account.".into(),
        ));
    }
    let name = state
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let target = users::find(conn, &id)?;
                if confirm.trim() != target.username {
                    return Err(AppError::BadRequest(format!(
                        "Type the user name ({}) to confirm the deletion.",
                        target.username
                    )));
                }
                no_team_needs(conn, &target)?;
                end_sessions(conn, &id)?;
                users::delete(conn, &id)?;
                Ok(target.username)
            })
        })
        .await?;
    user.session.flash(
        "success",
        format!("{name} was deleted and signed out everywhere."),
    )?;
    Ok(see_other(&crate::web::urls::admin_users()))
}
