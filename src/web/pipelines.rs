//! Application > DevOps Pipelines: every pipeline as a row of stage cards; add, rename and
//! delete pipelines; the per-pipeline fragment htmx polls; the deployment history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::require;
use super::pipeline_view::{self, PipelineView};
use super::views::{Chrome, FormErrors, ago, chrome, render, see_other, wants_fragment};
use crate::auth::CurrentUser;
use crate::db::ids::{ApplicationId, PipelineId};
use crate::db::models::applications::{self, Application};
use crate::db::models::audit::{self, Actor, AuditEvent};
use crate::db::models::deployments::{self, Deployment};
use crate::db::models::pipelines::{self, PipelineScope};
use crate::db::models::teams::Team;
use crate::domain::names;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pipelines/pipelines.html")]
struct PipelinesPage {
    chrome: Chrome,
    team: Team,
    app: Application,
    tab: &'static str,
    tab_label: &'static str,
    can_edit: bool,
    has_instances: bool,
    pipelines: Vec<PipelineView>,
    pager: Pager,
    name: String,
    errors: FormErrors,
    /// Rename errors show on fragments only; the full page has none.
    rename_error: Option<String>,
}

/// One pipeline block (the htmx swap target `#pipeline-{id}`).
#[derive(Template)]
#[template(path = "pipelines/_pipeline.html")]
pub struct PipelineFragment {
    /// The pipeline.
    pub pipeline: PipelineView,
    /// Whether stage and pipeline edits are offered.
    pub can_edit: bool,
    /// The rename form's error, if any.
    pub rename_error: Option<String>,
}

/// The add / rename form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

/// Who acts, for the audit trail.
pub fn actor(user: &CurrentUser) -> Actor {
    Actor {
        id: Some(user.user.id.clone()),
        name: user.user.username.clone(),
    }
}

/// Pipelines shown per page (an application with hundreds stays fast to open).
pub const PAGE_SIZE: i64 = 20;

/// Which page of pipelines (1-based).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

/// Where the shown pipelines are among all of them.
pub struct Pager {
    /// Current page, 1-based.
    pub page: i64,
    /// Number of pages.
    pub pages: i64,
    /// All pipelines of the application.
    pub total: i64,
    /// 1-based index of the first one shown.
    pub first: i64,
    /// 1-based index of the last one shown.
    pub last: i64,
}

async fn page(
    user: &CurrentUser,
    state: &AppState,
    id: ApplicationId,
    number: i64,
    status: StatusCode,
    form: (String, FormErrors),
) -> Result<HttpResponse, AppError> {
    let uid = user.user.id.clone();
    let runtimes = state.runtimes.clone();
    let number = number.max(1);
    let (scope, views, total, has_instances) = state
        .db
        .run(move |conn| {
            let scope = applications::scope(conn, &id, &uid)?;
            let (list, total) = pipelines::page_for_application(
                conn,
                &scope.application.id,
                (number - 1) * PAGE_SIZE,
                PAGE_SIZE,
            )?;
            let views = pipeline_view::load(conn, &runtimes, &scope.membership, list)?;
            // Only the empty state needs to know whether instances exist.
            let has_instances = total > 0
                || crate::db::models::instances::count_for_application(
                    conn,
                    &scope.application.id,
                )? > 0;
            Ok((scope, views, total, has_instances))
        })
        .await?;
    let shown = i64::try_from(views.len()).unwrap_or(0);
    let first = (number - 1) * PAGE_SIZE + 1;
    let pager = Pager {
        page: number,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        total,
        first,
        last: first + shown - 1,
    };
    let page = PipelinesPage {
        chrome: chrome(
            user,
            format!("DevOps Pipelines · {}", scope.application.name),
            Some(&scope.membership.team),
        )?,
        can_edit: scope.membership.role.allows(Action::ManagePipelines),
        team: scope.membership.team,
        app: scope.application,
        tab: "pipelines",
        tab_label: "DevOps Pipelines",
        has_instances,
        pipelines: views,
        pager,
        name: form.0,
        errors: form.1,
        rename_error: None,
    };
    render(status, &page)
}

/// `GET /application/{id}/pipelines?page=N`.
pub async fn list(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<ApplicationId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    page(
        &user,
        &state,
        id.into_inner(),
        query.page,
        StatusCode::OK,
        (String::new(), FormErrors::default()),
    )
    .await
}

/// `POST /application/{id}/pipelines`: add a pipeline.
pub async fn create(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<ApplicationId>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let (uid, app_id, who) = (user.user.id.clone(), id.clone(), actor(&user));
    let created = state
        .db
        .run(move |conn| {
            let scope = applications::scope(conn, &app_id, &uid)?;
            require(&scope.membership, Action::ManagePipelines)?;
            if name.is_empty() {
                return Ok(None);
            }
            let pipeline = pipelines::create(conn, &scope.application.id, &name)?;
            audit::record(
                conn,
                &scope.membership.team.id,
                Some(&pipeline.id),
                &who,
                "pipeline.created",
                &pipeline.name,
                "",
            )?;
            Ok(Some(scope.application))
        })
        .await?;
    match created {
        Some(app) => {
            user.session.flash(
                "success",
                "Pipeline added. Add its stages: one per instance, in the order flows travel.",
            )?;
            Ok(see_other(&app.pipelines_url()))
        }
        None => {
            page(
                &user,
                &state,
                id,
                1,
                StatusCode::UNPROCESSABLE_ENTITY,
                (form.into_inner().name, errors),
            )
            .await
        }
    }
}

