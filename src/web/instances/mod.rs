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

use crate::web::urls;

/// `/application/{id}/instances`, `/instance/{id}…` (but the editor's: `editor`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(urls::APPLICATION_INSTANCES)
            .route(web::get().to(pages::list))
            .route(web::post().to(pages::create)),
    )
    .service(web::resource(urls::INSTANCE).route(web::get().to(pages::root)))
    .service(web::resource(urls::INSTANCE_OVERVIEW).route(web::get().to(pages::overview)))
    .service(web::resource(urls::INSTANCE_STATUS).route(web::get().to(control::status)))
    .service(web::resource(urls::INSTANCE_START).route(web::post().to(control::start)))
    .service(web::resource(urls::INSTANCE_STOP).route(web::post().to(control::stop)))
    .service(web::resource(urls::INSTANCE_RESTART).route(web::post().to(control::restart)))
    .service(web::resource(urls::INSTANCE_LOGS).route(web::get().to(logs::logs)))
    .service(web::resource(urls::INSTANCE_LOG_LINES).route(web::get().to(logs::log_lines)))
    .service(web::resource(urls::INSTANCE_SETTINGS_ROOT).route(web::get().to(settings::root)))
    .service(web::resource(urls::INSTANCE_PROTECTION).route(web::post().to(general::protection)))
    .service(
        web::resource(urls::INSTANCE_SETTINGS_GENERAL)
            .route(web::get().to(settings::show))
            .route(web::post().to(general::general)),
    )
    .service(
        web::resource(urls::INSTANCE_SETTINGS_EDITOR)
            .route(web::get().to(settings::show))
            .route(web::post().to(options::editor)),
    )
    .service(
        web::resource(urls::INSTANCE_SETTINGS_PALETTE)
            .route(web::get().to(settings::show))
            .route(web::post().to(options::palette)),
    )
    .service(
        web::resource(urls::INSTANCE_SETTINGS_SECURITY)
            .route(web::get().to(settings::show))
            .route(web::post().to(options::security)),
    )
    .service(web::resource(urls::INSTANCE_MOUNTS).route(web::post().to(mounts::mounts)))
    .service(
        web::resource(urls::INSTANCE_ENVIRONMENT)
            .route(web::get().to(settings::show))
            .route(web::post().to(env::add)),
    )
    .service(web::resource(urls::INSTANCE_ENV_VAR).route(web::post().to(env::update)))
    .service(web::resource(urls::INSTANCE_ENV_VAR_DELETE).route(web::post().to(env::delete)))
    .service(web::resource(urls::INSTANCE_SETTINGS).route(web::get().to(settings::show)))
    .service(web::resource(urls::INSTANCE_DUPLICATE).route(web::post().to(danger::duplicate)))
    .service(web::resource(urls::INSTANCE_DELETE).route(web::post().to(danger::delete)));
}
