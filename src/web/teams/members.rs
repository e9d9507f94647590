//! Team members: list, add, change role, remove — owners only, never leaving the team ownerless.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::Conn;
use crate::db::ids::{TeamId, UserId};
use crate::db::models::members::{self, Member};
use crate::db::models::teams::{Membership, Team};
use crate::db::models::users;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::{Access, can};
use crate::web::views::{Chrome, FormErrors, chrome, render, see_other};

#[derive(Template)]
#[template(path = "teams/members.html")]
struct MembersPage {
    chrome: Chrome,
    team: Team,
    role: Role,
    team_tab: &'static str,
    me: UserId,
    can_manage: bool,
    members: Vec<Member>,
    roles: [Role; 3],
    form_username: String,
    form_role: Role,
    errors: FormErrors,
}

/// The add-member form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    username: String,
    role: String,
}

/// The change-role form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

async fn members_page(
    user: &CurrentUser,
    state: &AppState,
    membership: Membership,
    status: StatusCode,
    form: (String, Role),
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let team_id = membership.team.id.clone();
    let list = state
        .db
        .run(move |conn| Ok(members::list(conn, &team_id)?))
        .await?;
    let page = MembersPage {
        chrome: chrome(
            user,
            format!("Members · {}", membership.team.name),
            Some(&membership.team),
        )?,
        can_manage: membership.role.allows(Action::ManageMembers),
        role: membership.role,
        team: membership.team,
        team_tab: "members",
        me: user.user.id.clone(),
        members: list,
        roles: Role::ALL,
        form_username: form.0,
        form_role: form.1,
        errors,
    };
    render(status, &page)
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|_| AppError::BadRequest(format!("Unknown role {raw:?}.")))
}

/// `GET /team/{slug}/members`.
pub async fn page(
    Access { user, scope, .. }: Access<Membership>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = (String::new(), Role::Member);
    let errors = FormErrors::default();
    members_page(&user, &state, scope, StatusCode::OK, form, errors).await
}

/// `POST /team/{slug}/members`: add an existing user with a role.
pub async fn add(
    Access { user, scope, .. }: Access<Membership, can::ManageMembers>,
    state: web::Data<AppState>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let role = parse_role(&form.role)?;
    let name = form.username.trim().to_owned();
    let (team_id, lookup) = (scope.team.id.clone(), name.clone());
    let added = state
        .db
        .run(move |conn| add_member(conn, &team_id, &lookup, role))
        .await?;
    match added {
        Ok(username) => {
            let what = format!("{username} added to {} as {role}.", scope.team.name);
            user.session.flash("success", what)?;
            Ok(see_other(&scope.team.members_url()))
        }
        Err(message) => {
            let mut errors = FormErrors::default();
            errors.add(
                "username",
                if name.is_empty() {
                    "Enter a user name."
                } else {
                    message
                },
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            members_page(&user, &state, scope, status, (name, role), errors).await
        }
    }
}

/// Add the account `username` to the team: its user name, or why not.
fn add_member(
    conn: &mut Conn,
    team: &TeamId,
    username: &str,
    role: Role,
) -> Result<Result<String, &'static str>, AppError> {
    let Some(found) = users::find_by_username(conn, username)? else {
        return Ok(Err(
            "No account has this user name. An administrator can create it under Users.",
        ));
    };
    match members::add(conn, team, &found.id, role) {
        Ok(()) => Ok(Ok(found.username)),
        Err(e) if crate::db::is_unique_violation(&e) => {
            Ok(Err("This user is already a member of the team."))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /team/{slug}/members/{user}/role`.
pub async fn change_role(
    access: Access<Membership, can::ManageMembers>,
    state: web::Data<AppState>,
    path: web::Path<(String, UserId)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let role = parse_role(&form.role)?;
    change(access, state, path.into_inner().1, Some(role)).await
}

/// `POST /team/{slug}/members/{user}/remove`.
pub async fn remove(
    access: Access<Membership, can::ManageMembers>,
    state: web::Data<AppState>,
    path: web::Path<(String, UserId)>,
) -> Result<HttpResponse, AppError> {
    change(access, state, path.into_inner().1, None).await
}

async fn change(
    Access { user, scope, .. }: Access<Membership, can::ManageMembers>,
    state: web::Data<AppState>,
    member: UserId,
    new: Option<Role>,
) -> Result<HttpResponse, AppError> {
    let team_id = scope.team.id.clone();
    let left = new.is_none() && member == user.user.id;
    let changed = state
        .db
        .run(move |conn| members::change(conn, &team_id, &member, new))
        .await;
    let done = match (changed, left, new) {
        (Ok(()), true, _) => {
            user.session
                .flash("success", format!("You left {}.", scope.team.name))?;
            return Ok(see_other(&crate::web::urls::home()));
        }
        (Ok(()), false, Some(_)) => "Role changed.",
        (Ok(()), false, None) => "Member removed.",
        (Err(AppError::Conflict(message)), ..) => {
            let mut errors = FormErrors::default();
            errors.add("member", message);
            let (status, form) = (
                StatusCode::UNPROCESSABLE_ENTITY,
                (String::new(), Role::Member),
            );
            return members_page(&user, &state, scope, status, form, errors).await;
        }
        (Err(e), ..) => return Err(e),
    };
    user.session.flash("success", done)?;
    Ok(see_other(&scope.team.members_url()))
}