/// Load a pipeline as seen by the user (404 for outsiders).
pub async fn load(
    user: &CurrentUser,
    state: &AppState,
    id: PipelineId,
) -> Result<PipelineScope, AppError> {
    let uid = user.user.id.clone();
    state
        .db
        .run(move |conn| pipelines::scope(conn, &id, &uid))
        .await
}

/// The pipeline block, freshly loaded (answer to htmx polls and edits).
pub async fn fragment(
    state: &AppState,
    scope: PipelineScope,
    status: StatusCode,
    rename_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let can_edit = scope.membership.role.allows(Action::ManagePipelines);
    let runtimes = state.runtimes.clone();
    let mut views = state
        .db
        .run(move |conn| {
            pipeline_view::load(conn, &runtimes, &scope.membership, vec![scope.pipeline])
        })
        .await?;
    let pipeline = views.pop().ok_or(AppError::NotFound)?;
    render(
        status,
        &PipelineFragment {
            pipeline,
            can_edit,
            rename_error,
        },
    )
}

/// After an edit: the block for htmx, the page otherwise.
pub async fn respond(
    req: &HttpRequest,
    state: &AppState,
    scope: PipelineScope,
) -> Result<HttpResponse, AppError> {
    if wants_fragment(req) {
        return fragment(state, scope, StatusCode::OK, None).await;
    }
    Ok(see_other(&format!(
        "{}#pipeline-{}",
        scope.application.pipelines_url(),
        scope.pipeline.id
    )))
}

/// `GET /pipeline/{id}`: the block (htmx polling); a full navigation gets the page.
pub async fn show(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    if !wants_fragment(&req) {
        return Ok(see_other(&format!(
            "{}#pipeline-{}",
            scope.application.pipelines_url(),
            scope.pipeline.id
        )));
    }
    fragment(&state, scope, StatusCode::OK, None).await
}

/// `POST /pipeline/{id}/rename`.
pub async fn rename(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let mut scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let name = match names::name(&form.name) {
        Ok(name) => name,
        Err(message) if wants_fragment(&req) => {
            return fragment(
                &state,
                scope,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message.into()),
            )
            .await;
        }
        Err(message) => return Err(AppError::BadRequest(format!("Pipeline name: {message}"))),
    };
    let (id, team, who, old) = (
        scope.pipeline.id.clone(),
        scope.membership.team.id.clone(),
        actor(&user),
        scope.pipeline.name.clone(),
    );
    let new = name.clone();
    state
        .db
        .run(move |conn| {
            pipelines::rename(conn, &id, &new)?;
            Ok(audit::record(
                conn,
                &team,
                Some(&id),
                &who,
                "pipeline.renamed",
                &new,
                &format!("was {old}"),
            )?)
        })
        .await?;
    scope.pipeline.name = name;
    respond(&req, &state, scope).await
}

/// `POST /pipeline/{id}/delete`: the pipeline and its stages go; instances stay.
pub async fn delete(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let (id, team, who, name) = (
        scope.pipeline.id.clone(),
        scope.membership.team.id.clone(),
        actor(&user),
        scope.pipeline.name.clone(),
    );
    state
        .db
        .run(move |conn| {
            pipelines::delete(conn, &id)?;
            Ok(audit::record(
                conn,
                &team,
                None,
                &who,
                "pipeline.deleted",
                &name,
                "",
            )?)
        })
        .await?;
    if wants_fragment(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(""));
    }
    user.session.flash(
        "success",
        format!(
            "Pipeline {} deleted; its instances were not touched.",
            scope.pipeline.name
        ),
    )?;
    Ok(see_other(&scope.application.pipelines_url()))
}

/// A row of the history table.
pub struct HistoryRow {
    /// The deployment.
    pub d: Deployment,
    /// When, as an age.
    pub when: String,
    /// Duration in seconds, once over.
    pub took: String,
    /// Keys that arrived without a value.
    pub keys: Vec<String>,
}

#[derive(Template)]
#[template(path = "pipelines/history.html")]
struct HistoryPage {
    chrome: Chrome,
    team: Team,
    app: Application,
    pipeline: crate::db::models::pipelines::Pipeline,
    rows: Vec<HistoryRow>,
    events: Vec<(AuditEvent, String)>,
}

/// `GET /pipeline/{id}/history`: deployments and audit events of a pipeline.
pub async fn history(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<PipelineId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    let pid = scope.pipeline.id.clone();
    let (list, events) = state
        .db
        .run(move |conn| {
            Ok((
                deployments::history(conn, &pid, 200)?,
                audit::for_pipeline(conn, &pid, 200)?,
            ))
        })
        .await?;
    let rows = list
        .into_iter()
        .map(|d| HistoryRow {
            when: ago(d.started_at),
            took: d
                .duration_ms()
                .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
                .unwrap_or_else(|| "—".into()),
            keys: d.new_keys(),
            d,
        })
        .collect();
    let events = events
        .into_iter()
        .map(|e| {
            let when = ago(e.at);
            (e, when)
        })
        .collect();
    let page = HistoryPage {
        chrome: chrome(
            &user,
            format!("History · {}", scope.pipeline.name),
            Some(&scope.membership.team),
        )?,
        team: scope.membership.team,
        app: scope.application,
        pipeline: scope.pipeline,
        rows,
        events,
    };
    render(StatusCode::OK, &page)
}
