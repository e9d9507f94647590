//! Application > DevOps Pipelines: the page of pipelines and their stage cards (`page`, `view`,
//! `card`), its live updates (`live`), editing pipelines and stages (`edits`, `stages`,
//! `stage_form`), play and its confirmation (`play`), and the history with rollback (`history`).

pub mod card;
pub mod edits;
pub mod history;
pub mod live;
pub mod page;
pub mod play;
pub mod stage_form;
pub mod stages;
pub mod view;

use actix_web::web;

/// `/application/{id}/pipelines`, `/pipeline/…`, `/stage/…`, `/deployment/…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/application/{id}/pipelines")
            .route(web::get().to(page::list))
            .route(web::post().to(edits::create)),
    )
    .service(web::resource("/pipeline/{id}").route(web::get().to(page::show)))
    .service(web::resource("/pipeline/{id}/live").route(web::get().to(live::live)))
    .service(web::resource("/pipeline/{id}/rename").route(web::post().to(edits::rename)))
    .service(web::resource("/pipeline/{id}/delete").route(web::post().to(edits::delete)))
    .service(web::resource("/pipeline/{id}/history").route(web::get().to(history::history)))
    .service(web::resource("/pipeline/{id}/stages/new").route(web::get().to(stages::new_form)))
    .service(web::resource("/pipeline/{id}/stages").route(web::post().to(stages::add)))
    .service(
        web::resource("/stage/{id}/edit")
            .route(web::get().to(stages::edit_form))
            .route(web::post().to(stages::update)),
    )
    .service(web::resource("/deployment/{id}/rollback").route(web::post().to(history::roll_back)))
    .service(
        web::resource("/stage/{id}/promote")
            .route(web::get().to(play::confirm))
            .route(web::post().to(play::start)),
    )
    .service(web::resource("/stage/{id}/move").route(web::post().to(stages::move_stage)))
    .service(web::resource("/stage/{id}/delete").route(web::post().to(stages::remove)));
}
