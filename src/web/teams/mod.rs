//! Teams: the home page, creating a team, its applications page, and its members and roles.

pub mod members;
pub mod pages;

use actix_web::web;

use super::applications;

/// `/`, `/teams…`, `/team/{slug}…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(pages::home)))
        .service(web::resource("/teams/new").route(web::get().to(pages::new_form)))
        .service(web::resource("/teams").route(web::post().to(pages::create)))
        .service(web::resource("/team/{slug}").route(web::get().to(pages::team_root)))
        .service(
            web::resource("/team/{slug}/applications")
                .route(web::get().to(pages::applications))
                .route(web::post().to(applications::pages::create)),
        )
        .service(
            web::resource("/team/{slug}/applications/new")
                .route(web::get().to(applications::pages::new_form)),
        )
        .service(
            web::resource("/team/{slug}/members")
                .route(web::get().to(members::page))
                .route(web::post().to(members::add)),
        )
        .service(
            web::resource("/team/{slug}/members/{user}/role")
                .route(web::post().to(members::change_role)),
        )
        .service(
            web::resource("/team/{slug}/members/{user}/remove")
                .route(web::post().to(members::remove)),
        );
}
