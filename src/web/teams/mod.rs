//! Teams: the home page, creating a team, its applications page, and its members and roles.

pub mod members;
pub mod pages;

use actix_web::web;

use crate::web::urls;

use super::applications;

/// `/`, `/teams…`, `/team/{slug}…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(urls::HOME).route(web::get().to(pages::home)))
        .service(web::resource(urls::NEW_TEAM).route(web::get().to(pages::new_form)))
        .service(web::resource(urls::TEAMS).route(web::post().to(pages::create)))
        .service(web::resource(urls::TEAM).route(web::get().to(pages::team_root)))
        .service(
            web::resource(urls::TEAM_APPLICATIONS)
                .route(web::get().to(pages::applications))
                .route(web::post().to(applications::pages::create)),
        )
        .service(
            web::resource(urls::NEW_APPLICATION)
                .route(web::get().to(applications::pages::new_form)),
        )
        .service(
            web::resource(urls::TEAM_MEMBERS)
                .route(web::get().to(members::page))
                .route(web::post().to(members::add)),
        )
        .service(web::resource(urls::TEAM_MEMBER_ROLE).route(web::post().to(members::change_role)))
        .service(web::resource(urls::TEAM_MEMBER_REMOVE).route(web::post().to(members::remove)));
}
