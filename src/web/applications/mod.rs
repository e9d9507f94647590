//! Applications of a team: creating one, its settings (rename, delete); its Instances and DevOps
//! Pipelines tabs are the `instances` and `pipelines` areas.

pub mod pages;

use actix_web::web;

/// `/application/{id}` and its settings.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/application/{id}").route(web::get().to(pages::root)))
        .service(
            web::resource("/application/{id}/settings")
                .route(web::get().to(pages::settings))
                .route(web::post().to(pages::update)),
        )
        .service(web::resource("/application/{id}/delete").route(web::post().to(pages::delete)));
}
