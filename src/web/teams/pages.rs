//! Teams: the home redirect, creating a team, the team home (its applications).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::applications::{self, Application};
use crate::db::models::teams::{self, Membership, Team};
use crate::domain::names;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::Access;
use crate::web::views::{Chrome, FormErrors, chrome, render, see_other};

#[derive(Template)]
#[template(path = "teams/new.html")]
struct NewTeamPage {
    chrome: Chrome,
    first_team: bool,
    name: String,
    slug: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "teams/applications.html")]
struct ApplicationsPage {
    chrome: Chrome,
    team: Team,
    role: Role,
    team_tab: &'static str,
    can_create: bool,
    applications: Vec<Application>,
}

/// The create-team form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    name: String,
    slug: String,
}

/// `GET /`: the user's first team, or the team creation form when they have none.
pub async fn home(user: CurrentUser) -> HttpResponse {
    match user.memberships.first() {
        Some(m) => see_other(&m.team.applications_url()),
        None => see_other(&crate::web::urls::new_team()),
    }
}

/// `GET /team/{slug}`: the team home.
pub async fn team_root(slug: web::Path<String>) -> HttpResponse {
    see_other(&crate::web::urls::team_applications(&slug))
}

fn new_team_page(
    user: &CurrentUser,
    status: StatusCode,
    form: TeamForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let page = NewTeamPage {
        chrome: chrome(user, "Create a team", None)?,
        first_team: user.memberships.is_empty(),
        name: form.name,
        slug: form.slug,
        errors,
    };
    render(status, &page)
}

/// `GET /teams/new`.
pub async fn new_form(user: CurrentUser) -> Result<HttpResponse, AppError> {
    new_team_page(
        &user,
        StatusCode::OK,
        TeamForm::default(),
        FormErrors::default(),
    )
}

/// `POST /teams`: any user may create a team and becomes its owner.
pub async fn create(
    user: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<TeamForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let slug_input = if form.slug.trim().is_empty() {
        names::slugify(&name)
    } else {
        form.slug.clone()
    };
    if !errors.any() {
        errors.check("slug", names::slug(&slug_input));
    }
    if !errors.any() {
        let (owner, slug) = (user.user.id.clone(), slug_input.clone());
        let created = state
            .db
            .run(move |conn| Ok(teams::create_with_owner(conn, &name, &slug, &owner)?));
        match created.await {
            Ok(team) => {
                let what = format!("Team {} created. You are its owner.", team.name);
                user.session.flash("success", what)?;
                return Ok(see_other(&team.applications_url()));
            }
            Err(e) if e.is_unique_violation() => {
                errors.add("slug", "This slug is taken; choose another.")
            }
            Err(e) => return Err(e),
        }
    }
    let form = TeamForm {
        slug: slug_input,
        ..form
    };
    new_team_page(&user, StatusCode::UNPROCESSABLE_ENTITY, form, errors)
}

/// `GET /team/{slug}/applications`: the team home.
pub async fn applications(
    Access {
        user,
        scope: membership,
        ..
    }: Access<Membership>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let team = membership.team.id.clone();
    let apps = state
        .db
        .run(move |conn| Ok(applications::list_for_team(conn, &team)?))
        .await?;
    let page = ApplicationsPage {
        chrome: chrome(&user, &membership.team.name, Some(&membership.team))?,
        can_create: membership.role.allows(Action::EditApplications),
        role: membership.role,
        team: membership.team,
        team_tab: "applications",
        applications: apps,
    };
    render(StatusCode::OK, &page)
}
