//! Instances: the application's Instances tab (`pages`), an instance's overview with its live
//! status and controls (`view`, `control`), its settings tabs (`settings`, `general`, `env`,
//! `options`, `mounts`, `danger`) and its logs.

pub mod control;
pub mod danger;
pub mod env;
pub mod general;
pub mod logs;
pub mod mounts;
pub mod options;
pub mod pages;
pub mod settings;
pub mod view;

use actix_web::web;

/// `/application/{id}/instances`, `/instance/{id}…` (but the editor's: `editor`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/application/{id}/instances")
            .route(web::get().to(pages::list))
            .route(web::post().to(pages::create)),
    )
    .service(web::resource("/instance/{id}").route(web::get().to(pages::root)))
    .service(web::resource("/instance/{id}/overview").route(web::get().to(pages::overview)))
    .service(web::resource("/instance/{id}/status").route(web::get().to(control::status)))
    .service(web::resource("/instance/{id}/start").route(web::post().to(control::start)))
    .service(web::resource("/instance/{id}/stop").route(web::post().to(control::stop)))
    .service(web::resource("/instance/{id}/restart").route(web::post().to(control::restart)))
    .service(web::resource("/instance/{id}/logs").route(web::get().to(logs::logs)))
    .service(web::resource("/instance/{id}/logs/lines").route(web::get().to(logs::log_lines)))
    .service(web::resource("/instance/{id}/settings").route(web::get().to(settings::root)))
    .service(
        web::resource("/instance/{id}/settings/protection")
            .route(web::post().to(general::protection)),
    )
    .service(
        web::resource("/instance/{id}/settings/general")
            .route(web::get().to(settings::show))
            .route(web::post().to(general::general)),
    )
    .service(
        web::resource("/instance/{id}/settings/editor")
            .route(web::get().to(settings::show))
            .route(web::post().to(options::editor)),
    )
    .service(
        web::resource("/instance/{id}/settings/palette")
            .route(web::get().to(settings::show))
            .route(web::post().to(options::palette)),
    )
    .service(
        web::resource("/instance/{id}/settings/security")
            .route(web::get().to(settings::show))
            .route(web::post().to(options::security)),
    )
    .service(web::resource("/instance/{id}/settings/mounts").route(web::post().to(mounts::mounts)))
    .service(
        web::resource("/instance/{id}/settings/environment")
            .route(web::get().to(settings::show))
            .route(web::post().to(env::add)),
    )
    .service(
        web::resource("/instance/{id}/settings/environment/{key}")
            .route(web::post().to(env::update)),
    )
    .service(
        web::resource("/instance/{id}/settings/environment/{key}/delete")
            .route(web::post().to(env::delete)),
    )
    .service(
        web::resource("/instance/{id}/settings/{section}").route(web::get().to(settings::show)),
    )
    .service(web::resource("/instance/{id}/duplicate").route(web::post().to(danger::duplicate)))
    .service(web::resource("/instance/{id}/delete").route(web::post().to(danger::delete)));
}
