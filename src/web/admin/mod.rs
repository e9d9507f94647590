//! Administrators: accounts (create, reset passwords, disable, delete) and the stats endpoint.

pub mod accounts;
pub mod users;

use actix_web::web;

use crate::web::urls;

/// `/admin/…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(urls::ADMIN_USERS)
            .route(web::get().to(users::users))
            .route(web::post().to(users::create_user)),
    )
    .service(web::resource(urls::ADMIN_STATS).route(web::get().to(users::stats)))
    .service(web::resource(urls::ADMIN_USER_PASSWORD).route(web::post().to(users::reset_password)))
    .service(web::resource(urls::ADMIN_USER_DISABLE).route(web::post().to(accounts::disable)))
    .service(web::resource(urls::ADMIN_USER_DELETE).route(web::post().to(accounts::delete)));
}
