//! Applications of a team: create, the Instances / DevOps Pipelines / Settings tabs, rename, delete.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::ids::ApplicationId;
use crate::db::models::applications::{self, Application, ApplicationScope};
use crate::db::models::instances;
use crate::db::models::teams::{Membership, Team};
use crate::domain::names;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::{Access, can};
use crate::web::views::{Chrome, FormErrors, chrome, render, see_other};

#[derive(Template)]
#[template(path = "applications/new.html")]
struct NewPage {
    chrome: Chrome,
    team: Team,
    name: String,
    description: String,
    errors: FormErrors,
}

/// Application > Settings: rename, describe, delete.
#[derive(Template)]
#[template(path = "applications/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    team: Team,
    app: Application,
    role: Role,
    tab: &'static str,
    tab_label: &'static str,
    can_edit: bool,
    can_delete: bool,
    name: String,
    description: String,
    errors: FormErrors,
}

/// The create / rename form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppForm {
    name: String,
    description: String,
}

/// The delete confirmation.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// The Settings tab (the other tabs have their own modules: `instances`, `pipelines`).
fn settings_page(
    user: &CurrentUser,
    scope: ApplicationScope,
    form: AppForm,
    errors: FormErrors,
) -> Result<SettingsPage, AppError> {
    let ApplicationScope {
        application: app,
        membership,
    } = scope;
    Ok(SettingsPage {
        chrome: chrome(
            user,
            format!("Settings · {}", app.name),
            Some(&membership.team),
        )?,
        can_edit: membership.role.allows(Action::EditApplications),
        can_delete: membership.role.allows(Action::DeleteApplications),
        role: membership.role,
        team: membership.team,
        app,
        tab: "settings",
        tab_label: "Settings",
        name: form.name,
        description: form.description,
        errors,
    })
}

fn current_values(scope: &ApplicationScope) -> AppForm {
    AppForm {
        name: scope.application.name.clone(),
        description: scope.application.description.clone(),
    }
}

/// `GET /application/{id}`: the Instances tab.
pub async fn root(id: web::Path<ApplicationId>) -> HttpResponse {
    see_other(&crate::web::urls::application_instances(&id))
}

/// `GET /application/{id}/settings`.
pub async fn settings(
    Access { user, scope, .. }: Access<ApplicationScope>,
) -> Result<HttpResponse, AppError> {
    let form = current_values(&scope);
    render(
        StatusCode::OK,
        &settings_page(&user, scope, form, FormErrors::default())?,
    )
}

fn validate(form: &AppForm) -> (String, String, FormErrors) {
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let description = errors.check("description", names::description(&form.description));
    (name, description, errors)
}

const DUPLICATE_NAME: &str = "This team already has an application with this name.";

/// `GET /team/{slug}/applications/new`.
pub async fn new_form(
    Access {
        user,
        scope: membership,
        ..
    }: Access<Membership, can::EditApplications>,
) -> Result<HttpResponse, AppError> {
    let page = NewPage {
        chrome: chrome(&user, "New application", Some(&membership.team))?,
        team: membership.team,
        name: String::new(),
        description: String::new(),
        errors: FormErrors::default(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /team/{slug}/applications`.
pub async fn create(
    Access {
        user,
        scope: membership,
        ..
    }: Access<Membership, can::EditApplications>,
    state: web::Data<AppState>,
    form: web::Form<AppForm>,
) -> Result<HttpResponse, AppError> {
    let (name, description, mut errors) = validate(&form);
    if !errors.any() {
        let team_id = membership.team.id.clone();
        match state
            .db
            .run(move |conn| Ok(applications::create(conn, &team_id, &name, &description)?))
            .await
        {
            Ok(app) => {
                user.session
                    .flash("success", format!("Application {} created.", app.name))?;
                return Ok(see_other(&app.instances_url()));
            }
            Err(e) if e.is_unique_violation() => errors.add("name", DUPLICATE_NAME),
            Err(e) => return Err(e),
        }
    }
    let AppForm { name, description } = form.into_inner();
    let page = NewPage {
        chrome: chrome(&user, "New application", Some(&membership.team))?,
        team: membership.team,
        name,
        description,
        errors,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /application/{id}/settings`: rename / re-describe.
pub async fn update(
    Access { user, scope, .. }: Access<ApplicationScope, can::EditApplications>,
    state: web::Data<AppState>,
    form: web::Form<AppForm>,
) -> Result<HttpResponse, AppError> {
    let (name, description, mut errors) = validate(&form);
    if !errors.any() {
        let app_id = scope.application.id.clone();
        match state
            .db
            .run(move |conn| Ok(applications::update(conn, &app_id, &name, &description)?))
            .await
        {
            Ok(()) => {
                user.session.flash("success", "Application saved.")?;
                return Ok(see_other(&scope.application.settings_url()));
            }
            Err(e) if e.is_unique_violation() => errors.add("name", DUPLICATE_NAME),
            Err(e) => return Err(e),
        }
    }
    let page = settings_page(&user, scope, form.into_inner(), errors)?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /application/{id}/delete`: owners only, confirmed by typing the name.
pub async fn delete(
    Access { user, scope, .. }: Access<ApplicationScope, can::DeleteApplications>,
    state: web::Data<AppState>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let refusal = if form.confirm.trim() != scope.application.name {
        Some("Type the application name exactly to confirm.".to_owned())
    } else {
        delete_if_empty(&state, &scope).await?
    };
    if let Some(message) = refusal {
        let mut errors = FormErrors::default();
        errors.add("confirm", message);
        let values = current_values(&scope);
        let page = settings_page(&user, scope, values, errors)?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    user.session.flash(
        "success",
        format!("Application {} deleted.", scope.application.name),
    )?;
    Ok(see_other(&scope.membership.team.applications_url()))
}

/// Delete the application unless it still holds instances (then why not).
async fn delete_if_empty(
    state: &AppState,
    scope: &ApplicationScope,
) -> Result<Option<String>, AppError> {
    let app_id = scope.application.id.clone();
    let held = state
        .db
        .run(move |conn| {
            let count = instances::count_for_application(conn, &app_id)?;
            if count == 0 {
                applications::delete(conn, &app_id)?;
            }
            Ok(count)
        })
        .await?;
    Ok((held > 0).then(|| {
        format!(
            "{} still holds {held} instance(s): delete them first (instance Settings > Danger zone).",
            scope.application.name
        )
    }))
}
