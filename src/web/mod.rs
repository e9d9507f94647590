//! The web layer, by area of the product: `auth` (sign-in, account), `teams` (teams and their
//! members), `applications`, `instances` (overview, settings tabs, logs), `pipelines` (pipelines,
//! stages, play, history, rollback), `editor` (instance origins: tickets, editor sessions, the
//! proxy), `admin` (accounts). Each area's `mod.rs` has its `routes()`. Shared pieces live here:
//! the session cookie (`session`), CSRF and exact-origin checks (`csrf`), the signed-in user
//! (`current_user`), loading and authorising what a route names (`access`), rendering (`views`),
//! URLs (`urls`), values templates write unescaped once checked (`safe`), the request's host
//! (`host`) and static files (`assets`).

pub mod access;
pub mod admin;
pub mod applications;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod current_user;
pub mod editor;
pub mod errors;
pub mod host;
pub mod instances;
pub mod pipelines;
pub mod safe;
pub mod session;
pub mod teams;
pub mod urls;
pub mod views;

pub use current_user::CurrentUser;
pub use session::{Flash, UserSession};

use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// Register every route of the platform origin.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(urls::STATIC_ASSET).route(web::get().to(assets::serve)))
        .configure(auth::routes)
        .configure(admin::routes)
        .configure(teams::routes)
        .configure(applications::routes)
        .configure(pipelines::routes)
        .configure(instances::routes)
        .configure(editor::platform_routes)
        .default_service(web::to(not_found));
}

/// Anything else on the platform origin.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Form and path extractor settings: a malformed form or path is shown as a page, not plain text.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::FormConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _| {
                AppError::BadRequest(format!("The form could not be read: {err}")).into()
            }),
    )
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}
