//! An instance's live log: the last lines of its runtime's output (and redstage's notes about
//! it), followed with htmx polling for the lines after the last one shown.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::ids::InstanceId;
use crate::db::models::instances::InstanceScope;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::Access;
use crate::web::instances::view::InstanceHeader;
use crate::web::views::{Chrome, chrome, render, see_other, wants_fragment};

#[derive(Template)]
#[template(path = "instances/logs.html")]
struct LogsPage {
    chrome: Chrome,
    h: InstanceHeader,
    lines: Vec<(u64, String)>,
    next: u64,
}

#[derive(Template)]
#[template(path = "instances/_log_lines.html")]
struct LogLines {
    id: InstanceId,
    lines: Vec<(u64, String)>,
    next: u64,
}

/// Query of the log poller.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct After {
    after: u64,
}

fn next_after(lines: &[(u64, String)], after: u64) -> u64 {
    lines.last().map(|(seq, _)| seq + 1).unwrap_or(after)
}

/// `GET /instance/{id}/logs`: the last lines of the runtime's output, followed live.
pub async fn logs(
    Access { user, scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let lines = state.runtimes.logs(&scope.instance.id, 0);
    let h = InstanceHeader::new(scope, "logs", &state.origins);
    let next = next_after(&lines, 0);
    let page = LogsPage {
        chrome: chrome(&user, format!("Logs · {}", h.instance.name), Some(&h.team))?,
        h,
        lines,
        next,
    };
    render(StatusCode::OK, &page)
}

/// `GET /instance/{id}/logs/lines?after=N`: new lines for the live view (htmx).
pub async fn log_lines(
    Access { scope, .. }: Access<InstanceScope>,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<After>,
) -> Result<HttpResponse, AppError> {
    if !wants_fragment(&req) {
        return Ok(see_other(&crate::web::urls::instance_logs(
            &scope.instance.id,
        )));
    }
    let lines = state.runtimes.logs(&scope.instance.id, query.after);
    let next = next_after(&lines, query.after);
    render(
        StatusCode::OK,
        &LogLines {
            id: scope.instance.id,
            lines,
            next,
        },
    )
}
