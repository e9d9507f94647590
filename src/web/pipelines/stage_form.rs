//! The add / edit stage form: the instance picker (this application's instances not yet in the
//! pipeline), and rendering as a fragment in the pipeline block or as a page of its own.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::db::ids::{InstanceId, StageId};
use crate::db::models::instances::{self, Instance};
use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{self, Stage};
use crate::domain::stages::Placement;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::views::{Chrome, FormErrors, chrome, render, wants_fragment};

/// The add / edit stage form as a page (without htmx).
#[derive(Template)]
#[template(path = "pipelines/stage_form.html")]
struct StageFormPage {
    chrome: Chrome,
    form: StageFormFragment,
}

/// The add / edit stage form as a fragment in the pipeline block.
#[derive(Template)]
#[template(path = "pipelines/_stage_form.html")]
struct StageFormFragment {
    chrome: Chrome,
    scope: PipelineScope,
    /// `Some` when editing.
    stage: Option<Stage>,
    /// Where a new stage goes (the "+" between two cards names a stage).
    anchor: Placement<StageId>,
    choices: Vec<Instance>,
    name: String,
    instance: String,
    errors: FormErrors,
}

/// Where a new stage goes, from the form's (or the link's) `before` and `after` fields.
pub fn anchor_of(before: &str, after: &str) -> Placement<StageId> {
    match (before.is_empty(), after.is_empty()) {
        (false, _) => Placement::Before(StageId::from(before.to_owned())),
        (true, false) => Placement::After(StageId::from(after.to_owned())),
        _ => Placement::End,
    }
}

impl StageFormFragment {
    /// The hidden field that keeps where a new stage goes: its name and the stage it names.
    fn anchor_field(&self) -> Option<(&'static str, &StageId)> {
        match &self.anchor {
            Placement::Before(at) => Some(("before", at)),
            Placement::After(at) => Some(("after", at)),
            Placement::End => None,
        }
    }
}

/// Instances of the application not yet in the pipeline (plus `keep`, the one being edited).
pub async fn choices(
    state: &AppState,
    scope: &PipelineScope,
    keep: Option<&InstanceId>,
) -> Result<Vec<Instance>, AppError> {
    let (app, pipeline, keep) = (
        scope.application.id.clone(),
        scope.pipeline.id.clone(),
        keep.cloned(),
    );
    state
        .db
        .run(move |conn| {
            let used: Vec<InstanceId> = stages::list_for_pipeline(conn, &pipeline)?
                .into_iter()
                .map(|(_, i)| i.id)
                .collect();
            let all = instances::list_for_application(conn, &app)?;
            Ok(all
                .into_iter()
                .filter(|i| !used.contains(&i.id) || keep.as_ref() == Some(&i.id))
                .collect())
        })
        .await
}

/// What the form shows: the stage being edited (or where a new one goes), the values typed,
/// and their errors.
#[derive(Default)]
pub struct Shown {
    /// `Some` when editing.
    pub stage: Option<Stage>,
    /// Where a new stage goes.
    pub anchor: Placement<StageId>,
    /// Stage name typed.
    pub name: String,
    /// Instance id chosen.
    pub instance: String,
    /// Messages per field.
    pub errors: FormErrors,
}

/// The form, as a fragment for htmx (errors retargeted to the block's form slot) or a page.
pub async fn render_form(
    user: &CurrentUser,
    state: &AppState,
    req: &HttpRequest,
    scope: PipelineScope,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let keep = shown.stage.as_ref().map(|s| &s.instance_id);
    let choices = choices(state, &scope, keep).await?;
    let title = match shown.stage {
        Some(_) => "Edit stage",
        None => "Add stage",
    };
    let slot = format!("#pipeline-{}-slot", scope.pipeline.id);
    let title = format!("{title} · {}", scope.pipeline.name);
    let form = StageFormFragment {
        chrome: chrome(user, title, Some(&scope.membership.team))?,
        scope,
        stage: shown.stage,
        anchor: shown.anchor,
        choices,
        name: shown.name,
        instance: shown.instance,
        errors: shown.errors,
    };
    if !wants_fragment(req) {
        let chrome = form.chrome.clone();
        return render(status, &StageFormPage { chrome, form });
    }
    let response = render(status, &form)?;
    if status != StatusCode::UNPROCESSABLE_ENTITY {
        return Ok(response);
    }
    // The form was posted from the block; put the errors where the form is.
    into_slot(response, &slot)
}

/// Have htmx swap the answer into `slot` (a selector) rather than where it was asked from.
fn into_slot(mut response: HttpResponse, slot: &str) -> Result<HttpResponse, AppError> {
    use actix_web::http::header::{HeaderName, HeaderValue};
    let target = HeaderValue::from_str(slot).map_err(|_| AppError::NotFound)?;
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static("hx-retarget"), target);
    headers.insert(
        HeaderName::from_static("hx-reswap"),
        HeaderValue::from_static("innerHTML"),
    );
    Ok(response)
}

/// The instance picked in a stage form: one of the application's, not already in the pipeline.
pub async fn chosen_instance(
    state: &AppState,
    scope: &PipelineScope,
    raw: &str,
    keep: Option<&InstanceId>,
    errors: &mut FormErrors,
) -> Result<Option<Instance>, AppError> {
    if raw.is_empty() {
        errors.add("instance", "Choose an instance.");
        return Ok(None);
    }
    let found = choices(state, scope, keep)
        .await?
        .into_iter()
        .find(|i| i.id.as_str() == raw);
    if found.is_none() {
        errors.add(
            "instance",
            "Choose one of this application's instances that is not in the pipeline yet.",
        );
    }
    Ok(found)
}
