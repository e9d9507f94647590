//! The pipeline's poll: the cards' live parts while its stages are as the page shows them, the
//! whole block once someone changed it (the page applies that when the user is not working in it).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::pipelines::PipelineScope;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::pipelines::page::{PipelineFragment, anchor, view};
use crate::web::pipelines::view::PipelineView;
use crate::web::views::{render, see_other, wants_fragment};

/// The live parts of a pipeline's cards, swapped out of band (the answer to a poll).
#[derive(Template)]
#[template(path = "pipelines/_pipeline_live.html")]
struct LiveParts {
    pipeline: PipelineView,
    live_oob: bool,
}

/// What the page's poll says it shows: the pipeline's stages as of its last render.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LiveQuery {
    shape: String,
}

/// `GET /pipeline/{id}/live?shape=…`: the poll. While the stages are as the page shows them,
/// only the cards' live parts, out of band; once they changed (someone edited the pipeline), the
/// whole block, out of band, which the page applies when the user is not working inside it.
pub async fn live(
    Access { user, scope, .. }: Access<PipelineScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    if !wants_fragment(&req) {
        return Ok(see_other(&anchor(&scope)));
    }
    let pipeline = view(&state, &scope).await?;
    if pipeline.shape == query.shape {
        return render(
            StatusCode::OK,
            &LiveParts {
                pipeline,
                live_oob: true,
            },
        );
    }
    let block = PipelineFragment {
        pipeline,
        can_edit: scope.membership.role.allows(Action::ManagePipelines),
        rename_error: None,
        csrf: user.session.csrf_token()?,
        oob: true,
        live_oob: false,
    };
    render(StatusCode::OK, &block)
}
