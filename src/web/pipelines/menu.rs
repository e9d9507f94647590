//! A stage card's menu: edit the stage, insert a stage before or after it, remove it. The card
//! carries only the menu's button; the entries load when it is first opened (a page shows a
//! hundred cards, and few menus are ever opened). Without JavaScript the button's menu is a link
//! to the same entries as a page of their own.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::db::models::pipelines::PipelineScope;
use crate::db::models::stages::{Stage, StageScope};
use crate::error::AppError;
use crate::web::access::{Access, can};
use crate::web::views::{Chrome, chrome, render, wants_fragment};

/// The entries (the list htmx swaps into the open menu).
#[derive(Template)]
#[template(path = "pipelines/_stage_menu.html")]
struct StageMenu {
    stage: Stage,
    /// The session's CSRF token, for the remove form.
    csrf: String,
    /// On a page of its own: plain links and a plain form (there is no pipeline block to load
    /// forms into or to swap).
    page: bool,
}

/// The entries as a page of their own (without JavaScript).
#[derive(Template)]
#[template(path = "pipelines/stage_menu.html")]
struct StageMenuPage {
    chrome: Chrome,
    scope: PipelineScope,
    menu: StageMenu,
}

/// `GET /stage/{id}/menu`: the entries for htmx, a page otherwise.
pub async fn menu(
    Access { user, scope, .. }: Access<StageScope, can::ManagePipelines>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let StageScope { stage, pipeline } = scope;
    let menu = StageMenu {
        stage,
        csrf: user.session.csrf_token()?,
        page: !wants_fragment(&req),
    };
    if !menu.page {
        return render(StatusCode::OK, &menu);
    }
    let title = format!("Stage {} · {}", menu.stage.name, pipeline.pipeline.name);
    let page = StageMenuPage {
        chrome: chrome(&user, title, Some(&pipeline.membership.team))?,
        scope: pipeline,
        menu,
    };
    render(StatusCode::OK, &page)
}
