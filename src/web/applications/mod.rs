//! Applications of a team: creating one, its settings (rename, delete); its Instances and DevOps
//! Pipelines tabs are the `instances` and `pipelines` areas.

pub mod pages;

use actix_web::web;

use crate::web::urls;

/// `/application/{id}` and its settings.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(urls::APPLICATION).route(web::get().to(pages::root)))
        .service(
            web::resource(urls::APPLICATION_SETTINGS)
                .route(web::get().to(pages::settings))
                .route(web::post().to(pages::update)),
        )
        .service(web::resource(urls::APPLICATION_DELETE).route(web::post().to(pages::delete)));
}
