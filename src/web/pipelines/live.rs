//! What the pipelines page's stream sends for a pipeline that changed: the cards' live parts
//! while its stages are as the page shows them, the whole block once someone changed it (the
//! page applies that when the user is not working in it).

use askama::Template;

use crate::error::AppError;
use crate::web::pipelines::page::PipelineFragment;
use crate::web::pipelines::view::PipelineView;

/// The live parts of a pipeline's cards, swapped out of band.
#[derive(Template)]
#[template(path = "pipelines/_pipeline_live.html")]
struct LiveParts {
    pipeline: PipelineView,
    live_oob: bool,
}

/// Who watches: what the block offers them.
pub struct Viewer {
    /// Whether stage and pipeline edits are offered.
    pub can_edit: bool,
    /// The session's CSRF token, for the block's forms.
    pub csrf: String,
}

/// The out-of-band HTML for `pipeline`, given the shape the page shows of it (see
/// [`PipelineView::shape`]): only the cards' live parts, so that nothing a user typed, opened or
/// focused is touched, or the whole block when the shape changed.
pub fn render(pipeline: PipelineView, shown: &str, viewer: &Viewer) -> Result<String, AppError> {
    let rendered = if pipeline.shape == shown {
        LiveParts {
            pipeline,
            live_oob: true,
        }
        .render()
    } else {
        PipelineFragment {
            pipeline,
            can_edit: viewer.can_edit,
            rename_error: None,
            csrf: viewer.csrf.clone(),
            oob: true,
            live_oob: false,
        }
        .render()
    };
    rendered.map_err(|e| AppError::Unexpected(anyhow::anyhow!("template failed: {e}")))
}
