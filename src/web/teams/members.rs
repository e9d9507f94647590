//! Team members: list, add, change role, remove — owners only, never leaving the team ownerless.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::UserId;
use crate::db::models::members::{self, Member};
use crate::db::models::teams::{self, Membership, Team};
use crate::db::models::users;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::require;
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

async fn scope(user: &CurrentUser, state: &AppState, slug: String) -> Result<Membership, AppError> {
    let uid = user.user.id.clone();
    state
        .db
        .run(move |conn| teams::scope(conn, &slug, &uid))
        .await
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|_| AppError::BadRequest(format!("Unknown role {raw:?}.")))
}

/// `GET /team/{slug}/members`.
pub async fn page(
    user: CurrentUser,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let membership = scope(&user, &state, slug.into_inner()).await?;
    let form = (String::new(), Role::Member);
    members_page(
        &user,
        &state,
        membership,
        StatusCode::OK,
        form,
        FormErrors::default(),
    )
    .await
}

/// `POST /team/{slug}/members`: add an existing user with a role.
pub async fn add(
    user: CurrentUser,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let membership = scope(&user, &state, slug.into_inner()).await?;
    require(&membership, Action::ManageMembers)?;
    let role = parse_role(&form.role)?;
    let name = form.username.trim().to_owned();
    let team_id = membership.team.id.clone();
    let lookup = name.clone();
    let added = state
        .db
        .run(move |conn| match users::find_by_username(conn, &lookup)? {
            None => Ok(Err(
                "No account has this user name. An administrator can create it under Users.",
            )),
            Some(found) => match members::add(conn, &team_id, &found.id, role) {
                Ok(()) => Ok(Ok(found.username)),
                Err(e) if crate::db::is_unique_violation(&e) => {
                    Ok(Err("This user is already a member of the team."))
                }
                Err(e) => Err(e.into()),
            },
        })
        .await?;
    let mut errors = FormErrors::default();
    match added {
        Ok(username) => {
            user.session.flash(
                "success",
                format!("{username} added to {} as {role}.", membership.team.name),
            )?;
            Ok(see_other(&membership.team.members_url()))
        }
        Err(message) => {
            errors.add(
                "username",
                if name.is_empty() {
                    "Enter a user name."
                } else {
                    message
                },
            );
            members_page(
                &user,
                &state,
                membership,
                StatusCode::UNPROCESSABLE_ENTITY,
                (name, role),
                errors,
            )
            .await
        }
    }
}

/// `POST /team/{slug}/members/{user}/role`.
pub async fn change_role(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(String, UserId)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let role = parse_role(&form.role)?;
    change(user, state, path.into_inner(), Some(role)).await
}

/// `POST /team/{slug}/members/{user}/remove`.
pub async fn remove(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(String, UserId)>,
) -> Result<HttpResponse, AppError> {
    change(user, state, path.into_inner(), None).await
}

async fn change(
    user: CurrentUser,
    state: web::Data<AppState>,
    (slug, member): (String, UserId),
    new: Option<Role>,
) -> Result<HttpResponse, AppError> {
    let membership = scope(&user, &state, slug).await?;
    require(&membership, Action::ManageMembers)?;
    let team_id = membership.team.id.clone();
    let left = new.is_none() && member == user.user.id;
    match state
        .db
        .run(move |conn| members::change(conn, &team_id, &member, new))
        .await
    {
        Ok(()) if left => {
            user.session
                .flash("success", format!("You left {}.", membership.team.name))?;
            Ok(see_other(&crate::web::urls::home()))
        }
        Ok(()) => {
            let done = if new.is_some() {
                "Role changed."
            } else {
                "Member removed."
            };
            user.session.flash("success", done)?;
            Ok(see_other(&membership.team.members_url()))
        }
        Err(AppError::Conflict(message)) => {
            let mut errors = FormErrors::default();
            errors.add("member", message);
            let form = (String::new(), Role::Member);
            members_page(
                &user,
                &state,
                membership,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
