//! Application > DevOps Pipelines: the page of pipelines and their stage cards (`page`, `view`,
//! `card`), its live updates (`stream` pushes what `live` renders), editing pipelines and stages (`edits`, `stages`,
//! `stage_form`, a card's `menu`), play and its confirmation (`play`), and the history with rollback (`history`).

pub mod audit;
pub mod card;
pub mod edits;
pub mod history;
pub mod live;
pub mod menu;
pub mod page;
pub mod play;
pub mod stage_form;
pub mod stages;
pub mod stream;
pub mod view;

use actix_web::web;

use crate::web::urls;

/// `/application/{id}/pipelines`, `/pipeline/…`, `/stage/…`, `/deployment/…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(urls::APPLICATION_PIPELINES)
            .route(web::get().to(page::list))
            .route(web::post().to(edits::create)),
    )
    .service(web::resource(urls::PIPELINE).route(web::get().to(page::show)))
    .service(web::resource(urls::APPLICATION_PIPELINE_EVENTS).route(web::get().to(stream::events)))
    .service(web::resource(urls::PIPELINE_RENAME).route(web::post().to(edits::rename)))
    .service(web::resource(urls::PIPELINE_DELETE).route(web::post().to(edits::delete)))
    .service(web::resource(urls::PIPELINE_HISTORY).route(web::get().to(history::history)))
    .service(web::resource(urls::PIPELINE_NEW_STAGE).route(web::get().to(stages::new_form)))
    .service(web::resource(urls::PIPELINE_STAGES).route(web::post().to(stages::add)))
    .service(
        web::resource(urls::STAGE_EDIT)
            .route(web::get().to(stages::edit_form))
            .route(web::post().to(stages::update)),
    )
    .service(web::resource(urls::DEPLOYMENT_ROLLBACK).route(web::post().to(history::roll_back)))
    .service(
        web::resource(urls::STAGE_PROMOTE)
            .route(web::get().to(play::confirm))
            .route(web::post().to(play::start)),
    )
    .service(web::resource(urls::STAGE_MENU).route(web::get().to(menu::menu)))
    .service(web::resource(urls::STAGE_MOVE).route(web::post().to(stages::move_stage)))
    .service(web::resource(urls::STAGE_DELETE).route(web::post().to(stages::remove)));
}
