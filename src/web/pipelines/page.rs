//! Application > DevOps Pipelines: every pipeline as a row of stage cards; add, rename and
//! delete pipelines; the per-pipeline block that edits answer with.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::Conn;
use crate::db::models::applications::{Application, ApplicationScope};
use crate::db::models::pipelines::{self, PipelineScope};
use crate::db::models::teams::Team;
use crate::domain::paging::Pager;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::access::Access;
use crate::web::pipelines::view::{self, PipelineView, Shown};
use crate::web::views::{
    Chrome, FormErrors, chrome, render, render_sized, see_other, wants_fragment,
};

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
    /// The page's live stream, from the last change before it was rendered.
    events_url: String,
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
    /// The session's CSRF token, for the forms (they work without JavaScript).
    pub csrf: String,
    /// Swapped out of band: the answer to a poll that found the stages changed.
    pub oob: bool,
    /// Always false here: the cards' live parts are inside the block.
    pub live_oob: bool,
}

/// Pipelines shown per page (an application with hundreds stays fast to open).
pub const PAGE_SIZE: i64 = 20;

/// Which page of pipelines (1-based; anything else shows the nearest page).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: String,
}

/// What a pipelines page shows besides its chrome, read in one trip to the database.
struct Loaded {
    views: Vec<PipelineView>,
    pager: Pager,
    has_instances: bool,
    /// The last change before the reads: the page's stream goes on from there.
    since: u64,
}

/// The reads of page `number` of an application's pipelines, to run on a connection.
fn reads(
    state: &AppState,
    number: String,
) -> impl FnOnce(&mut Conn, &ApplicationScope) -> Result<Loaded, AppError> + Send + 'static {
    let (runtimes, origins) = (state.runtimes.clone(), state.origins.clone());
    // Read before the page is: a change from now on reaches the stream (or its catch-up).
    let since = state.events.latest();
    move |conn, scope| {
        let app = &scope.application.id;
        let (list, pager) = pipelines::page_for_application(conn, app, &number, PAGE_SIZE)?;
        let shown = Shown::Page {
            pipelines: list,
            offset: pager.offset(),
            limit: PAGE_SIZE,
        };
        let views = view::load(conn, (&*runtimes, &origins), &scope.membership, app, shown)?;
        // Only the empty state needs to know whether instances exist.
        let has_instances =
            pager.total > 0 || crate::db::models::instances::count_for_application(conn, app)? > 0;
        Ok(Loaded {
            views,
            pager,
            has_instances,
            since,
        })
    }
}

/// The page (a form's values and errors in `form`), read in a trip of its own.
pub(crate) async fn page(
    user: &CurrentUser,
    state: &AppState,
    scope: ApplicationScope,
    number: &str,
    status: StatusCode,
    form: (String, FormErrors),
) -> Result<HttpResponse, AppError> {
    let read = reads(state, number.to_owned());
    let (scope, loaded) = state
        .db
        .run(move |conn| {
            let loaded = read(conn, &scope)?;
            Ok((scope, loaded))
        })
        .await?;
    render_page(user, scope, loaded, status, form)
}

/// The page from what was read, with the form's values and errors.
fn render_page(
    user: &CurrentUser,
    scope: ApplicationScope,
    loaded: Loaded,
    status: StatusCode,
    form: (String, FormErrors),
) -> Result<HttpResponse, AppError> {
    let events_url = format!(
        "{}?since={}&shapes={}",
        crate::web::urls::application_pipeline_events(&scope.application.id),
        loaded.since,
        super::stream::shapes(&loaded.views)
    );
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
        has_instances: loaded.has_instances,
        pipelines: loaded.views,
        pager: loaded.pager,
        name: form.0,
        errors: form.1,
        rename_error: None,
        events_url,
    };
    let cards: usize = page.pipelines.iter().map(|p| p.stages.len()).sum();
    render_sized(status, &page, CHROME_BYTES + CARD_BYTES * cards)
}

/// About what a pipelines page holds around its cards, and each card (with its forms), to size
/// its buffer.
const CHROME_BYTES: usize = 16 * 1024;
const CARD_BYTES: usize = 2 * 1024;

/// `GET /application/{id}/pipelines?page=N`: the sign-in, the application and the page in one
/// trip to the database.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let read = reads(&state, query.into_inner().page);
    let (Access { user, scope, .. }, loaded) = Access::<ApplicationScope>::with(&req, read).await?;
    let empty = (String::new(), FormErrors::default());
    render_page(&user, scope, loaded, StatusCode::OK, empty)
}

/// The pipeline, freshly loaded as the member sees it.
pub(super) async fn view(
    state: &AppState,
    scope: &PipelineScope,
) -> Result<PipelineView, AppError> {
    let (runtimes, origins) = (state.runtimes.clone(), state.origins.clone());
    let (membership, pipeline) = (scope.membership.clone(), scope.pipeline.clone());
    let mut views = state
        .db
        .run(move |conn| {
            let app = &pipeline.application_id;
            let shown = Shown::One(&pipeline);
            view::load(conn, (&*runtimes, &origins), &membership, app, shown)
        })
        .await?;
    views.pop().ok_or(AppError::NotFound)
}

/// The pipeline block, freshly loaded (the answer to edits).
pub async fn fragment(
    state: &AppState,
    user: &CurrentUser,
    scope: PipelineScope,
    status: StatusCode,
    rename_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let block = PipelineFragment {
        pipeline: view(state, &scope).await?,
        can_edit: scope.membership.role.allows(Action::ManagePipelines),
        rename_error,
        csrf: user.session.csrf_token()?,
        oob: false,
        live_oob: false,
    };
    render(status, &block)
}

/// After an edit: the block for htmx, the page otherwise.
pub async fn respond(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    scope: PipelineScope,
) -> Result<HttpResponse, AppError> {
    if wants_fragment(req) {
        return fragment(state, user, scope, StatusCode::OK, None).await;
    }
    Ok(see_other(&anchor(&scope)))
}

/// `GET /pipeline/{id}`: the block (htmx); a full navigation gets the page, at the pipeline.
pub async fn show(
    Access { user, scope, .. }: Access<PipelineScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !wants_fragment(&req) {
        return Ok(see_other(&anchor(&scope)));
    }
    fragment(&state, &user, scope, StatusCode::OK, None).await
}

/// The pipelines page, scrolled to this pipeline.
pub fn anchor(scope: &PipelineScope) -> String {
    format!(
        "{}#pipeline-{}",
        scope.application.pipelines_url(),
        scope.pipeline.id
    )
}
